package dev.atoll.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.runtime.internal.CompiledTool;
import dev.atoll.runtime.internal.GuestExecutor;
import dev.atoll.runtime.internal.RuntimeCore;
import dev.atoll.runtime.spi.HostBinding;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs tool calls, each in a fresh sandboxed GraalVM context on a bounded pool of guest threads,
 * under limits Atoll enforces itself. Nothing survives from one call to the next. Thread-safe; one
 * instance per node.
 *
 * <pre>{@code
 * try (ToolRuntime runtime = ToolRuntime.builder().build()) {
 *     Tool tool = runtime.load(ToolSource.read(Path.of("word_count.mjs")));
 *     CallResult r = runtime.call(tool, args);
 * }
 * }</pre>
 */
public final class ToolRuntime implements AutoCloseable {

    private final RuntimeCore core;
    private final Limits defaults;
    private final Limits maxima;
    private final RuntimeObserver observer;

    private ToolRuntime(Builder b) {
        b.pythonResources.ifPresent(PythonResources::use);
        this.defaults = b.defaults.cappedBy(b.maxima);
        this.maxima = b.maxima;
        this.observer = b.observer;
        this.core = new RuntimeCore(
                b.guestThreads,
                b.queueCapacity,
                b.stackBytes,
                b.watchdogTick,
                b.heapGuardRatio,
                b.allocationFactor,
                b.retryAfter,
                b.bindings.stream().map(dev.atoll.runtime.internal.Binding::of).toList(),
                b.abandonBudget,
                maxStringChars(b.maxStringMb, b.maxima));
        core.warmUpInBackground(b.jitWarmUp);
    }

    /**
     * Whether the background JIT warm-up ({@link Builder#jitWarmUp(Duration)}) has ended: true at
     * once without one, and true when it stopped early (the runtime was closed, or the warm-up
     * failed, which is logged). A gateway reports itself ready only after this.
     *
     * @return whether the warm-up is over
     */
    public boolean warmedUp() {
        return core.warmedUp();
    }

    /**
     * Whether the Python engine has started (it starts, taking seconds, with the first Python tool
     * loaded; a runtime that never loads one never pays for it).
     *
     * @return whether GraalPy is running in this runtime
     */
    public boolean pythonStarted() {
        return core.pythonStarted();
    }

    /**
     * The engine's string bound in UTF-16 code units: {@code maxStringMb} MiB at 2 bytes per unit, but
     * never less than the largest result the maxima allow (a JSON result of {@code outputBytes} UTF-8
     * bytes has at most that many characters).
     */
    static int maxStringChars(int maxStringMb, Limits maxima) {
        long chars = Math.max((long) maxStringMb << 19, maxima.outputBytes());
        return (int) Math.min(chars, 1 << 29);
    }

    /** A builder with Atoll's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Which GraalVM runtime executes guest code, and why the optimizing one is off if it is. */
    public RuntimeInfo info() {
        return core.info();
    }

    /** Default per-call limits (already capped by the maxima). */
    public Limits defaults() {
        return defaults;
    }

    /** Operator maxima. */
    public Limits maxima() {
        return maxima;
    }

    /**
     * Loads a tool file: evaluates its module in a throwaway sandboxed context, checks the manifest
     * and compiles its schemas. A JavaScript module is evaluated under the default limits; a Python
     * module under the operator maxima's CPU and wall time (its top-level imports of the standard
     * library are parsed in every fresh GraalPy context and can take a second or more on a cold
     * engine; its calls then run under its own limits).
     *
     * @param source the tool file
     * @return the tool
     * @throws InvalidToolException if it does not load, with a reason for its author
     * @throws AtollRuntimeException if the node has no capacity to load it now
     */
    public Tool load(ToolSource source) {
        Objects.requireNonNull(source, "source");
        CompiledTool compiled = core.load(source, core.loadLimits(source.language(), defaults, maxima));
        return new Tool(source, defaults.withOverrides(compiled.manifest().limits(), maxima), compiled);
    }

