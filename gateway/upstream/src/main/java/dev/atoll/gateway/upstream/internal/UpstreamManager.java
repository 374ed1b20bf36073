package dev.atoll.gateway.upstream.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.ToolOutcome;
import dev.atoll.gateway.backend.ToolReply;
import dev.atoll.gateway.registry.RegistryException;
import dev.atoll.gateway.registry.SandboxKind;
import dev.atoll.gateway.registry.UpstreamInfo;
import dev.atoll.gateway.registry.UpstreamSpec;
import dev.atoll.gateway.registry.Upstreams;
import dev.atoll.gateway.upstream.spi.LaunchRequest;
import dev.atoll.gateway.upstream.spi.SandboxLauncher;
import dev.atoll.gateway.upstream.spi.SandboxProcess;
import dev.atoll.runtime.Receipt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Runs the registered upstream servers: starts each (approved ones, and quarantined ones so their
 * tools can be reviewed), does the MCP handshake and lists its tools into the registry (which pins,
 * pulls or quarantines them), pings it on an interval, restarts it with exponential backoff when it
 * exits or stops answering, recycles it after a maximum lifetime, and stops them all on close.
 * Orphans of an earlier run that was killed are reaped at {@link #start()}.
 */
public final class UpstreamManager implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(UpstreamManager.class.getName());
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** JSON-RPC error code (server range) for a call to an upstream that is not running. */
    public static final int UNAVAILABLE = -32003;
    /** Notifications after which the server's tools, resources and prompts are listed again. */
    private static final Set<String> RELISTED = Set.of(
            "notifications/tools/list_changed",
            "notifications/resources/list_changed",
            "notifications/prompts/list_changed");

    /**
     * Lifecycle settings; build them with {@link #builder()}.
     *
     * @param startQuarantined start upstreams that are not approved yet (for review)
     * @param startTimeout handshake and first tools/list
     * @param callTimeout tools/call
     * @param healthInterval between pings
     * @param healthTimeout ping answer
     * @param backoffMin first restart delay
     * @param backoffMax largest restart delay
     * @param maxLifetime recycle after (zero = never)
     * @param stopGrace exit time after stdin closes
     * @param maxLineBytes longest stdout line
     * @param maxCallNotificationBytes most bytes of log and progress notifications kept per call
     * @param maxTools most tools per server
     * @param logLines stderr lines kept
     */
    public record Settings(
            boolean startQuarantined,
            Duration startTimeout,
            Duration callTimeout,
            Duration healthInterval,
            Duration healthTimeout,
            Duration backoffMin,
            Duration backoffMax,
            Duration maxLifetime,
            Duration stopGrace,
            int maxLineBytes,
            long maxCallNotificationBytes,
            int maxTools,
            int logLines) {

        /** Rejects nulls and values no supervisor can work with, naming the offending one. */
        public Settings {
            positive("startTimeout", startTimeout);
            positive("callTimeout", callTimeout);
            positive("healthInterval", healthInterval);
            positive("healthTimeout", healthTimeout);
            positive("backoffMin", backoffMin);
            positive("backoffMax", backoffMax);
            if (backoffMax.compareTo(backoffMin) < 0) {
                throw new IllegalArgumentException(
                        "backoffMax (" + backoffMax + ") must not be below backoffMin (" + backoffMin + ")");
            }
            if (Objects.requireNonNull(maxLifetime, "maxLifetime").isNegative()) {
                throw new IllegalArgumentException("maxLifetime must not be negative: " + maxLifetime);
            }
            if (Objects.requireNonNull(stopGrace, "stopGrace").isNegative()) {
                throw new IllegalArgumentException("stopGrace must not be negative: " + stopGrace);
            }
            positive("maxLineBytes", maxLineBytes);
            positive("maxCallNotificationBytes", maxCallNotificationBytes);
            positive("maxTools", maxTools);
            positive("logLines", logLines);
        }

        /**
         * A builder with the defaults of {@code docs/configuration.md} ({@code upstreams.*}).
         *
         * @return a new builder
         */
        public static Builder builder() {
            return new Builder();
        }

        private static void positive(String name, Duration d) {
            if (Objects.requireNonNull(d, name).isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
        }

        private static void positive(String name, long n) {
            if (n <= 0) {
                throw new IllegalArgumentException(name + " must be positive: " + n);
            }
        }

        /** Builds {@link Settings}; {@link #build()} checks the values. */
        public static final class Builder {
            private boolean startQuarantined = true;
            private Duration startTimeout = Duration.ofSeconds(30);
            private Duration callTimeout = Duration.ofMinutes(2);
            private Duration healthInterval = Duration.ofSeconds(10);
            private Duration healthTimeout = Duration.ofSeconds(5);
            private Duration backoffMin = Duration.ofMillis(500);
            private Duration backoffMax = Duration.ofSeconds(30);
            private Duration maxLifetime = Duration.ZERO;
            private Duration stopGrace = Duration.ofSeconds(3);
            private int maxLineBytes = 4 << 20;
            private long maxCallNotificationBytes = 1 << 20;
            private int maxTools = 1000;
            private int logLines = 1000;

            private Builder() {}

            /** @param v start upstreams that are not approved yet @return this */
            public Builder startQuarantined(boolean v) {
                startQuarantined = v;
                return this;
            }

            /** @param v handshake and first tools/list @return this */
            public Builder startTimeout(Duration v) {
                startTimeout = v;
                return this;
            }

            /** @param v tools/call @return this */
            public Builder callTimeout(Duration v) {
                callTimeout = v;
                return this;
            }

            /** @param v between pings @return this */
            public Builder healthInterval(Duration v) {
                healthInterval = v;
                return this;
            }

            /** @param v ping answer @return this */
            public Builder healthTimeout(Duration v) {
                healthTimeout = v;
                return this;
            }

            /**
             * @param min first restart delay
             * @param max largest restart delay
             * @return this
             */
            public Builder restartBackoff(Duration min, Duration max) {
                backoffMin = min;
                backoffMax = max;
                return this;
            }

            /** @param v recycle after (zero = never) @return this */
            public Builder maxLifetime(Duration v) {
                maxLifetime = v;
                return this;
            }

            /** @param v exit time after stdin closes @return this */
            public Builder stopGrace(Duration v) {
                stopGrace = v;
                return this;
            }

            /** @param v longest stdout line @return this */
            public Builder maxLineBytes(int v) {
                maxLineBytes = v;
                return this;
            }

            /** @param v most bytes of notifications kept per call @return this */
            public Builder maxCallNotificationBytes(long v) {
                maxCallNotificationBytes = v;
                return this;
            }

            /** @param v most tools per server @return this */
            public Builder maxTools(int v) {
                maxTools = v;
                return this;
            }

            /** @param v stderr lines kept @return this */
            public Builder logLines(int v) {
                logLines = v;
                return this;
            }

            /**
             * Builds the settings.
             *
             * @return the settings
             * @throws IllegalArgumentException naming the first value that is out of range
             */
            public Settings build() {
                return new Settings(
                        startQuarantined,
                        startTimeout,
                        callTimeout,
                        healthInterval,
                        healthTimeout,
                        backoffMin,
                        backoffMax,
                        maxLifetime,
                        stopGrace,
                        maxLineBytes,
                        maxCallNotificationBytes,
                        maxTools,
                        logLines);
            }
        }
    }

    /** Where a supervised upstream is in its lifecycle: a closed set, shown in lower case. */
    public enum State {
        /** Registered, not started yet. */
        NEW,
        /** Being launched (sandbox, handshake, first tools/list). */
        STARTING,
        /** Serving. */
        RUNNING,
        /** The last start or the process failed; a restart is scheduled. */
        FAILED,
        /** Waiting for the restart backoff to pass. */
        RESTARTING,
        /** Being replaced after its maximum lifetime. */
        RECYCLING,
        /** Not supervised (removed, disabled, or the gateway is closing). */
        STOPPED;

        /** The lower-case name the admin API and the CLI show. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public String toString() {
            return id();
        }
    }

    /** What {@code upstream list} shows about a running (or not) server. */
    public record Status(State state, String process, int restarts, Optional<Instant> startedAt, String lastError) {}

    /** The reply of one call, before the pipeline wraps it. */
    private final Settings settings;

    private final Map<SandboxKind, SandboxLauncher> launchers;
    private final Map<SandboxKind, String> unavailable;
    private final Upstreams store;
    private final Path stateDir;
    private final String owner;
    private final Runnable toolsChanged;
    private final EgressProxy.Factory egress;
    private final Path egressDir;
    private final Map<String, Supervised> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final ExecutorService work = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("atoll-upstream-", 0).factory());
    private volatile boolean closed;
    private volatile UpstreamObserver observer = UpstreamObserver.NO_OP;
    private volatile java.util.function.BiConsumer<String, String> resourceUpdates = (u, uri) -> {};
    /** The periodic health check, from {@link #start()} on. */
    private @Nullable ScheduledFuture<?> healthTask;

    /**
     * Creates the manager (nothing starts before {@link #start()}).
     *
     * @param settings lifecycle settings
     * @param launchers the launchers that are enabled, by kind
     * @param disabled kinds that are not available, with the reason shown to operators
     * @param store the registry's upstreams
     * @param dataDir the gateway's data dir (state and pid files go under {@code upstreams/})
     * @param toolsChanged called after the served tools may have changed (rebuilds the catalogue)
     */
    public UpstreamManager(
            Settings settings,
            Map<SandboxKind, SandboxLauncher> launchers,
            Map<SandboxKind, String> disabled,
            Upstreams store,
            Path dataDir,
            Runnable toolsChanged) {
        this(settings, launchers, disabled, store, dataDir, toolsChanged, EgressProxy.Factory.none());
    }

    /**
     * Creates the manager with egress: an upstream that allows hosts gets its own egress proxy
     * (started before the server, on a socket under {@code upstreams/egress/NAME/}, closed with it).
     *
     * @param settings lifecycle settings
     * @param launchers the launchers that are enabled, by kind
     * @param disabled kinds that are not available, with the reason shown to operators
     * @param store the registry's upstreams
     * @param dataDir the gateway's data dir (state and pid files go under {@code upstreams/})
     * @param toolsChanged called after the served tools may have changed (rebuilds the catalogue)
     * @param egress starts an upstream's egress proxy
     */
    public UpstreamManager(
            Settings settings,
            Map<SandboxKind, SandboxLauncher> launchers,
            Map<SandboxKind, String> disabled,
            Upstreams store,
            Path dataDir,
            Runnable toolsChanged,
            EgressProxy.Factory egress) {
        this.egress = egress;
        this.egressDir = dataDir.toAbsolutePath().resolve("upstreams").resolve("egress");
        this.settings = settings;
        this.launchers = Map.copyOf(launchers);
        this.store = store;
        this.stateDir = dataDir.toAbsolutePath().resolve("upstreams").resolve("state");
        this.owner = owner(dataDir.toAbsolutePath().resolve("upstreams"));
        this.toolsChanged = toolsChanged;
        Map<SandboxKind, String> why = new ConcurrentHashMap<>(disabled);
        this.launchers.forEach((k, l) -> l.unavailableReason().ifPresent(r -> why.put(k, r)));
        this.unavailable = Map.copyOf(why);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "atoll-upstream-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /** A stable label for this data dir, kept in {@code upstreams/owner}. */
    private static String owner(Path dir) {
        Path f = dir.resolve("owner");
        try {
            Files.createDirectories(dir);
            if (Files.exists(f)) {
                String s = Files.readString(f).trim();
                if (s.matches("[a-f0-9]{12}")) {
                    return s;
                }
            }
            byte[] b = new byte[6];
            new java.security.SecureRandom().nextBytes(b);
            String s = HexFormat.of().formatHex(b);
            Files.writeString(f, s + "\n");
            return s;
        } catch (IOException e) {
            throw new UncheckedIOExceptionWithMessage("cannot write " + f + ": " + e.getMessage());
        }
    }

    /** An I/O failure at start, with a message for the operator. */
    static final class UncheckedIOExceptionWithMessage extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UncheckedIOExceptionWithMessage(String m) {
            super(m);
        }
    }

    /**
     * Sets who hears that a resource the gateway subscribed to changed (an upstream's
     * {@code notifications/resources/updated} for a URI it holds a subscription for; any other is dropped).
     *
     * @param listener told of (upstream name, URI), on the upstream's reader thread: must not block
     * @return this manager
     */
    public UpstreamManager onResourceUpdated(java.util.function.BiConsumer<String, String> listener) {
        this.resourceUpdates = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * Sets who hears of state changes and calls (metrics, the server log); call before {@link #start()}.
     *
     * @param observer the observer
     * @return this manager
     */
    public UpstreamManager observer(UpstreamObserver observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
        return this;
    }

    /** Reaps orphans of an earlier run, starts every registered upstream and the health checks. */
    public void start() {
        for (SandboxLauncher l : launchers.values()) {
            if (l.unavailableReason().isEmpty()) {
                int n = l.reapOrphans(owner);
                if (n > 0) {
                    LOG.warning(
                            "reaped " + n + " orphaned " + l.kind().id() + " upstream sandbox(es) of an earlier run");
                }
            }
        }
        for (UpstreamInfo u : store.list()) {
            ensureRunning(u);
        }
        long every = settings.healthInterval().toMillis();
        healthTask = timer.scheduleWithFixedDelay(this::healthTick, every, every, TimeUnit.MILLISECONDS);
    }

    /** The owner label of this data dir (for orphan clean-up). */
    public String owner() {
        return owner;
    }

    /**
     * Why upstreams of this kind cannot run here, if they cannot.
     *
     * @param kind a sandbox kind
     * @return the reason, or empty when the kind is available
     */
    public Optional<String> unavailable(SandboxKind kind) {
        if (unavailable.containsKey(kind)) {
            return Optional.of(unavailable.get(kind));
        }
        return launchers.containsKey(kind)
                ? Optional.empty()
                : Optional.of("the " + kind.id() + " backend is not enabled (upstreams.launchers)");
    }

    /**
     * Why an upstream would not start here, as far as its launcher can tell before it is added (a
     * program the sandbox cannot see, an image the engine lacks): see {@link SandboxLauncher#refusal}.
     *
     * @param spec the upstream to add
     * @return the reason, or empty when nothing is known to stop it
     */
    public Optional<String> refusal(UpstreamSpec spec) {
        SandboxLauncher l = launchers.get(spec.kind());
        return l == null ? Optional.empty() : l.refusal(spec, stateDir.resolve(spec.name()));
    }

    /**
     * Starts an upstream that was just added (or approved), if it is not running.
     *
     * @param name the upstream
     */
    public void refresh(String name) {
        store.get(name).ifPresentOrElse(this::ensureRunning, () -> stop(name));
    }

    private void ensureRunning(UpstreamInfo u) {
        if (closed || (!u.approved() && !settings.startQuarantined())) {
            return;
        }
        Supervised s = running.computeIfAbsent(u.name(), n -> new Supervised(u.spec()));
        if (s.state == State.NEW) {
            s.moveTo(State.STARTING, "");
            work.execute(s::startNow);
        }
    }

    /**
     * Stops an upstream and forgets it (after {@code upstream remove}).
     *
     * @param name the upstream
     */
    public void stop(String name) {
        Supervised s = running.remove(name);
        if (s != null) {
            s.shutdown();
        }
    }

    /**
     * The last stderr and lifecycle lines of an upstream.
     *
     * @param name the upstream
     * @param n how many lines
     * @return the lines, oldest first; empty if it never ran in this gateway
     */
    public List<String> logs(String name, int n) {
        Supervised s = running.get(name);
        return s == null
                ? List.of()
                : s.logs.tail(n).stream().map(l -> l.at() + " " + l.text()).toList();
    }

    /**
     * The lifecycle status of an upstream.
     *
     * @param name the upstream
     * @return its status; state {@code stopped} if it is not supervised
     */
    public Status status(String name) {
        Supervised s = running.get(name);
        if (s == null) {
            return new Status(State.STOPPED, "", 0, Optional.empty(), "");
        }
        SandboxProcess p = s.process;
        return new Status(
                s.state, p == null ? "" : p.describe(), s.restarts, Optional.ofNullable(s.startedAt), s.lastError);
    }

    /**
     * Calls a tool of a running upstream.
     *
     * @param upstream the upstream name
     * @param tool the tool's name on the server
     * @param arguments the arguments (after DLP)
     * @return the reply: a result, a tool error for a crash or timeout, or a rejection when it is down
     */
    public ToolReply call(String upstream, String tool, ObjectNode arguments) {
        return call(upstream, tool, arguments, dev.atoll.gateway.backend.ClientLink.NONE);
    }

    /**
     * Calls a tool of a running upstream, relaying the server's sampling and elicitation requests to
     * the calling agent (see {@link StdioMcpClient}).
     *
     * @param upstream the upstream name
     * @param tool the tool's name on the server
     * @param arguments the arguments (after DLP)
     * @param link the way back to the calling agent (DLP-wrapped by the pipeline)
     * @return the reply: a result, a tool error for a crash or timeout, or a rejection when it is down
     */
    public ToolReply call(
            String upstream, String tool, ObjectNode arguments, dev.atoll.gateway.backend.ClientLink link) {
        Supervised s = running.get(upstream);
        StdioMcpClient c = s == null ? null : s.client;
        if (s == null || c == null || !c.isAlive() || s.state != State.RUNNING) {
            String why = s == null
                    ? "it is not running"
                    : "it is " + s.state + (s.lastError.isEmpty() ? "" : " (" + s.lastError + ")");
            return new ToolReply.Rejected(
                    UNAVAILABLE,
                    "Upstream '" + upstream + "' is unavailable: " + why + "; retry shortly",
                    ToolOutcome.UPSTREAM_UNAVAILABLE,
                    Optional.of(settings.backoffMin()));
        }
        UpstreamObserver o = observer;
        o.callStarted(upstream);
        long started = System.nanoTime();
        ToolReply reply = null;
        try {
            reply = callRunning(c, tool, arguments, link);
            return reply;
        } finally {
            o.callEnded(
                    upstream,
                    reply == null ? "internal_error" : reply.outcome().id(),
                    Duration.ofNanos(System.nanoTime() - started));
        }
    }

    /**
     * Sends a {@code resources/read}, {@code prompts/get} or {@code completion/complete} to a running
     * upstream.
     *
     * @param upstream the upstream name
     * @param method the method
     * @param params its params, as the server names things (after DLP)
     * @return the server's result object, or a rejection (down, timeout, protocol or its own error)
     */
    public ToolReply feature(String upstream, String method, ObjectNode params) {
        Supervised s = running.get(upstream);
        if (method.equals("resources/unsubscribe")) {
            if (s != null) {
                s.unsubscribe(params.path("uri").asText());
            }
            return new ToolReply.Result(F.objectNode(), List.of(), List.of(), ToolOutcome.OK, Receipt.none());
        }
        StdioMcpClient c = s == null ? null : s.client;
        if (s == null || c == null || !c.isAlive() || s.state != State.RUNNING) {
            return new ToolReply.Rejected(
                    UNAVAILABLE,
                    "Upstream '" + upstream + "' is unavailable; retry shortly",
                    ToolOutcome.UPSTREAM_UNAVAILABLE,
                    Optional.of(settings.backoffMin()));
        }
        if (method.equals("resources/subscribe")
                && !s.capabilities.path("resources").path("subscribe").asBoolean(false)) {
            return new ToolReply.Rejected(
                    -32601,
                    "upstream '" + upstream + "' does not offer resource subscriptions"
                            + " (it did not declare resources.subscribe)",
                    ToolOutcome.UPSTREAM_ERROR,
                    Optional.empty());
        }
        boolean subscribing = method.equals("resources/subscribe")
                && s.subscribed.add(params.path("uri").asText());
        try {
            JsonNode r = c.call(method, params, settings.callTimeout());
            if (!(r instanceof ObjectNode o)) {
                return new ToolReply.Rejected(
                        -32603,
                        "upstream '" + upstream + "' answered " + method + " without a result object",
                        ToolOutcome.UPSTREAM_PROTOCOL_ERROR,
                        Optional.empty());
            }
            return new ToolReply.Result(o, List.of(), List.of(), ToolOutcome.OK, Receipt.none());
        } catch (UpstreamException e) {
            if (subscribing) {
                s.subscribed.remove(params.path("uri").asText());
            }
            return switch (e.kind()) {
                case DOWN ->
                    new ToolReply.Rejected(
                            UNAVAILABLE,
                            e.getMessage(),
                            ToolOutcome.UPSTREAM_CRASHED,
                            Optional.of(settings.backoffMin()));
                case TIMEOUT ->
                    new ToolReply.Rejected(-32603, e.getMessage(), ToolOutcome.UPSTREAM_TIMEOUT, Optional.empty());
                case PROTOCOL ->
                    new ToolReply.Rejected(
                            -32603, e.getMessage(), ToolOutcome.UPSTREAM_PROTOCOL_ERROR, Optional.empty());
                case RPC_ERROR ->
                    new ToolReply.Rejected(
                            e.code() == -32602 || e.code() == -32002 || (e.code() <= -32000 && e.code() >= -32099)
                                    ? e.code()
                                    : -32603,
                            e.getMessage(),
                            ToolOutcome.UPSTREAM_ERROR,
                            Optional.empty());
            };
        }
    }

    private ToolReply callRunning(
            StdioMcpClient c, String tool, ObjectNode arguments, dev.atoll.gateway.backend.ClientLink link) {
        try {
            StdioMcpClient.CallOutcome out = c.callTool(tool, arguments, settings.callTimeout(), link);
            ObjectNode result = F.objectNode();
            for (String k : List.of("content", "structuredContent", "isError", "_meta")) {
                if (out.result().has(k)) {
                    result.set(k, out.result().get(k));
                }
            }
            boolean error = result.path("isError").asBoolean(false);
            return new ToolReply.Result(
                    result,
                    out.logs(),
                    out.progress(),
                    error ? ToolOutcome.TOOL_ERROR : ToolOutcome.OK,
                    Receipt.none());
        } catch (UpstreamException e) {
            return switch (e.kind()) {
                case DOWN -> error(e.getMessage(), ToolOutcome.UPSTREAM_CRASHED);
                case TIMEOUT -> error(e.getMessage(), ToolOutcome.UPSTREAM_TIMEOUT);
                case PROTOCOL -> error(e.getMessage(), ToolOutcome.UPSTREAM_PROTOCOL_ERROR);
                case RPC_ERROR ->
                    new ToolReply.Rejected(
                            e.code() <= -32000 && e.code() >= -32768 ? e.code() : -32603,
                            e.getMessage(),
                            ToolOutcome.UPSTREAM_ERROR,
                            Optional.empty());
            };
        }
    }

    private static ToolReply error(String message, ToolOutcome outcome) {
        ObjectNode r = F.objectNode();
        r.putArray("content").addObject().put("type", "text").put("text", message);
        r.put("isError", true);
        return new ToolReply.Result(r, List.of(), List.of(), outcome, Receipt.none());
    }

    private void healthTick() {
        for (Supervised s : running.values()) {
            work.execute(s::check);
        }
    }

    /** Stops every server (graceful, then killed) and the timers. */
    @Override
    public void close() {
        closed = true;
        if (healthTask != null) {
            healthTask.cancel(false);
        }
        timer.shutdownNow();
        List<Supervised> all = List.copyOf(running.values());
        running.clear();
        all.parallelStream().forEach(Supervised::shutdown);
        work.shutdownNow();
    }

    /** One supervised upstream. All state changes happen under its monitor. */
    private final class Supervised {
        final UpstreamSpec spec;
        final LogRing logs = new LogRing(settings.logLines(), 4096);
        volatile State state = State.NEW;
        /** The connection to the running server; null while it is not running. */
        volatile @Nullable StdioMcpClient client;

        volatile JsonNode capabilities = F.objectNode();
        /** The last process started; null before the first start. */
        volatile @Nullable SandboxProcess process;
        /** When the last process started; null before the first start. */
        volatile @Nullable Instant startedAt;

        volatile String lastError = "";
        /** The upstream's egress proxy while one runs. */
        @Nullable
        EgressProxy egressProxy;

        volatile int restarts;
        int failures;
        long generation;
        final java.util.concurrent.atomic.AtomicBoolean relistPending = new java.util.concurrent.atomic.AtomicBoolean();
        /** URIs the gateway holds a subscription for on this server (renewed after each restart). */
        final Set<String> subscribed = ConcurrentHashMap.newKeySet();

        boolean stopping;

        Supervised(UpstreamSpec spec) {
            this.spec = spec;
        }

        /** Enters {@code next} and tells the observer when the state changed. */
        void moveTo(State next, String reason) {
            State previous = state;
            state = next;
            if (previous != next) {
                try {
                    observer.stateChanged(spec.name(), previous, next, reason);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "upstream observer failed", e);
                }
            }
        }

        void startNow() {
            long gen;
            synchronized (this) {
                if (stopping || closed) {
                    return;
                }
                gen = ++generation;
                moveTo(State.STARTING, "");
            }
            SandboxLauncher launcher = launchers.get(spec.kind());
            Optional<String> why = unavailable(spec.kind());
            if (launcher == null || why.isPresent()) {
                failed(gen, why.orElse("no launcher for " + spec.kind().id()), false);
                return;
            }
            String instance = spec.name() + "-" + Long.toString(System.currentTimeMillis(), 36) + "-" + gen;
            SandboxProcess p;
            try {
                p = launcher.launch(
                        new LaunchRequest(spec, instance, owner, stateDir.resolve(spec.name()), egressSocket()));
            } catch (IOException | RuntimeException e) {
                failed(gen, "cannot start: " + e.getMessage(), true);
                return;
            }
            logs.add("[atoll] started " + p.describe());
            StdioMcpClient c = new StdioMcpClient(
                    spec.name(),
                    p,
                    settings.maxLineBytes(),
                    settings.maxCallNotificationBytes(),
                    logs,
                    (method, params) -> onNotification(gen, method, params));
            synchronized (this) {
                if (stopping || gen != generation) {
                    c.close(Duration.ZERO);
                    return;
                }
                process = p;
                client = c;
            }
            var _ = p.onExit().whenComplete((code, e) -> exited(gen, code));
            try {
                JsonNode init = c.initialize(settings.startTimeout());
                capabilities = init.path("capabilities");
                observe(c, c.listTools(settings.startTimeout(), settings.maxTools()));
            } catch (UpstreamException | RegistryException e) {
                // Its last stderr lines usually say why (a missing module, a bad option, a missing key).
                List<String> stderr = e instanceof UpstreamException u && u.kind() == UpstreamException.Kind.DOWN
                        ? c.stderrTail(5, Duration.ofSeconds(1))
                        : List.of();
                String failure = "failed to start: " + e.getMessage()
                        + (stderr.isEmpty() ? "" : "; its last stderr lines: " + String.join(" | ", stderr));
                logs.add("[atoll] " + failure);
                lastError = failure;
                c.close(Duration.ZERO);
                return; // exited() schedules the restart
            }
            synchronized (this) {
                if (gen == generation && !stopping) {
                    moveTo(State.RUNNING, "");
                    startedAt = Instant.now();
                    lastError = "";
                }
            }
            // A restarted server forgot the gateway's subscriptions: renew them.
            for (String uri : subscribed) {
                c.requestAsync("resources/subscribe", F.objectNode().put("uri", uri), settings.callTimeout());
            }
        }

        /** Ends the gateway's subscription to a URI (without waiting for the server's answer). */
        void unsubscribe(String uri) {
            StdioMcpClient c = client;
            if (subscribed.remove(uri) && c != null && c.isAlive()) {
                c.requestAsync("resources/unsubscribe", F.objectNode().put("uri", uri), settings.callTimeout());
            }
        }

        /**
         * Records the tools and, as the pseudo-tool {@link UpstreamBackend#FEATURES}, the resources,
         * templates and prompts the server offers, so that they are pinned, pulled and approved with
         * its tools. A tool the server itself names so is dropped: it must not forge feature definitions.
         */
        private void observe(StdioMcpClient c, List<ObjectNode> reported) {
            List<ObjectNode> tools = new java.util.ArrayList<>();
            for (ObjectNode t : reported) {
                if (UpstreamBackend.FEATURES.equals(t.path("name").asText())) {
                    logs.add("[atoll] ignored a tool named " + UpstreamBackend.FEATURES + " (reserved by the gateway)");
                } else {
                    tools.add(t);
                }
            }
            features(c).ifPresent(tools::add);
            Upstreams.Observation o = store.observe(spec.name(), tools);
            try {
                observer.toolsObserved(spec.name(), o);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "upstream observer failed", e);
            }
            if (!o.pulled().isEmpty()) {
                String m = "tool definition(s) changed after approval, pulled from service: " + o.pulled();
                logs.add("[atoll] " + m);
                LOG.warning("upstream " + spec.name() + ": " + m);
            }
            if (!o.added().isEmpty()) {
                logs.add("[atoll] new tool(s), quarantined: " + o.added());
            }
            toolsChanged.run();
        }

        /** The server's resources, templates and prompts as one definition; empty if it offers none. */
        private Optional<ObjectNode> features(StdioMcpClient c) {
            JsonNode caps = capabilities;
            ObjectNode f = F.objectNode().put("name", UpstreamBackend.FEATURES);
            boolean any = false;
            if (caps.has("resources")) {
                any |= list(c, f, "resources/list", "resources");
                any |= list(c, f, "resources/templates/list", "resourceTemplates");
            }
            if (caps.has("prompts")) {
                any |= list(c, f, "prompts/list", "prompts");
            }
            return any ? Optional.of(f) : Optional.empty();
        }

        private boolean list(StdioMcpClient c, ObjectNode into, String method, String key) {
            List<ObjectNode> items;
            try {
                items = c.listAll(method, key, settings.startTimeout(), settings.maxTools());
            } catch (UpstreamException e) {
                if (e.kind() != UpstreamException.Kind.RPC_ERROR) {
                    throw e;
                }
                logs.add("[atoll] " + e.getMessage() + "; it offers no " + key);
                return false;
            }
            items.forEach(into.putArray(key)::add);
            return !items.isEmpty();
        }

        private void onNotification(long gen, String method, JsonNode params) {
            if (method.equals("notifications/resources/updated")) {
                // The host decides: only a URI the gateway subscribed to, from the current process.
                JsonNode uri = params.path("uri");
                if (gen == generation && uri.isTextual() && subscribed.contains(uri.textValue())) {
                    resourceUpdates.accept(spec.name(), uri.textValue());
                }
                return;
            }
            // Coalesced: a server that floods list_changed is re-listed at most every 200 ms.
            if (RELISTED.contains(method) && relistPending.compareAndSet(false, true)) {
                var _ = timer.schedule(
                        () -> work.execute(() -> {
                            relistPending.set(false);
                            StdioMcpClient c = client;
                            if (c == null || gen != generation) {
                                return;
                            }
                            try {
                                observe(c, c.listTools(settings.startTimeout(), settings.maxTools()));
                            } catch (UpstreamException | RegistryException e) {
                                logs.add("[atoll] re-listing tools after list_changed failed: " + e.getMessage());
                            }
                        }),
                        200,
                        TimeUnit.MILLISECONDS);
            }
        }

        private void exited(long gen, Integer code) {
            synchronized (this) {
                if (gen != generation || stopping || closed) {
                    return;
                }
                String why = "exited" + (code == null ? "" : " with code " + code);
                logs.add("[atoll] " + why);
                failed(gen, lastError.isEmpty() ? why : lastError + "; " + why, true);
            }
        }

        private synchronized void failed(long gen, String why, boolean retry) {
            if (gen != generation || stopping || closed) {
                return;
            }
            client = null;
            lastError = why;
            if (!retry) {
                moveTo(State.FAILED, why);
                logs.add("[atoll] " + why);
                return;
            }
            failures++;
            restarts++;
            long delay = Math.min(
                    settings.backoffMax().toMillis(), settings.backoffMin().toMillis() << Math.min(20, failures - 1));
            moveTo(State.RESTARTING, "in " + delay + " ms: " + why);
            logs.add("[atoll] restarting in " + delay + " ms (" + why + ")");
            try {
                var _ = timer.schedule(() -> work.execute(this::startNow), delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down
            }
        }

        void check() {
            StdioMcpClient c = client;
            Instant since = startedAt;
            if (c == null || state != State.RUNNING) {
                return;
            }
            long gen = generation;
            if (!settings.maxLifetime().isZero()
                    && since != null
                    && Duration.between(since, Instant.now()).compareTo(settings.maxLifetime()) > 0) {
                logs.add("[atoll] recycling after " + settings.maxLifetime().toMillis() + " ms");
                synchronized (this) {
                    if (gen != generation || stopping) {
                        return;
                    }
                    generation++; // the old process's exit is not a crash
                    moveTo(
                            State.RECYCLING,
                            "after its maximum lifetime of "
                                    + settings.maxLifetime().toMillis() + " ms");
                    client = null;
                }
                c.close(settings.stopGrace());
                startNow();
                return;
            }
            try {
                c.ping(settings.healthTimeout());
                synchronized (this) {
                    failures = 0;
                }
            } catch (UpstreamException e) {
                if (gen == generation && state == State.RUNNING) {
                    logs.add("[atoll] health check failed: " + e.getMessage() + "; killing it");
                    lastError = "health check failed: " + e.getMessage();
                    c.close(Duration.ZERO); // its exit schedules the restart
                }
            }
        }

        void shutdown() {
            StdioMcpClient c;
            EgressProxy proxy;
            synchronized (this) {
                stopping = true;
                generation++;
                moveTo(State.STOPPED, "");
                c = client;
                client = null;
                proxy = egressProxy;
                egressProxy = null;
            }
            if (c != null) {
                c.close(settings.stopGrace());
            } else if (process != null) {
                process.stop(settings.stopGrace());
            }
            if (proxy != null) {
                proxy.close();
            }
        }

        /** The upstream's egress proxy socket, the proxy started on first use; empty without allowed hosts. */
        private Optional<java.nio.file.Path> egressSocket() throws IOException {
            if (spec.allowHosts().isEmpty()) {
                return Optional.empty();
            }
            synchronized (this) {
                if (egressProxy == null) {
                    egressProxy = egress.start(
                            spec.name(),
                            egressDir.resolve(spec.name()).resolve("proxy.sock"),
                            spec.allowHosts(),
                            e -> logs.add("[egress] " + e.method() + " " + e.target() + " " + e.outcome()
                                    + (e.detail().isEmpty() ? "" : ": " + e.detail())));
                }
                return Optional.of(egressProxy.socket());
            }
        }
    }

    /** Names of supervised upstreams (for tests and status). */
    public Set<String> supervised() {
        return Set.copyOf(running.keySet());
    }
}
