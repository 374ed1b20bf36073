package dev.atoll.runtime.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import dev.atoll.runtime.AtollRuntimeException;
import dev.atoll.runtime.InvalidToolException;
import dev.atoll.runtime.Language;
import dev.atoll.runtime.Limits;
import dev.atoll.runtime.LogEntry;
import dev.atoll.runtime.Outcome;
import dev.atoll.runtime.Receipt;
import dev.atoll.runtime.RuntimeInfo;
import dev.atoll.runtime.ToolManifest;
import dev.atoll.runtime.ToolSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.jspecify.annotations.Nullable;

/**
 * The runtime's machinery behind {@code ToolRuntime}: loads tools, prepares guest sessions under the
 * watchdog, runs calls on guest threads and maps every way a call can end to an {@link Outcome}.
 */
public final class RuntimeCore implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RuntimeCore.class.getName());
    /** Extra time a caller waits past the wall limit before it gives up on a guest thread. */
    private static final Duration STUCK_GRACE = Duration.ofSeconds(5);
    /**
     * A cancelled call still running after this, having used {@link #UNSTOPPABLE_CPU} of CPU since its
     * cancellation, is answered without waiting for its thread (which is written off).
     */
    private static final Duration UNSTOPPABLE = Duration.ofSeconds(1);
    /**
     * CPU a cancelled guest must have burnt since its cancellation to count as not stopping: a guest
     * that is merely starved of CPU (low priority on a busy node) has not had the chance to stop.
     * Cancelling a Python busy loop takes about 300 ms of CPU on a quiet machine and more under load
     * (at 500 ms, slow cancellations under three concurrent test suites were written off as wedged).
     */
    private static final long UNSTOPPABLE_CPU = Duration.ofSeconds(1).toNanos();
    /**
     * A cancelled call still running after this counts as not stopping, whatever CPU it used (a guest
     * starved of CPU on a loaded node can take seconds to stop; a call is given up on at its wall
     * limit plus {@link #STUCK_GRACE} anyway).
     */
    private static final Duration UNSTOPPABLE_STALLED = Duration.ofSeconds(10);

    private static final Duration POLL = Duration.ofMillis(50);
    /** How long closing a context on a guest thread, after its caller was answered, may take. */
    private static final Duration CLOSE_LIMIT = Duration.ofSeconds(10);

    /** The JavaScript engine, started with the runtime. */
    private final GuestEngine engine;
    /**
     * Every started engine by language: the JavaScript one from the start, any other once the first
     * tool of its language is loaded (a GraalPy engine costs seconds to start).
     */
    private final Map<Language, GuestEngine> engines = new ConcurrentHashMap<>();

    private final Object startLock = new Object();
    private final Watchdog watchdog;
    private final GuestExecutor executor;
    /** Digests of tools whose calls had to be written off. */
    private final java.util.Set<String> culprits = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Schemas schemas = new Schemas();
    private final ObjectMapper mapper;
    private final Duration retryAfter;
    private final int allocationFactor;
    private final Source warmUpModule;
    private final List<Binding> bindings;
    /** Closes contexts used on callers' own threads, off their path. */
    private final java.util.concurrent.ExecutorService closer = java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("atoll-context-closer").daemon(true).unstarted(r));
    /** Completes results of low-priority threads at normal priority; started with the runtime. */
    private final java.util.concurrent.ThreadPoolExecutor handoff = new java.util.concurrent.ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new java.util.concurrent.LinkedBlockingQueue<>(),
            r -> Thread.ofPlatform().name("atoll-handoff").daemon(true).unstarted(r));

    private volatile boolean closed;
    /** Whether the background JIT warm-up has ended (true at once when there is none). */
    private volatile boolean warmedUp = true;

    /**
     * @param threads guest threads
     * @param queueCapacity calls that may wait for a guest thread
     * @param stackBytes guest thread stack size
     * @param tick watchdog period
     * @param heapGuardRatio heap fraction still used after a GC that triggers the heap guard
     * @param allocationFactor total allocation allowed per call, as a multiple of its memory limit
     * @param retryAfter retry hint returned with load shedding
     * @param bindings host bindings installed in every context
     */
    public RuntimeCore(
            int threads,
            int queueCapacity,
            long stackBytes,
            Duration tick,
            double heapGuardRatio,
            int allocationFactor,
            Duration retryAfter,
            List<Binding> bindings) {
        this(
                threads,
                queueCapacity,
                stackBytes,
                tick,
                heapGuardRatio,
                allocationFactor,
                retryAfter,
                bindings,
                threads,
                GuestEngine.DEFAULT_MAX_STRING_CHARS);
    }

    /**
     * @param threads guest threads
     * @param queueCapacity calls that may wait for a guest thread
     * @param stackBytes guest thread stack size
     * @param tick watchdog period
     * @param heapGuardRatio heap fraction still used after a GC that triggers the heap guard
     * @param allocationFactor total allocation allowed per call, as a multiple of its memory limit
     * @param retryAfter retry hint returned with load shedding
     * @param bindings host bindings installed in every context
     * @param abandonBudget most guest threads written off (and replaced) at once
     * @param maxStringChars longest string a JavaScript guest may create, in UTF-16 code units
     */
    public RuntimeCore(
            int threads,
            int queueCapacity,
            long stackBytes,
            Duration tick,
            double heapGuardRatio,
            int allocationFactor,
            Duration retryAfter,
            List<Binding> bindings,
            int abandonBudget,
            int maxStringChars) {
        this.allocationFactor = allocationFactor;
        this.bindings = List.copyOf(bindings);
        this.engine = new GuestEngine(Language.JS, maxStringChars);
        engines.put(Language.JS, engine);
        this.watchdog = new Watchdog(tick, heapGuardRatio);
        this.executor = new GuestExecutor(threads, queueCapacity, stackBytes, abandonBudget);
        handoff.prestartAllCoreThreads(); // from this (normal-priority) thread
        closer.execute(() -> {}); // the same: its thread starts now, not from a guest thread later
        this.retryAfter = retryAfter;
        this.mapper = JsonMapper.builder().build();
        mapper.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(1000)
                        .maxStringLength(Integer.MAX_VALUE)
                        .build());
        this.warmUpModule = engine.guest().warmUpModule();
        warmUp();
    }

    private static final ToolManifest WARM_UP_MANIFEST = new ToolManifest(
            "warmup",
            Optional.empty(),
            "",
            JsonMapper.builder().build().createObjectNode(),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            java.util.Map.of(),
            dev.atoll.runtime.LimitOverrides.none());

    /**
     * Initialises the engine once (language, realm template, bootstrap parse) so that this one-time
     * cost of about a second and tens of MB is not charged to the first tool's limits.
     */
    private void warmUp() {
        String name = engine.guest().displayName();
        try {
            executor.submit(() -> warmUpRounds(engine, warmUpModule)).get();
        } catch (ExecutionException e) {
            throw new AtollRuntimeException("the " + name + " engine does not start", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AtollRuntimeException("interrupted while starting the " + name + " engine");
        }
    }

    /** Runs the language's warm-up module its number of rounds, under its warm-up limits. */
    private Void warmUpRounds(GuestEngine guestEngine, Source module) {
        GuestLanguage guest = guestEngine.guest();
        for (int i = 0; i < guest.warmUpRounds(); i++) {
            warmUpOnce(guestEngine, module, guest.warmUpLimits());
        }
        return null;
    }

    private Void warmUpOnce() {
        return warmUpOnce(engine, warmUpModule, engine.guest().warmUpLimits());
    }

    private Void warmUpOnce(GuestEngine guestEngine, Source module, Limits generous) {
        long deadline = System.nanoTime() + generous.wall().toNanos();
        try (Watchdog.Monitor m = watchdog.watch(generous.cpu().toNanos(), generous.memoryBytes(), deadline);
                GuestSession s = GuestSession.open(guestEngine, module, generous, m, bindings)) {
            Settlement settled = s.run(
                    "{}", "{}", 4096, deadline, WARM_UP_MANIFEST, "warmup", dev.atoll.runtime.Invocation.tool(""));
            if (!(settled instanceof Settlement.Ok)) {
                throw new AtollRuntimeException("the warm-up script ended as " + settled);
            }
        }
        return null;
    }

    /** Whether the Python engine has been created (by the first Python tool loaded). */
    public boolean pythonStarted() {
        return engines.containsKey(Language.PYTHON);
    }

    /**
     * The engine of a language, started and warmed up on first use: the first GraalPy context costs
     * seconds, so a runtime that never loads a Python tool never pays it.
     */
    GuestEngine engineFor(GuestLanguage guest) {
        GuestEngine started = engines.get(guest.language());
        if (started != null) {
            return started;
        }
        synchronized (startLock) {
            started = engines.get(guest.language());
            if (started != null) {
                return started;
            }
            if (closed) {
                throw new AtollRuntimeException("the runtime is closed");
            }
            String name = guest.displayName();
            GuestEngine created;
            try {
                created = new GuestEngine(guest.language());
            } catch (RuntimeException e) {
                throw new AtollRuntimeException("the " + name + " engine does not start: " + e.getMessage(), e);
            }
            Source module = guest.warmUpModule();
            try {
                executor.submit(GuestExecutor.Lane.SETUP, () -> warmUpRounds(created, module))
                        .get();
            } catch (ExecutionException e) {
                created.close();
                throw new AtollRuntimeException("the " + name + " engine does not start", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                created.close();
                throw new AtollRuntimeException("interrupted while starting the " + name + " engine");
            } catch (RejectedExecutionException e) {
                created.close();
                throw new AtollRuntimeException("the node is at capacity; retry loading the tool later");
            }
            engines.put(guest.language(), created);
            return created;
        }
    }

    /**
     * Keeps running the warm-up script on one low-priority background thread for {@code duration}, so
     * that the JIT compiles the context-creation path before real traffic pays for it (a node's first
     * minute of cold calls otherwise costs several times the steady state; docs/benchmarks.md).
     *
     * @param duration how long to keep warming up; zero does nothing
     */
    public void warmUpInBackground(Duration duration) {
        if (duration.isZero() || duration.isNegative()) {
            return;
        }
        warmedUp = false;
        Thread.ofPlatform()
                .name("atoll-jit-warmup")
                .daemon(true)
                .priority(Thread.MIN_PRIORITY)
                .start(() -> {
                    long end = System.nanoTime() + duration.toNanos();
                    int runs = 0;
                    try {
                        while (System.nanoTime() - end < 0 && !closed) {
                            warmUpOnce();
                            runs++;
                        }
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "background warm-up stopped after " + runs + " runs", e);
                        return;
                    } finally {
                        warmedUp = true; // ended, whether done or failed: a failed warm-up must not block readiness
                    }
                    LOG.fine("background warm-up done: " + runs + " runs");
                });
    }

    /** Whether the background JIT warm-up has ended (or there is none). */
    public boolean warmedUp() {
        return warmedUp;
    }

    /** Which runtime runs guest code. */
    public RuntimeInfo info() {
        return engine.info();
    }

    /** Jackson mapper configured for guest JSON. */
    public ObjectMapper mapper() {
        return mapper;
    }

    /**
     * The limits a module of {@code language} is evaluated under when its tool is loaded.
     *
     * @param language the tool's language
     * @param defaults the runtime's default limits
     * @param maxima the operator maxima
     * @return the loading limits
     */
    public Limits loadLimits(Language language, Limits defaults, Limits maxima) {
        return GuestLanguage.of(language).loadLimits(defaults, maxima);
    }

    /**
     * Loads a tool: evaluates its module once in a throwaway context on a guest thread, under
     * {@code limits}, reads and checks the manifest and compiles its schemas.
     *
     * @param source the tool file
     * @param limits limits for the evaluation
     * @return the compiled tool
     * @throws InvalidToolException if the tool does not load, with the reason
     * @throws AtollRuntimeException if the node has no capacity to load it now
     */
    public CompiledTool load(ToolSource source, Limits limits) {
        GuestLanguage guest = GuestLanguage.of(source.language());
        GuestEngine guestEngine = engineFor(guest);
        Source module = guest.module(source);
        // The manifest is read from the source text on the host (JS) or by GraalPy's parser in a
        // context that runs none of the tool's code (Python), before the module is evaluated; the
        // evaluated module must export exactly the same value (issue #18, W1).
        // A literal that does not parse on the host is reported after the evaluation, whose errors (a
        // syntax error, a throwing module) say more.
        Optional<JsonNode> hostLiteral = Optional.empty();
        InvalidToolException notLiteral = null;
        try {
            hostLiteral = guest.hostLiteral(source.code());
        } catch (InvalidToolException e) {
            notLiteral = e;
        }
        CompletableFuture<String[]> manifest = new CompletableFuture<>();
        AtomicReference<Watchdog.Monitor> watched = new AtomicReference<>();
        Future<?> task;
        try {
            task = executor.submit(GuestExecutor.Lane.SETUP, () -> {
                try {
                    manifest.complete(readManifest(guestEngine, module, source.code(), limits, watched));
                } catch (RuntimeException | Error e) {
                    manifest.completeExceptionally(e);
                }
                return null;
            });
        } catch (RejectedExecutionException e) {
            throw new AtollRuntimeException("the node is at capacity; retry loading the tool later");
        }
        String[] read = awaitLoad(task, manifest, watched, limits, source);
        if (notLiteral != null) {
            throw notLiteral;
        }
        JsonNode literal;
        JsonNode evaluated;
        try {
            literal = hostLiteral.isPresent() ? hostLiteral.get() : mapper.readTree(read[0]);
            evaluated = mapper.readTree(read[1]);
        } catch (JsonProcessingException e) {
            throw new InvalidToolException("the tool manifest is not JSON: " + e.getOriginalMessage());
        }
        ToolManifest m = ManifestParser.parse(literal);
        if (!ManifestLiteral.same(literal, evaluated)) {
            throw InvalidToolException.manifestMismatch("the module's evaluated " + guest.manifestExport()
                    + " differs from the manifest literal in its source: a manifest must not be computed or"
                    + " changed while the module loads");
        }
        Schema input = schemas.compile("inputSchema", m.inputSchema());
        Optional<Schema> output = m.outputSchema().map(s -> schemas.compile("outputSchema", s));
        ObjectNode env = mapper.createObjectNode();
        env.putObject("tool").put("name", m.name()).put("digest", source.codeDigest());
        ObjectNode secrets = env.putObject("secrets");
        m.secrets().keySet().forEach(k -> secrets.put(k, "atoll-secret:" + k));
        return new CompiledTool(
                guestEngine, module, m, input, output, env.toString(), source.codeDigest(), new Standing());
    }

    /**
     * On a guest thread: the manifest literal read in a guest context (element 0, JSON; {@code "null"}
     * when it was read on the host) and the manifest the evaluated module exports (element 1, JSON).
     */
    private String[] readManifest(
            GuestEngine guestEngine,
            Source module,
            String code,
            Limits limits,
            AtomicReference<Watchdog.Monitor> watched) {
        Watchdog.Monitor monitor =
                watch(limits, System.nanoTime() + limits.wall().toNanos());
        watched.set(monitor);
        GuestLanguage guest = guestEngine.guest();
        try (monitor) {
            String literal = guest.guestLiteral(guestEngine, code, module.getName(), monitor);
            try (GuestSession s = GuestSession.open(guestEngine, module, limits, monitor, bindings)) {
                if (!s.hasEntryPoint()) {
                    throw new InvalidToolException(guest.noEntryPointMessage());
                }
                return new String[] {literal, s.manifestJson()};
            }
        } catch (InvalidToolException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            Outcome o = failure(e, monitor, limits, Phase.LOAD, module.getName());
            throw new InvalidToolException(
                    switch (o) {
                        case Outcome.InvalidTool t -> t.message();
                        default -> "loading the module failed: " + o.message();
                    });
        }
    }

    /**
     * Waits for the evaluation of a module being loaded. A module whose top level does not stop when
     * cancelled has its thread written off (as a call's would be) and fails to load.
     */
    private String[] awaitLoad(
            Future<?> task,
            CompletableFuture<String[]> result,
            AtomicReference<Watchdog.Monitor> watched,
            Limits limits,
            ToolSource source) {
        Waited<String[]> w;
        try {
            w = waitFor(task, result, watched, limits.wall());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AtollRuntimeException("loading the tool failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            task.cancel(true);
            throw new AtollRuntimeException("interrupted while loading the tool");
        }
        return switch (w) {
            case Waited.Done<String[]> d -> d.value();
            case Waited.Unstoppable<String[]> u -> {
                writeOff(u.monitor(), source.codeDigest(), source.fileName());
                throw new InvalidToolException("evaluating the module ran past its "
                        + violation(u.monitor().violation().orElseThrow(), limits)
                                .kind()
                                .wireName()
                        + " limit and did not stop when cancelled (its thread was written off)");
            }
            case Waited.Stuck<String[]> st -> {
                st.monitor().ifPresent(m -> writeOff(m, source.codeDigest(), source.fileName()));
                throw new AtollRuntimeException("loading the tool did not finish in time");
            }
            case Waited.Closed<String[]> c -> throw new AtollRuntimeException("the runtime is closed");
            case Waited.Queued<String[]> q ->
                throw new AtollRuntimeException(
                        "no guest thread became free to load" + " the tool within its wall limit ("
                                + limits.wall().toMillis() + " ms); the node is busy, try again");
        };
    }

    /** How waiting for a task on a guest thread ended. */
    private sealed interface Waited<T> {
        /** The task delivered its result. */
        record Done<T>(T value) implements Waited<T> {}

        /**
         * Its guest was cancelled more than {@link #UNSTOPPABLE} ago and still burns CPU, or more than
         * {@link #UNSTOPPABLE_STALLED} ago, or it was cancelled and still runs {@link #STUCK_GRACE} past
         * its wall limit.
         */
        record Unstoppable<T>(Watchdog.Monitor monitor) implements Waited<T> {}

        /** Still running past the wall limit and the grace, uncancelled (the task was interrupted). */
        record Stuck<T>(Optional<Watchdog.Monitor> monitor) implements Waited<T> {}

        /** Still queued when its wall limit had passed: taken off the queue unrun. */
        record Queued<T>() implements Waited<T> {}

        /** The task was dropped unrun: the runtime is closing. */
        record Closed<T>() implements Waited<T> {}
    }

    /**
     * Waits for {@code result} of {@code task} on a guest thread, but not for a guest that does not
     * stop: once its cancellation is {@link #UNSTOPPABLE} old, or {@code limit} plus {@link #STUCK_GRACE}
     * after the task started (the watchdog's own wall clock starts there too), the caller is answered
     * and decides (usually: {@link #writeOff}). A task still queued {@code limit} after it was submitted
     * is taken off the queue unrun ({@link Waited.Queued}): no guest thread became free for it.
     */
    private static <T> Waited<T> waitFor(
            Future<?> task, CompletableFuture<T> result, AtomicReference<Watchdog.Monitor> watched, Duration limit)
            throws ExecutionException, InterruptedException {
        long submitted = System.nanoTime();
        long started = 0;
        while (true) {
            try {
                return new Waited.Done<>(result.get(POLL.toNanos(), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                Watchdog.Monitor m = watched.get();
                long now = System.nanoTime();
                if (m == null) {
                    if (task.isCancelled()) {
                        return new Waited.Closed<>();
                    }
                    if (now - submitted - limit.toNanos() > 0 && task.cancel(false)) {
                        return new Waited.Queued<>();
                    }
                    continue; // not started yet, or starting now (the monitor is its first step)
                }
                if (started == 0) {
                    started = now;
                }
                if (m.sinceCancelled()
                        .filter(d -> d.compareTo(UNSTOPPABLE) > 0
                                && (m.cpuSinceCancelledNanos() >= UNSTOPPABLE_CPU
                                        || d.compareTo(UNSTOPPABLE_STALLED) > 0))
                        .isPresent()) {
                    return new Waited.Unstoppable<>(m);
                }
                if (now - started - limit.plus(STUCK_GRACE).toNanos() > 0) {
                    if (m.violation().isPresent()) {
                        return new Waited.Unstoppable<>(m); // cancelled at a limit and still not stopped
                    }
                    task.cancel(true);
                    return new Waited.Stuck<>(Optional.of(m));
                }
            }
        }
    }

    /**
     * Validates arguments against the tool's input schema.
     *
     * @param tool the tool
     * @param args the arguments
     * @return the violation, or empty when valid
     */
    public Optional<Outcome> checkArguments(CompiledTool tool, JsonNode args) {
        List<String> errors = schemas.validate(tool.input(), args);
        if (errors.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Outcome.InvalidArguments("the arguments do not match the tool's inputSchema", errors));
    }

    /**
     * Creates a context for one call of {@code tool} and evaluates the module in it, under the call's
     * limits, on a set-up thread (in the low-priority lane if the tool is on probation); the calling
     * thread waits. A module whose evaluation does not stop when cancelled has its thread written off
     * (as a call's would be), so it pins neither that thread nor the caller.
     *
     * @param tool the tool
     * @param limits the call's limits
     * @return the prepared session, or the outcome that preparing it ended in
     */
    public Prepared prepare(CompiledTool tool, Limits limits) {
        if (suspendedHere(tool)) {
            return new Prepared.Failed(suspendedOutcome(), Receipt.none(), false);
        }
        long start = System.nanoTime();
        CompletableFuture<Prepared> result = new CompletableFuture<>();
        AtomicReference<Watchdog.Monitor> watched = new AtomicReference<>();
        Future<?> task;
        try {
            task = executor.submit(
                    tool.standing().onProbation() ? GuestExecutor.Lane.PROBATION : GuestExecutor.Lane.SETUP, () -> {
                        try {
                            deliver(result, prepareHere(tool, limits, watched));
                        } catch (RuntimeException | Error e) {
                            result.completeExceptionally(e);
                        }
                        return null;
                    });
        } catch (RejectedExecutionException e) {
            return new Prepared.Failed(new Outcome.LoadShed(retryAfter), Receipt.none(), false);
        }
        Waited<Prepared> w;
        try {
            w = waitFor(task, result, watched, limits.wall());
        } catch (ExecutionException e) {
            LOG.log(Level.SEVERE, "preparing a context failed outside its own error handling", e.getCause());
            return new Prepared.Failed(
                    new Outcome.InternalError("preparing the context failed inside Atoll"), Receipt.none(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            task.cancel(true);
            var _ = result.thenAccept(RuntimeCore::discard);
            return new Prepared.Failed(new Outcome.InternalError("the caller was interrupted"), Receipt.none(), false);
        }
        Prepared p = switch (w) {
            case Waited.Done<Prepared> d -> d.value();
            case Waited.Unstoppable<Prepared> u -> {
                writeOff(u.monitor(), tool.digest(), tool.manifest().name());
                yield new Prepared.Failed(
                        unstoppable(u.monitor(), limits, start).outcome(), Receipt.none(), true);
            }
            case Waited.Stuck<Prepared> st -> {
                st.monitor()
                        .ifPresent(
                                m -> writeOff(m, tool.digest(), tool.manifest().name()));
                yield new Prepared.Failed(
                        new Outcome.InternalError("preparing the context did not stop in time"),
                        Receipt.none(),
                        st.monitor().isPresent());
            }
            case Waited.Closed<Prepared> c ->
                new Prepared.Failed(new Outcome.InternalError("the runtime is shutting down"), Receipt.none(), false);
            case Waited.Queued<Prepared> q ->
                new Prepared.Failed(new Outcome.LoadShed(retryAfter), Receipt.none(), false);
        };
        if (!(w instanceof Waited.Done<Prepared>)) {
            var _ = result.thenAccept(RuntimeCore::discard); // a session that arrives after all is closed
        }
        if (p instanceof Prepared.Failed f) {
            tool.standing().record(f.outcome(), f.abandoned());
        }
        return p;
    }

    /**
     * Completes {@code f} with {@code value}. On a low-priority thread the completion is handed to a
     * normal-priority thread: completing wakes the waiting caller, and waking a virtual thread can
     * make its scheduler start a carrier thread from the completing thread, which would inherit its
     * low OS priority for good.
     */
    private <T> void deliver(CompletableFuture<T> f, T value) {
        if (executor.onLowPriorityThread()) {
            try {
                handoff.execute(() -> f.complete(value));
                return;
            } catch (RejectedExecutionException e) {
                // closing: complete here
            }
        }
        f.complete(value);
    }

    private static void discard(Prepared p) {
        if (p instanceof Prepared.Ready r) {
            r.session().close();
        }
    }

    /** On a set-up thread: creates the context and evaluates the module. */
    private Prepared prepareHere(CompiledTool tool, Limits limits, AtomicReference<Watchdog.Monitor> watched) {
        long start = System.nanoTime();
        Watchdog.Monitor monitor = watch(limits, start + limits.wall().toNanos());
        watched.set(monitor);
        try (monitor) {
            GuestSession s = GuestSession.open(tool.engine(), tool.module(), limits, monitor, bindings);
            if (monitor.violation().isPresent()) {
                s.close();
                return new Prepared.Failed(
                        violation(monitor.violation().get(), limits), receipt(monitor, start, 0), false);
            }
            return new Prepared.Ready(s, Duration.ofNanos(System.nanoTime() - start));
        } catch (RuntimeException | Error e) {
            return new Prepared.Failed(
                    failure(e, monitor, limits, Phase.PREPARE, tool.module().getName()),
                    receipt(monitor, start, 0),
                    false);
        }
    }

    private Watchdog.Monitor watch(Limits limits, long deadline) {
        long allocation = limits.memoryBytes() > Long.MAX_VALUE / allocationFactor
                ? Long.MAX_VALUE
                : limits.memoryBytes() * allocationFactor;
        return watchdog.watch(limits.cpu().toNanos(), allocation, deadline);
    }

    /** A session prepared ahead of its call, or the outcome preparing it ended in. */
    public sealed interface Prepared {
        /**
         * @param session the session
         * @param elapsed time spent creating it
         */
        record Ready(GuestSession session, Duration elapsed) implements Prepared {}

        /**
         * @param outcome what went wrong
         * @param receipt what preparing consumed
         * @param abandoned whether the module's evaluation did not stop when cancelled and its thread
         *     was written off (or would have been, had the budget not been spent)
         */
        record Failed(Outcome outcome, Receipt receipt, boolean abandoned) implements Prepared {}
    }

    /**
     * What a finished call hands back from its guest thread.
     *
     * @param outcome how it ended
     * @param logs its console messages
     * @param receipt what it used
     * @param abandoned whether its guest did not stop when cancelled and its thread was written off
     *     (or would have been, had the budget not been spent)
     * @param queueWait how long the call waited for a guest thread, from its hand-off to the start on
     *     one; empty when it never started on one (ran on the caller's thread, or was shed)
     */
    public record Finished(
            Outcome outcome, List<LogEntry> logs, Receipt receipt, boolean abandoned, Optional<Duration> queueWait) {
        /** A call whose thread was not written off. */
        public Finished(Outcome outcome, List<LogEntry> logs, Receipt receipt) {
            this(outcome, logs, receipt, false);
        }

        /** A call without a guest-thread wait. */
        public Finished(Outcome outcome, List<LogEntry> logs, Receipt receipt, boolean abandoned) {
            this(outcome, logs, receipt, abandoned, Optional.empty());
        }

        /** This call, having waited {@code waited} for its guest thread. */
        Finished waited(Duration waited) {
            return new Finished(outcome, logs, receipt, abandoned, Optional.of(waited));
        }
    }

    /**
     * Runs one call on a guest thread: in {@code session} if given (prepared earlier), else in a
     * context created on the guest thread. Returns when the call has ended, however it ended.
     *
     * @param tool the tool
     * @param limits the call's limits
     * @param session a prepared session to use (and close), or empty for a cold call
     * @param args the arguments (already validated)
     * @param inv what runs and for whom (entry, tenant, attachments for the bindings)
     * @return the result
     */
    public Finished call(
            CompiledTool tool,
            Limits limits,
            Optional<GuestSession> session,
            JsonNode args,
            dev.atoll.runtime.Invocation inv) {
        Finished f = callOnLane(tool, limits, session, args, inv);
        tool.standing().record(f.outcome(), f.abandoned());
        return f;
    }

    private boolean suspendedHere(CompiledTool tool) {
        return culprits.contains(tool.digest()) && executor.abandonedNow() >= executor.abandonBudget();
    }

    private Outcome suspendedOutcome() {
        return new Outcome.InvalidTool("the tool is suspended on this node: its calls did not"
                + " stop when cancelled and the node's budget of written-off guest threads ("
                + executor.abandonBudget() + ") is spent");
    }

    private Finished callOnLane(
            CompiledTool tool,
            Limits limits,
            Optional<GuestSession> session,
            JsonNode args,
            dev.atoll.runtime.Invocation inv) {
        if (suspendedHere(tool)) {
            session.ifPresent(GuestSession::close);
            return new Finished(suspendedOutcome(), List.of(), Receipt.none());
        }
        String argsJson = args.toString();
        AtomicReference<Watchdog.Monitor> watched = new AtomicReference<>();
        long start = System.nanoTime();
        CompletableFuture<Finished> f = new CompletableFuture<>();
        Future<?> task;
        GuestExecutor.Lane lane =
                tool.standing().onProbation() ? GuestExecutor.Lane.PROBATION : GuestExecutor.Lane.NORMAL;
        long submitted = System.nanoTime();
        java.util.concurrent.atomic.AtomicLong began = new java.util.concurrent.atomic.AtomicLong(-1);
        try {
            task = executor.submit(lane, () -> {
                began.set(Math.max(0, System.nanoTime() - submitted)); // the wait for this guest thread
                try {
                    runOnGuestThread(tool, limits, session, argsJson, inv, watched, f);
                } catch (RuntimeException | Error e) {
                    f.completeExceptionally(e);
                    throw e;
                }
                return null;
            });
        } catch (RejectedExecutionException e) {
            session.ifPresent(GuestSession::close);
            return new Finished(new Outcome.LoadShed(retryAfter), List.of(), Receipt.none());
        }
        Waited<Finished> w;
        try {
            w = waitFor(task, f, watched, limits.wall());
        } catch (ExecutionException e) {
            LOG.log(Level.SEVERE, "guest task failed outside its own error handling", e.getCause());
            return new Finished(new Outcome.InternalError("the call failed inside Atoll"), List.of(), Receipt.none());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            task.cancel(true);
            return new Finished(new Outcome.InternalError("the caller was interrupted"), List.of(), Receipt.none());
        }
        Finished out = switch (w) {
            case Waited.Done<Finished> d -> d.value();
            case Waited.Unstoppable<Finished> u -> {
                writeOff(u.monitor(), tool.digest(), tool.manifest().name());
                yield unstoppable(u.monitor(), limits, start);
            }
            case Waited.Stuck<Finished> st -> {
                LOG.severe("a guest thread did not stop within " + STUCK_GRACE + " past its wall limit");
                st.monitor()
                        .ifPresent(
                                m -> writeOff(m, tool.digest(), tool.manifest().name()));
                yield new Finished(
                        new Outcome.InternalError("the call did not stop in time"),
                        List.of(),
                        Receipt.none(),
                        st.monitor().isPresent());
            }
            case Waited.Closed<Finished> c -> {
                session.ifPresent(GuestSession::close);
                yield new Finished(
                        new Outcome.InternalError("the call was cancelled: the runtime is shutting down"),
                        List.of(),
                        Receipt.none());
            }
            case Waited.Queued<Finished> q -> {
                // No guest thread became free within the call's wall limit: shed, as a full queue is.
                session.ifPresent(GuestSession::close);
                yield new Finished(new Outcome.LoadShed(retryAfter), List.of(), Receipt.none());
            }
        };
        long waited = began.get();
        return waited < 0 ? out : out.waited(Duration.ofNanos(waited));
    }

    /**
     * Runs one call in a prepared session on the calling platform thread (no handoff to a guest
     * thread); returns when the call has ended. The calling thread's stack bounds the guest's
     * recursion, and a guest that never takes its cancellation keeps the caller until it does.
     *
     * @param tool the tool
     * @param limits the call's limits
     * @param session the prepared session (used and closed)
     * @param args the arguments (already validated)
     * @param inv what runs and for whom (entry, tenant, attachments for the bindings)
     * @return the result
     */
    public Finished callOnThisThread(
            CompiledTool tool, Limits limits, GuestSession session, JsonNode args, dev.atoll.runtime.Invocation inv) {
        if (tool.standing().onProbation() || culprits.contains(tool.digest())) {
            // A tool on probation runs at low priority on a guest thread, which can be written off: it
            // never gets a caller's thread.
            return call(tool, limits, Optional.of(session), args, inv);
        }
        CompletableFuture<Finished> result = new CompletableFuture<>();
        // The caller's thread is the caller's: the context is closed on a background thread instead.
        runOnThisThread(
                tool,
                limits,
                Optional.of(session),
                args.toString(),
                inv,
                new AtomicReference<>(),
                result,
                s -> closer.execute(s::close));
        Finished f = result.join();
        tool.standing().record(f.outcome(), f.abandoned());
        return f;
    }

    /**
     * Answers the caller of a call that was cancelled but has not stopped. Truffle cannot always land a
     * cancellation in a guest that keeps catching stack overflow and recursing again (its safepoints
     * all run at the stack limit, where the cancellation itself overflows); the guest thread stays
     * busy until a later request lands. The caller is not kept waiting for that.
     */
    private Finished unstoppable(Watchdog.Monitor m, Limits limits, long start) {
        LOG.severe("a cancelled call is still running "
                + m.sinceCancelled().map(Duration::toMillis).orElse(0L)
                + " ms after its cancellation; answering its caller now, its guest thread stays busy until the"
                + " cancellation lands");
        long[] usage = m.usageFromOutside();
        return new Finished(
                violation(m.violation().orElseThrow(), limits),
                List.of(),
                new Receipt(Duration.ofNanos(usage[0]), Duration.ofNanos(System.nanoTime() - start), usage[1], 0),
                true);
    }

    /**
     * Writes off the guest thread of a call that did not stop: a new thread replaces it at once, so a
     * guest that ignores cancellation cannot pin the node's capacity. Past the budget the node says
     * so loudly and refuses further calls of the tools that caused it (see {@link #call}).
     */
    private void writeOff(Watchdog.Monitor m, String digest, String name) {
        culprits.add(digest);
        if (executor.abandon(m.thread())) {
            LOG.severe("wrote off guest thread " + m.thread().getName() + " (tool " + name
                    + " " + digest + "): its guest did not stop when cancelled; a new thread replaces it and the"
                    + " written-off one runs at the lowest OS priority until it stops ("
                    + executor.abandonedNow() + " of " + executor.abandonBudget() + " written off now)");
        } else {
            LOG.severe("the budget of written-off guest threads (" + executor.abandonBudget() + ") is spent:"
                    + " guest thread " + m.thread().getName() + " stays busy with tool " + name
                    + " " + digest + " and the node runs with less capacity until one returns; calls of the"
                    + " tools that caused it are refused meanwhile");
        }
    }

    /** Guest threads: configured, written off now, written off since start, returned since start. */
    public GuestThreads guestThreads() {
        return new GuestThreads(
                executor.threads(),
                executor.abandonBudget(),
                executor.abandonedNow(),
                executor.abandonedTotal(),
                executor.returnedTotal());
    }

    /**
     * A snapshot of the guest threads.
     *
     * @param threads configured serving capacity
     * @param abandonBudget most threads written off at once
     * @param abandonedNow written off and still running a guest that did not stop
     * @param abandonedTotal written off since start
     * @param returnedTotal written-off threads whose guest stopped later
     */
    public record GuestThreads(
            int threads, int abandonBudget, int abandonedNow, long abandonedTotal, long returnedTotal) {}

    private void runOnGuestThread(
            CompiledTool tool,
            Limits limits,
            Optional<GuestSession> prepared,
            String argsJson,
            dev.atoll.runtime.Invocation inv,
            AtomicReference<Watchdog.Monitor> watched,
            CompletableFuture<Finished> result) {
        runOnThisThread(tool, limits, prepared, argsJson, inv, watched, result, s -> closeWatched(s, tool));
    }

    /**
     * Closes a call's context on its guest thread after the caller was answered, watched: no one waits
     * for the thread any more, so a close that does not return (once seen in a full suite: the only
     * guest thread of a runtime stayed busy after its call was answered, and every later call was
     * shed) would pin it for good. Past {@link #CLOSE_LIMIT} the thread is written off like a guest
     * that ignores its cancellation, and a new one takes its place.
     */
    private void closeWatched(GuestSession session, CompiledTool tool) {
        Thread me = Thread.currentThread();
        try (Watchdog.Step step =
                watchdog.watchStep(System.nanoTime() + CLOSE_LIMIT.toNanos(), () -> closeOverran(me, tool))) {
            session.close();
        }
    }

    private void closeOverran(Thread thread, CompiledTool tool) {
        if (executor.abandon(thread)) {
            LOG.severe("closing a context of tool " + tool.manifest().name() + " " + tool.digest()
                    + " took more than " + CLOSE_LIMIT.toSeconds() + " s after its caller was answered: wrote off"
                    + " guest thread " + thread.getName() + "; a new thread replaces it ("
                    + executor.abandonedNow() + " of " + executor.abandonBudget() + " written off now)");
        } else {
            LOG.severe("closing a context of tool " + tool.manifest().name() + " " + tool.digest()
                    + " took more than " + CLOSE_LIMIT.toSeconds() + " s and the budget of written-off guest"
                    + " threads (" + executor.abandonBudget() + ") is spent: guest thread " + thread.getName()
                    + " stays busy until the close returns");
        }
    }

    private void runOnThisThread(
            CompiledTool tool,
            Limits limits,
            Optional<GuestSession> prepared,
            String argsJson,
            dev.atoll.runtime.Invocation inv,
            AtomicReference<Watchdog.Monitor> watched,
            CompletableFuture<Finished> result,
            java.util.function.Consumer<GuestSession> closer) {
        long start = System.nanoTime();
        long deadline = start + limits.wall().toNanos();
        Watchdog.Monitor monitor = watch(limits, deadline);
        watched.set(monitor);
        GuestSession session = prepared.orElse(null);
        Phase phase = Phase.PREPARE;
        Outcome outcome;
        try {
            if (session == null) {
                session = GuestSession.open(tool.engine(), tool.module(), limits, monitor, bindings);
            } else {
                session.watchedBy(monitor);
            }
            phase = Phase.CALL;
            Settlement s = session.run(
                    argsJson, tool.envJson(), limits.outputBytes(), deadline, tool.manifest(), tool.digest(), inv);
            // A tool that failed once its deadline had passed failed because of it (host work such as a
            // fetch is aborted at the deadline, and the tool sees that as an error), even when the
            // watchdog had not looked yet: that is wall_exceeded, whichever noticed first.
            outcome = monitor.violation().isPresent()
                    ? violation(monitor.violation().get(), limits)
                    : s instanceof Settlement.Error && System.nanoTime() - deadline >= 0
                            ? violation(Violation.WALL, limits)
                            : settle(s, tool, limits, inv.entry());
        } catch (RuntimeException | Error e) {
            outcome = failure(e, monitor, limits, phase, tool.module().getName());
        } finally {
            monitor.close();
            if (monitor.violation().isPresent()) {
                // The cancel interrupts the threads in the context; one that lands as the guest leaves
                // stays pending on this thread (a guest thread, or the caller's own) and would break its
                // next wait.
                Thread.interrupted();
            }
        }
        List<LogEntry> logs = session == null ? List.of() : session.logs();
        int dropped = session == null ? 0 : session.droppedLogs();
        List<dev.atoll.runtime.EgressRecord> egress = session == null ? List.of() : session.egress();
        // Answer first, then close: closing a context costs tens of microseconds the caller need not wait for.
        deliver(result, new Finished(outcome, logs, receipt(monitor, start, dropped, egress)));
        if (session != null) {
            closer.accept(session);
        }
    }

    private static Receipt receipt(Watchdog.Monitor monitor, long start, int dropped) {
        return receipt(monitor, start, dropped, List.of());
    }

    private static Receipt receipt(
            Watchdog.Monitor monitor, long start, int dropped, List<dev.atoll.runtime.EgressRecord> egress) {
        return new Receipt(
                Duration.ofNanos(monitor.cpuUsedNanos()),
                Duration.ofNanos(System.nanoTime() - start),
                monitor.allocatedBytes(),
                dropped,
                egress);
    }

    private Outcome settle(Settlement s, CompiledTool tool, Limits limits, dev.atoll.runtime.Entry entry) {
        String file = tool.module().getName();
        return switch (s) {
            case Settlement.Ok ok -> result(ok.json(), tool, limits, entry);
            case Settlement.Error error -> {
                ErrorInfo e = errorInfo(error.json());
                yield new Outcome.ToolError(e.message, toolFrames(e.stack, file));
            }
            case Settlement.BadOutput bad ->
                new Outcome.InvalidOutput("the result is not JSON", List.of(errorInfo(bad.json()).message));
            // "string_limit": JSON.stringify of the result hit the engine's string bound, so the JSON
            // is longer than that many characters (each at least one UTF-8 byte).
            case Settlement.TooLarge large ->
                new Outcome.OutputTooLarge(tooLargeSize(large.size(), limits), limits.outputBytes());
            case Settlement.Never never ->
                new Outcome.ToolError(
                        "the tool's promise never settled, and nothing was" + " pending that could settle it",
                        List.of());
            case Settlement.Deadline deadline -> new Outcome.WallExceeded(limits.wall());
            case Settlement.Stopped stopped ->
                new Outcome.InternalError("the call was stopped without a recorded limit");
            case Settlement.Unrecognised u -> new Outcome.InternalError("unknown settlement " + u.kind());
        };
    }

    /**
     * The size a {@code too_large} settlement reports. The host decides: a payload that is not a
     * non-negative count (the settlement crossed from the guest's side) reads as just past the limit.
     */
    private long tooLargeSize(String payload, Limits limits) {
        if (payload.equals("string_limit")) {
            // JSON.stringify of the result hit the engine's string bound, so the JSON is longer than
            // that many characters (each at least one UTF-8 byte).
            return engine.maxStringChars();
        }
        try {
            long n = Long.parseLong(payload);
            return n > limits.outputBytes() ? n : limits.outputBytes() + 1;
        } catch (NumberFormatException e) {
            return limits.outputBytes() + 1;
        }
    }

    private Outcome result(String json, CompiledTool tool, Limits limits, dev.atoll.runtime.Entry entry) {
        long bytes = utf8Length(json);
        if (bytes > limits.outputBytes()) {
            return new Outcome.OutputTooLarge(bytes, limits.outputBytes());
        }
        JsonNode value;
        try {
            value = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            return new Outcome.InvalidOutput("the result is not JSON Atoll can read", List.of(e.getOriginalMessage()));
        }
        // Only the tool's own result has an output schema; what the other entries return the host checks.
        if (entry == dev.atoll.runtime.Entry.TOOL && tool.output().isPresent()) {
            List<String> errors = schemas.validate(tool.output().get(), value);
            if (!errors.isEmpty()) {
                return new Outcome.InvalidOutput("the result does not match the tool's outputSchema", errors);
            }
        }
        return new Outcome.Ok(value);
    }

    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    private record ErrorInfo(String message, String stack) {}

    private ErrorInfo errorInfo(String json) {
        try {
            JsonNode n = mapper.readTree(json);
            // The guest bootstrap cuts these too, but a Python tool can reach settle itself: the host cuts.
            String message = n.path("message").asText("error");
            String stack = n.path("stack").asText("");
            return new ErrorInfo(
                    message.length() > 4096 ? message.substring(0, 4096) : message,
                    stack.length() > 16384 ? stack.substring(0, 16384) : stack);
        } catch (JsonProcessingException e) {
            return new ErrorInfo("error", "");
        }
    }

    /** Stack lines that point into the tool file; host and bootstrap frames are dropped. */
    static List<String> toolFrames(String stack, String file) {
        List<String> frames = new ArrayList<>();
        for (String line : stack.split("\n")) {
            String t = line.strip();
            if (t.startsWith("at ") && (t.contains("(" + file + ":") || t.startsWith("at " + file + ":"))) {
                frames.add(t);
                if (frames.size() == 50) {
                    break;
                }
            }
        }
        return frames;
    }

    private enum Phase {
        LOAD,
        PREPARE,
        CALL
    }

    private static Outcome violation(Violation v, Limits limits) {
        return switch (v) {
            case CPU -> new Outcome.CpuExceeded(limits.cpu());
            case MEMORY -> new Outcome.MemoryExceeded(limits.memoryBytes());
            case WALL -> new Outcome.WallExceeded(limits.wall());
        };
    }

    private static Outcome failure(Throwable t, Watchdog.Monitor monitor, Limits limits, Phase phase, String file) {
        if (monitor.violation().isPresent()) {
            return violation(monitor.violation().get(), limits);
        }
        if (t instanceof PolyglotException pe) {
            if (pe.isResourceExhausted()) {
                return new Outcome.MemoryExceeded(limits.memoryBytes());
            }
            if (pe.isCancelled() || pe.isInterrupted()) {
                return new Outcome.InternalError("the call was cancelled: the runtime is shutting down");
            }
            if (pe.isExit()) {
                // sys.exit is an exception the bootstrap catches; this is a hard exit (os._exit). It ends
                // the guest's context, never the JVM.
                return switch (phase) {
                    case LOAD -> new Outcome.InvalidTool("the module exited with status " + pe.getExitStatus());
                    case PREPARE, CALL ->
                        new Outcome.ToolError("the tool exited with status " + pe.getExitStatus(), List.of());
                };
            }
            if ((pe.isHostException() || pe.isInternalError()) && deniedBySandbox(pe.getMessage())) {
                // GraalPy lets some sandbox refusals escape as Java exceptions the guest cannot catch
                // (creating a thread or a process, opening a socket): the operation did not happen.
                return new Outcome.ToolError("denied by the sandbox: " + pe.getMessage(), List.of());
            }
            if (pe.isInternalError() || pe.isHostException()) {
                LOG.log(Level.SEVERE, "internal error in a guest call", pe);
                return new Outcome.InternalError("the guest engine failed internally");
            }
            String where = location(pe.getSourceLocation());
            if (pe.isSyntaxError()) {
                return new Outcome.InvalidTool("syntax error" + where + ": " + pe.getMessage());
            }
            List<String> frames = new ArrayList<>();
            for (PolyglotException.StackFrame f : pe.getPolyglotStackTrace()) {
                if (f.isGuestFrame()
                        && f.getSourceLocation() != null
                        && file.equals(f.getSourceLocation().getSource().getName())) {
                    frames.add("at " + f.getRootName() + " (" + file + ":"
                            + f.getSourceLocation().getStartLine() + ":"
                            + f.getSourceLocation().getStartColumn() + ")");
                }
            }
            return switch (phase) {
                case LOAD -> new Outcome.InvalidTool("evaluating the module threw" + where + ": " + pe.getMessage());
                case PREPARE, CALL -> new Outcome.ToolError(Objects.requireNonNull(pe.getMessage(), "message"), frames);
            };
        }
        if (t instanceof InvalidToolException e) {
            return e.toOutcome();
        }
        if (t instanceof CancellationException) {
            return new Outcome.InternalError("the call was cancelled: the runtime is shutting down");
        }
        if (t instanceof OutOfMemoryError) {
            LOG.severe("OutOfMemoryError on a guest thread: the memory limits are set too high for this heap");
            return new Outcome.MemoryExceeded(limits.memoryBytes());
        }
        if (t instanceof StackOverflowError) {
            return new Outcome.ToolError("RangeError: Maximum call stack size exceeded", List.of());
        }
        LOG.log(Level.SEVERE, "unexpected failure in a guest call", t);
        return new Outcome.InternalError("the call failed inside Atoll");
    }

    private static boolean deniedBySandbox(@Nullable String message) {
        String m = String.valueOf(message);
        return m.startsWith("java.lang.SecurityException: ")
                || m.contains("UnsupportedPosixFeatureException")
                || (m.startsWith("java.lang.IllegalStateException: ") && m.endsWith("is not allowed."));
    }

    private static String location(SourceSection s) {
        if (s == null || s.getSource() == null) {
            return "";
        }
        return " at " + s.getSource().getName() + ":" + s.getStartLine() + ":" + s.getStartColumn();
    }

    /** Stops the guest threads (cancelling running calls), the watchdog and the engine. */
    @Override
    public void close() {
        closed = true;
        closer.shutdown();
        handoff.shutdown();
        executor.close();
        watchdog.close();
        int stuck = executor.liveThreads();
        if (stuck > 0) {
            // Closing an engine waits for every thread still inside one of its contexts, holding the
            // engine's lock; Truffle's own VM shutdown hook takes that lock too, so a guest that never
            // stops would keep the JVM from exiting at all (seen: a test JVM hung in System.exit).
            LOG.warning(
                    stuck + " guest thread(s) never stopped; the engines are left open and end with the" + " process");
            return;
        }
        // A guest thread that never took its cancellation would make engine.close(true) wait forever.
        List<GuestEngine> started = new ArrayList<>();
        synchronized (startLock) { // after an engine start under way
            for (Language language : Language.values()) { // the JavaScript engine first
                GuestEngine e = engines.get(language);
                if (e != null) {
                    started.add(e);
                }
            }
        }
        Thread closer = Thread.ofPlatform()
                .daemon(true)
                .name("atoll-engine-close")
                .start(() -> {
                    started.forEach(GuestEngine::close);
                });
        try {
            closer.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            LOG.warning("the engine did not close within 5 s: a guest thread is still running");
        }
    }
}