    /**
     * Loads a version an operator approved: as {@link #load(ToolSource)}, and the manifest the code
     * declares (and its module exports) must equal the approved one, which is what the returned tool
     * enforces (egress, secrets, limits). A host stores the manifest it showed for review and passes it
     * here at every later load.
     *
     * @param source the tool file
     * @param approved the manifest that was reviewed and approved for this code
     * @return the tool
     * @throws InvalidToolException if it does not load; {@linkplain InvalidToolException#isManifestMismatch()
     *     a manifest mismatch} if its manifest differs from {@code approved}
     * @throws AtollRuntimeException if the node has no capacity to load it now
     */
    public Tool load(ToolSource source, ToolManifest approved) {
        Objects.requireNonNull(approved, "approved");
        Tool tool = load(source);
        return checked(tool, approved);
    }

    /**
     * Checks that a loaded tool's manifest is the approved one.
     *
     * @param tool the loaded tool
     * @param approved the approved manifest
     * @return {@code tool}
     * @throws InvalidToolException a {@linkplain InvalidToolException#isManifestMismatch() manifest mismatch}
     *     if they differ
     */
    public static Tool checked(Tool tool, ToolManifest approved) {
        if (!dev.atoll.runtime.internal.ManifestLiteral.same(
                approved.toJson(), tool.manifest().toJson())) {
            throw InvalidToolException.manifestMismatch("the manifest of " + tool.name() + "@"
                    + tool.codeDigest().substring(0, 12) + " differs from the approved manifest");
        }
        return tool;
    }

    /**
     * Loads a tool file and runs one call of it; a tool that does not load ends as
     * {@link OutcomeKind#INVALID_TOOL}, arguments that are not JSON as
     * {@link OutcomeKind#INVALID_ARGUMENTS}.
     *
     * @param source the tool file
     * @param argsJson the arguments as JSON text
     * @return the result
     */
    public CallResult run(ToolSource source, String argsJson) {
        JsonNode args;
        try {
            args = core.mapper().readTree(argsJson);
        } catch (JsonProcessingException e) {
            return new CallResult(
                    new Outcome.InvalidArguments("the arguments are not valid JSON", List.of(e.getOriginalMessage())),
                    List.of(),
                    Receipt.none());
        }
        Tool tool;
        try {
            tool = load(source);
        } catch (InvalidToolException e) {
            return new CallResult(e.toOutcome(), List.of(), Receipt.none());
        }
        return call(tool, args);
    }

    /**
     * Runs one call in a context created for it on the call path (a cold start).
     *
     * @param tool the tool
     * @param args the arguments (checked against the input schema first)
     * @return the result; never throws for anything the tool does
     */
    public CallResult call(Tool tool, JsonNode args) {
        return execute(tool, args, Optional.empty(), Invocation.tool(""));
    }

    /**
     * As {@link #call(Tool, JsonNode)}, for a caller of a tenant: the bindings see it
     * ({@link dev.atoll.runtime.spi.CallScope#tenant()}).
     *
     * @param tool the tool
     * @param args the arguments
     * @param tenant the caller's tenant ({@code ""} for none)
     * @return the result
     */
    public CallResult call(Tool tool, JsonNode args, String tenant) {
        return execute(tool, args, Optional.empty(), Invocation.tool(tenant));
    }

    /**
     * As {@link #call(Tool, JsonNode)}, running the export and carrying the attachments {@code inv} names.
     * Arguments are checked against the input schema only for {@link Entry#TOOL}, and so is the result
     * against the output schema; what the other entries return, the host checks.
     *
     * @param tool the tool
     * @param args the arguments (the request object for entries other than the tool)
     * @param inv what runs and for whom
     * @return the result
     */
    public CallResult call(Tool tool, JsonNode args, Invocation inv) {
        return execute(tool, args, Optional.empty(), Objects.requireNonNull(inv, "inv"));
    }

    /**
     * Creates a context for one later call of {@code tool}, with the module evaluated, on one of the
     * runtime's set-up threads (the low-priority lane while the tool is on probation); the calling
     * thread waits. A module whose evaluation does not stop when cancelled has that thread written off
     * (reported as {@link RuntimeObserver#guestThreadAbandoned}), so it pins neither the thread nor the
     * caller.
     *
     * @param tool the tool
     * @return the warm context; hand it to {@link #call(WarmContext, JsonNode)} or close it
     */
    public WarmContext prepare(Tool tool) {
        RuntimeCore.Prepared p = core.prepare(tool.compiled(), tool.limits());
        switch (p) {
            case RuntimeCore.Prepared.Ready r -> observer.contextPrepared(tool, r.elapsed());
            case RuntimeCore.Prepared.Failed f -> {
                if (f.abandoned()) {
                    observer.guestThreadAbandoned(tool);
                }
            }
        }
        return new WarmContext(tool, p);
    }

    /**
     * Whether a tool version is on probation on this node: one of its recent calls ended past its CPU
     * or memory limit or did not stop when cancelled. Its calls and contexts then run at the lowest OS
     * priority, and never on a caller's thread, until 16 of its calls in a row have stayed within their
     * limits.
     *
     * @param tool the tool version
     * @return whether it is on probation
     */
    public boolean onProbation(Tool tool) {
        return tool.compiled().standing().onProbation();
    }

    /**
     * Runs one call in a context prepared earlier; the context is used up and closed.
     *
     * @param warm the prepared context (used once)
     * @param args the arguments
     * @return the result
     * @throws IllegalStateException if the context was already used or closed
     */
    public CallResult call(WarmContext warm, JsonNode args) {
        return call(warm, args, "");
    }

    /**
     * As {@link #call(WarmContext, JsonNode)}, for a caller of a tenant.
     *
     * @param warm the prepared context (used once)
     * @param args the arguments
     * @param tenant the caller's tenant ({@code ""} for none)
     * @return the result
     */
    public CallResult call(WarmContext warm, JsonNode args, String tenant) {
        return call(warm, args, Invocation.tool(tenant));
    }

    /**
     * As {@link #call(WarmContext, JsonNode)}, running the export {@code inv} names.
     *
     * @param warm the prepared context (used once)
     * @param args the arguments
     * @param inv what runs and for whom
     * @return the result
     */
    public CallResult call(WarmContext warm, JsonNode args, Invocation inv) {
        Objects.requireNonNull(inv, "inv");
        RuntimeCore.Prepared p = warm.take();
        return switch (p) {
            case RuntimeCore.Prepared.Failed f ->
                done(warm.tool(), new CallResult(f.outcome(), List.of(), f.receipt()));
            case RuntimeCore.Prepared.Ready r -> execute(warm.tool(), args, Optional.of(r), inv);
        };
    }

    /**
     * Runs one call in a context prepared earlier on the calling thread itself, without the handoff
     * to a guest thread (which costs tens of microseconds of latency); the context is used up and
     * closed. The calling thread must be a platform thread: its CPU time and allocation are measured,
     * and its stack size bounds the guest's recursion (guest threads have {@code stackBytes}). A tool
     * on probation ({@link #onProbation(Tool)}), or whose calls had a thread written off, runs on a
     * guest thread instead, as with {@link #call(WarmContext, JsonNode)}: a guest that ignores its
     * cancellation cannot pin the caller's thread more than once per tool version (after that first
     * call, whose caller waits until the cancellation lands, the tool is on probation).
     *
     * @param warm the prepared context (used once)
     * @param args the arguments
     * @return the result
     * @throws IllegalStateException if the calling thread is virtual (the context is then left
     *     unused), or the context was already used or closed
     */
    public CallResult callOnCurrentThread(WarmContext warm, JsonNode args) {
        return callOnCurrentThread(warm, args, "");
    }

    /**
     * As {@link #callOnCurrentThread(WarmContext, JsonNode)}, for a caller of a tenant.
     *
     * @param warm the prepared context (used once)
     * @param args the arguments
     * @param tenant the caller's tenant ({@code ""} for none)
     * @return the result
     */
    public CallResult callOnCurrentThread(WarmContext warm, JsonNode args, String tenant) {
        return callOnCurrentThread(warm, args, Invocation.tool(tenant));
    }

    /**
     * As {@link #callOnCurrentThread(WarmContext, JsonNode)}, running the export {@code inv} names.
     *
     * @param warm the prepared context (used once)
     * @param args the arguments
     * @param inv what runs and for whom
     * @return the result
     */
    public CallResult callOnCurrentThread(WarmContext warm, JsonNode args, Invocation inv) {
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(inv, "inv");
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("callOnCurrentThread needs a platform thread: CPU time and"
                    + " allocation of virtual threads cannot be measured; use call(WarmContext, JsonNode)");
        }
        Tool tool = warm.tool();
        RuntimeCore.Prepared p = warm.take();
        return switch (p) {
            case RuntimeCore.Prepared.Failed f -> done(tool, new CallResult(f.outcome(), List.of(), f.receipt()));
            case RuntimeCore.Prepared.Ready r -> {
                Optional<Outcome> invalid =
                        inv.entry() == Entry.TOOL ? core.checkArguments(tool.compiled(), args) : Optional.empty();
                if (invalid.isPresent()) {
                    r.session().close();
                    yield done(tool, new CallResult(invalid.get(), List.of(), Receipt.none()));
                }
                RuntimeCore.Finished f = core.callOnThisThread(tool.compiled(), tool.limits(), r.session(), args, inv);
                yield done(tool, new CallResult(f.outcome(), f.logs(), f.receipt()));
            }
        };
    }

    private CallResult execute(Tool tool, JsonNode args, Optional<RuntimeCore.Prepared.Ready> warm, Invocation inv) {
        Objects.requireNonNull(args, "args");
        Optional<Outcome> invalid =
                inv.entry() == Entry.TOOL ? core.checkArguments(tool.compiled(), args) : Optional.empty();
        if (invalid.isPresent()) {
            warm.ifPresent(r -> r.session().close());
            return done(tool, new CallResult(invalid.get(), List.of(), Receipt.none()));
        }
        RuntimeCore.Finished f = core.call(tool.compiled(), tool.limits(), warm.map(r -> r.session()), args, inv);
        f.queueWait().ifPresent(w -> observer.guestThreadWait(tool, w));
        if (f.abandoned()) {
            observer.guestThreadAbandoned(tool);
        }
        return done(tool, new CallResult(f.outcome(), f.logs(), f.receipt()));
    }

    /**
     * The number of platform threads that run guest code: the node's serving capacity, which a guest
     * that ignores its cancellation cannot reduce (its thread is written off and replaced).
     *
     * @return the configured guest threads
     */
    public int guestThreads() {
        return core.guestThreads().threads();
    }

    /**
     * Guest threads written off now: each is still running a guest that did not stop when cancelled
     * (and burning CPU) while a replacement serves in its place.
     *
     * @return written-off threads now, at most {@link Builder#abandonBudget(int)}
     */
    public int abandonedThreads() {
        return core.guestThreads().abandonedNow();
    }

    /**
     * Guest threads written off since start.
     *
     * @return the count
     */
    public long abandonedThreadsTotal() {
        return core.guestThreads().abandonedTotal();
    }

    /**
     * Threads of this JVM (of any library: compiler threads, virtual-thread carriers) that inherited
     * the lowest OS priority from a low-priority guest thread (probation lane or written off) and were
     * given the normal priority back, since start. Shared by every runtime of the JVM.
     *
     * @return the count
     */
    public long inheritedPriorityRepaired() {
        return GuestExecutor.inheritedPriorityRepaired();
    }

    /**
     * Threads of this JVM that inherited the lowest OS priority from a guest thread and could not be
     * given the normal one back (the process lacks {@code CAP_SYS_NICE} or an {@code RLIMIT_NICE} that
     * allows it), since start. Each is logged once at {@code WARNING}.
     *
     * @return the count
     */
    public long inheritedPriorityUnrepaired() {
        return GuestExecutor.inheritedPriorityUnrepaired();
    }

    private CallResult done(Tool tool, CallResult result) {
        observer.callCompleted(tool, result);
        return result;
    }

    /** Cancels running calls and releases the guest threads, the watchdog and the engine. */
    @Override
    public void close() {
        core.close();
    }

    /** Configures a {@link ToolRuntime}; every setter fails fast on a bad value, naming it. */
    public static final class Builder {
        private Limits defaults = Limits.defaults();
        private Limits maxima = Limits.defaultMaxima();
        private int guestThreads = defaultGuestThreads();
        private int abandonBudget = Math.max(2, Runtime.getRuntime().availableProcessors());
        private int queueCapacity = 256;
        private long stackBytes = 4L * 1024 * 1024;
        private Duration watchdogTick = Duration.ofMillis(1);
        private double heapGuardRatio = 0.85;
        private int allocationFactor = 8;
        private int maxStringMb = 32;
        private Duration retryAfter = Duration.ofMillis(250);
        private RuntimeObserver observer = RuntimeObserver.NO_OP;
        private Duration jitWarmUp = Duration.ZERO;
        private java.util.Optional<java.nio.file.Path> pythonResources = java.util.Optional.empty();
        private final java.util.List<HostBinding> bindings = new java.util.ArrayList<>();

        private Builder() {}

        /**
         * Installs a host binding (such as {@code fetch} from {@code host-bindings}) in every context
         * of this runtime. Without bindings a guest has none of their globals. The runtime does not
         * close bindings; their owner does, after closing the runtime.
         *
         * @param binding the binding; its name must be unique among this runtime's bindings
         * @return this
         */
        public Builder binding(HostBinding binding) {
            Objects.requireNonNull(binding, "binding");
            for (HostBinding b : bindings) {
                if (b.name().equals(binding.name())) {
                    throw new IllegalArgumentException("a binding named '" + binding.name() + "' is already installed");
                }
            }
            dev.atoll.runtime.internal.Binding.of(binding); // fails fast on a bad name
            bindings.add(binding);
            return this;
        }

        /**
         * @param limits default per-call limits (capped by the maxima)
         * @return this
         */
        public Builder defaults(Limits limits) {
            this.defaults = Objects.requireNonNull(limits, "defaults");
            return this;
        }

        /**
         * @param limits operator maxima that cap every tool's requested limits
         * @return this
         */
        public Builder maxima(Limits limits) {
            this.maxima = Objects.requireNonNull(limits, "maxima");
            return this;
        }

        /**
         * @param threads platform threads that run guest code, per lane (default
         *     {@link #defaultGuestThreads()}): calls of tools in good standing, calls of tools on
         *     probation ({@link ToolRuntime#onProbation}, at the lowest OS priority), and context set-up
         * @return this
         */
        public Builder guestThreads(int threads) {
            if (threads < 1 || threads > 1024) {
                throw new IllegalArgumentException("guestThreads must be 1-1024, got " + threads);
            }
            this.guestThreads = threads;
            return this;
        }

        /**
         * @param budget most guest threads written off at once (default: cores, at least 2). A guest
         *     that does not stop within a second of its cancellation (and burns 500 ms of CPU since)
         *     has its thread written off and replaced, so capacity is never pinned; each written-off
         *     thread still burns CPU until the guest stops, at the lowest OS priority (on Linux), so it
         *     only gets CPU that other threads leave. With the budget spent, calls of the tools that caused it are refused as
         *     {@link OutcomeKind#INVALID_TOOL} until a thread returns.
         * @return this
         */
        public Builder abandonBudget(int budget) {
            if (budget < 0 || budget > 1024) {
                throw new IllegalArgumentException("abandonBudget must be 0-1024, got " + budget);
            }
            this.abandonBudget = budget;
            return this;
        }

        /**
         * The default number of guest threads: four per core, at least 8. Guest threads are not a CPU
         * budget (the OS shares the cores between them) but admission slots: with only one per core, a
         * few long calls hold them all and every other call queues behind them.
         *
         * @return the default
         */
        public static int defaultGuestThreads() {
            return Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
        }

        /**
         * @param capacity calls that may wait for a guest thread before calls are shed (default 256)
         * @return this
         */
        public Builder queueCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("queueCapacity must be positive, got " + capacity);
            }
            this.queueCapacity = capacity;
            return this;
        }

        /**
         * @param bytes stack size of guest threads, which bounds recursion depth (default 4 MiB)
         * @return this
         */
        public Builder stackBytes(long bytes) {
            if (bytes < 256 * 1024) {
                throw new IllegalArgumentException("stackBytes must be at least 256 KiB, got " + bytes);
            }
            this.stackBytes = bytes;
            return this;
        }

        /**
         * @param tick how often the watchdog checks running calls (default 1 ms)
         * @return this
         */
        public Builder watchdogTick(Duration tick) {
            if (tick.isNegative() || tick.isZero() || tick.compareTo(Duration.ofMillis(100)) > 0) {
                throw new IllegalArgumentException("watchdogTick must be in (0, 100 ms], got " + tick);
            }
            this.watchdogTick = tick;
            return this;
        }

        /**
         * @param ratio fraction of the maximum heap that, still in use after a GC, makes the watchdog
         *     cancel the call that allocated most (default 0.85)
         * @return this
         */
        public Builder heapGuardRatio(double ratio) {
            if (!(ratio > 0.1 && ratio < 1.0)) {
                throw new IllegalArgumentException("heapGuardRatio must be in (0.1, 1.0), got " + ratio);
            }
            this.heapGuardRatio = ratio;
            return this;
        }

        /**
         * @param factor a call may allocate at most this many times its memory limit in total, garbage
         *     included (default 8); see {@link Limits#memoryBytes()}
         * @return this
         */
        public Builder allocationFactor(int factor) {
            if (factor < 1 || factor > 1024) {
                throw new IllegalArgumentException("allocationFactor must be 1-1024, got " + factor);
            }
            this.allocationFactor = factor;
            return this;
        }

        /**
         * @param megabytes the longest string a JavaScript guest may create, in MiB of UTF-16 (default
         *     32, i.e. 16 Mi characters; raised to the largest output the maxima allow). The engine
         *     refuses a longer string with {@code RangeError: Invalid string length} before it builds
         *     it, so no guest step (flattening a rope, {@code join}, {@code JSON.stringify}, ...) makes
         *     one string larger than this; one value for the whole runtime
         * @return this
         */
        public Builder maxStringMb(int megabytes) {
            if (megabytes < 1 || megabytes > 1024) {
                throw new IllegalArgumentException("maxStringMb must be 1-1024, got " + megabytes);
            }
            this.maxStringMb = megabytes;
            return this;
        }

        /**
         * @param retryAfter hint returned with {@link OutcomeKind#LOAD_SHED} (default 250 ms)
         * @return this
         */
        public Builder retryAfter(Duration retryAfter) {
            if (retryAfter.isNegative()) {
                throw new IllegalArgumentException("retryAfter must not be negative, got " + retryAfter);
            }
            this.retryAfter = retryAfter;
            return this;
        }

        /**
         * @param observer receives runtime events (default: none)
         * @return this
         */
        public Builder observer(RuntimeObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /**
         * @param duration keep creating and calling throwaway contexts on one low-priority background
         *     thread for this long after start, so the JIT has compiled the context-creation path
         *     before real calls pay for it (default zero: off; the gateway's default is 30 s)
         * @return this
         */
        public Builder jitWarmUp(Duration duration) {
            if (duration.isNegative() || duration.compareTo(Duration.ofMinutes(30)) > 0) {
                throw new IllegalArgumentException("jitWarmUp must be 0-30 minutes, got " + duration);
            }
            this.jitWarmUp = duration;
            return this;
        }

        /**
         * Reads GraalPy's standard library from a directory pre-extracted by
         * {@link PythonResources#extract(java.nio.file.Path)} instead of extracting it into the user's
         * cache on first use; the directory may be read-only. Default: the JVM property
         * {@value PythonResources#PROPERTY} if set, else GraalVM's cache.
         *
         * @param dir the resource directory
         * @return this builder
         */
        public Builder pythonResources(java.nio.file.Path dir) {
            this.pythonResources = java.util.Optional.of(java.util.Objects.requireNonNull(dir, "dir"));
            return this;
        }

        /**
         * Builds the runtime. The JavaScript engine starts now; the Python engine starts with the
         * first Python tool loaded.
         *
         * @return the runtime
         */
        public ToolRuntime build() {
            return new ToolRuntime(this);
        }
    }
}
