package dev.atoll.isolate.pool;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.isolate.pool.internal.PoolCore;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Hands every call of a tool version a fresh context that was created, with the tool module
 * evaluated, ahead of time on background platform threads. A context serves exactly one call and is
 * closed after it; nothing is reused between calls. When no warm context is ready the call creates
 * one on the call path (a cold start) rather than failing. In front of that sits admission control:
 * per-tool and global concurrency limits and a bounded queue with a deadline, beyond which a call
 * ends as {@link dev.atoll.runtime.Outcome.LoadShed} with a retry-after hint. Admission is fair: one
 * tool version or tenant may hold only a share of the runtime's guest threads while others want them,
 * and the last slots are kept for calls within their shares (see {@link Builder#toolShare(double)}).
 *
 * <p>There is one active version per tool name: {@link #deploy(ToolSource)} (or a call with a new
 * version) replaces the previous version and drains its pool. Pools size themselves from each tool's
 * call rate between {@link PoolConfig#minWarmPerTool()} and {@link PoolConfig#maxWarmPerTool()},
 * under a global cap from the memory budget, and idle tools shrink to the minimum (zero by default).
 * Loaded tools are cached by code digest, so redeploying identical code reuses the loaded
 * {@link Tool} and its parsed source.
 *
 * <p>The pool is language-neutral: it only uses {@link ToolRuntime#prepare(Tool)} and the two warm
 * call methods, so languages with expensive context initialisation (Python) get the same treatment.
 *
 * <pre>{@code
 * try (ToolRuntime runtime = ToolRuntime.builder().build();
 *         IsolatePool pool = IsolatePool.builder(runtime).maxWarmPerTool(8).build()) {
 *     Tool tool = pool.deploy(ToolSource.read(Path.of("word_count.mjs")));
 *     CallResult r = pool.call(tool, args);
 * }
 * }</pre>
 *
 * Thread-safe. The pool does not own the runtime: close the pool first, then the runtime.
 */
public final class IsolatePool implements AutoCloseable {

    private final PoolCore core;

    private IsolatePool(ToolRuntime runtime, PoolConfig config, PoolObserver observer) {
        this.core = new PoolCore(runtime, config, observer);
    }

    /**
     * A builder with Atoll's defaults.
     *
     * @param runtime the runtime that creates and runs the contexts
     * @return the builder
     */
    public static Builder builder(ToolRuntime runtime) {
        return new Builder(runtime);
    }

    /** The settings. */
    public PoolConfig config() {
        return core.config();
    }

    /**
     * Loads a tool through the digest-keyed cache, without activating it: identical code is loaded
     * (and parsed) once per node.
     *
     * @param source the tool file
     * @return the tool
     * @throws dev.atoll.runtime.InvalidToolException if it does not load
     * @throws dev.atoll.runtime.AtollRuntimeException if the node has no capacity to load it now
     */
    public Tool load(ToolSource source) {
        return core.load(Objects.requireNonNull(source, "source"));
    }

    /**
     * Loads a tool through the cache and makes it the active version of its name: the previous
     * version's warm contexts are closed and this version's pool starts filling to its minimum.
     *
     * @param source the tool file
     * @return the tool
     * @throws dev.atoll.runtime.InvalidToolException if it does not load
     */
    public Tool deploy(ToolSource source) {
        Tool tool = load(source);
        core.activate(tool);
        return tool;
    }

    /**
     * Loads an approved version through the cache and makes it the active version of its name, as
     * {@link #deploy(ToolSource)}, but only if its manifest is the approved one: the returned tool
     * enforces exactly the egress, secrets and limits that were reviewed.
     *
     * @param source the tool file
     * @param approved the manifest the operator approved for this code
     * @return the tool
     * @throws dev.atoll.runtime.InvalidToolException if it does not load, or (a
     *     {@linkplain dev.atoll.runtime.InvalidToolException#isManifestMismatch() manifest mismatch}) if its
     *     manifest differs from {@code approved}; the version is then not activated
     */
    public Tool deploy(ToolSource source, dev.atoll.runtime.ToolManifest approved) {
        Tool tool = dev.atoll.runtime.ToolRuntime.checked(load(source), Objects.requireNonNull(approved, "approved"));
        core.activate(tool);
        return tool;
    }

    /**
     * Runs one call of {@code tool} in a fresh context: a warm one if ready, else one created on the
     * call path. If {@code tool} is not the active version of its name, it becomes it (the previous
     * version's pool is drained), so call only the version the registry pins.
     *
     * @param tool the tool version
     * @param args the arguments
     * @return the result; {@link dev.atoll.runtime.OutcomeKind#LOAD_SHED} beyond the admission limits
     *     or after {@link #close()}; never throws for anything the tool does
     */
    public CallResult call(Tool tool, JsonNode args) {
        return call(tool, args, "");
    }

    /**
     * Runs one call of {@code tool} on behalf of {@code tenant}: as {@link #call(Tool, JsonNode)}, with
     * the tenant's fair share of the guest threads applied ({@link Builder#tenantShare(double)}); host
     * bindings see the tenant too (the fetch binding hands it to the egress inspector, so
     * tenant-scoped DLP applies to the tool's requests).
     *
     * @param tool the tool version
     * @param args the arguments
     * @param tenant who calls (any stable id; calls without one share the tenant {@code ""})
     * @return the result; never throws for anything the tool does
     */
    public CallResult call(Tool tool, JsonNode args, String tenant) {
        return call(tool, args, dev.atoll.runtime.Invocation.tool(Objects.requireNonNull(tenant, "tenant")));
    }

    /**
     * As {@link #call(Tool, JsonNode, String)}, running the export of the module that {@code inv} names
     * (the tool, or its resource, prompt or completion handler) with the attachments it carries for
     * the bindings. Every entry gets the same admission, fresh context and limits.
     *
     * @param tool the tool version
     * @param args the arguments (the request object for entries other than the tool)
     * @param inv what runs and for whom
     * @return the result; never throws for anything the tool does
     */
    public CallResult call(Tool tool, JsonNode args, dev.atoll.runtime.Invocation inv) {
        return core.call(
                Objects.requireNonNull(tool, "tool"),
                Objects.requireNonNull(args, "args"),
                Objects.requireNonNull(inv, "inv"));
    }

    /**
     * Retires the active version of a tool: its warm contexts are closed and no more are created.
     *
     * @param name the tool name
     * @return whether a version was active
     */
    public boolean retire(String name) {
        return core.retire(Objects.requireNonNull(name, "name"));
    }

    /** A snapshot of pool sizes, admission state and counters. */
    public PoolStats stats() {
        return core.stats();
    }

    /**
     * The active version of a tool.
     *
     * @param name the tool name
     * @return its statistics, or empty if no version is active
     */
    public Optional<PoolStats.ToolStats> stats(String name) {
        return core.stats().tools().stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /**
     * Stops creating contexts, waits for creations under way (up to 10 s) and closes every warm
     * context. Calls running now finish; later calls are shed. Does not close the runtime.
     */
    @Override
    public void close() {
        core.close();
    }

    /** Configures an {@link IsolatePool}; every setter fails fast on a bad value, naming it. */
    public static final class Builder {
        private final ToolRuntime runtime;
        private int minWarmPerTool = 0;
        private int maxWarmPerTool = 16;
        private int maxWarmTotal = 512;
        private long memoryBudgetBytes = 256L * 1024 * 1024;
        private long contextBytes = 512L * 1024;
        private int toolConcurrency = 32;
        private int globalConcurrency = 64;
        private int queueCapacity = 256;
        private Duration queueDeadline = Duration.ofMillis(100);
        private Duration idleShrinkAfter = Duration.ofSeconds(60);
        private int replenishThreads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        private Duration retryAfter = Duration.ofMillis(250);
        private long codeCacheBytes = 64L * 1024 * 1024;
        private boolean callOnCallerThread = false;
        private double toolShare = 0.25;
        private double tenantShare = 0.5;
        private double reserveShare = 0.25;
        private PoolObserver observer = PoolObserver.NO_OP;

        private Builder(ToolRuntime runtime) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
        }

        private static int range(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be " + min + "-" + max + ", got " + value);
            }
            return value;
        }

        private static Duration duration(String name, Duration value, Duration min, Duration max) {
            Objects.requireNonNull(value, name);
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
            }
            return value;
        }

        /**
         * @param n warm contexts kept per active tool version even when idle (default 0: idle tools
         *     shrink to zero)
         * @return this
         */
        public Builder minWarmPerTool(int n) {
            this.minWarmPerTool = range("minWarmPerTool", n, 0, 4096);
            return this;
        }

        /**
         * @param n most warm contexts per tool version (default 16)
         * @return this
         */
        public Builder maxWarmPerTool(int n) {
            this.maxWarmPerTool = range("maxWarmPerTool", n, 0, 4096);
            return this;
        }

        /**
         * @param n most warm contexts across tools (default 512); the memory budget may cap lower
         * @return this
         */
        public Builder maxWarmTotal(int n) {
            this.maxWarmTotal = range("maxWarmTotal", n, 0, 1 << 20);
            return this;
        }

        /**
         * @param bytes heap set aside for warm contexts (default 256 MiB)
         * @return this
         */
        public Builder memoryBudgetBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("memoryBudgetBytes must not be negative, got " + bytes);
            }
            this.memoryBudgetBytes = bytes;
            return this;
        }

        /**
         * @param bytes estimated retained heap per warm context (default 512 KiB; measure with
         *     {@code PoolMemoryBenchmark})
         * @return this
         */
        public Builder contextBytes(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("contextBytes must be at least 1024, got " + bytes);
            }
            this.contextBytes = bytes;
            return this;
        }

        /**
         * @param n calls of one tool version that may run at once (default 32)
         * @return this
         */
        public Builder toolConcurrency(int n) {
            this.toolConcurrency = range("toolConcurrency", n, 1, 65_536);
            return this;
        }

        /**
         * @param n calls that may run at once across tools (default 64)
         * @return this
         */
        public Builder globalConcurrency(int n) {
            this.globalConcurrency = range("globalConcurrency", n, 1, 65_536);
            return this;
        }

        /**
         * @param n calls that may wait for admission at once (default 256); 0 sheds at once at the limits
         * @return this
         */
        public Builder queueCapacity(int n) {
            this.queueCapacity = range("queueCapacity", n, 0, 1 << 20);
            return this;
        }

        /**
         * @param deadline longest wait for admission before a call is shed (default 100 ms)
         * @return this
         */
        public Builder queueDeadline(Duration deadline) {
            this.queueDeadline = duration("queueDeadline", deadline, Duration.ZERO, Duration.ofMinutes(1));
            return this;
        }

        /**
         * @param after a tool with no call for this long shrinks to its minimum (default 60 s)
         * @return this
         */
        public Builder idleShrinkAfter(Duration after) {
            this.idleShrinkAfter = duration("idleShrinkAfter", after, Duration.ofMillis(100), Duration.ofDays(1));
            return this;
        }

        /**
         * @param n platform threads creating warm contexts (default half the cores, at least 1)
         * @return this
         */
        public Builder replenishThreads(int n) {
            this.replenishThreads = range("replenishThreads", n, 1, 256);
            return this;
        }

        /**
         * @param hint retry-after hint of a shed call (default 250 ms)
         * @return this
         */
        public Builder retryAfter(Duration hint) {
            this.retryAfter = duration("retryAfter", hint, Duration.ZERO, Duration.ofHours(1));
            return this;
        }

        /**
         * @param bytes weight bound of the cache of loaded tools, weighed by code size (default 64 MiB)
         * @return this
         */
        public Builder codeCacheBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("codeCacheBytes must not be negative, got " + bytes);
            }
            this.codeCacheBytes = bytes;
            return this;
        }

        /**
         * @param onCaller run pooled calls on the caller's thread when it is a platform thread, instead
         *     of handing them to a guest thread (default false). Saves the handoff latency; the
         *     caller's stack then bounds the guest's recursion, and a guest that does not take its
         *     cancellation holds the caller until it does ({@link ToolRuntime#callOnCurrentThread}).
         *     Virtual-thread callers always hand off.
         * @return this
         */
        public Builder callOnCallerThread(boolean onCaller) {
            this.callOnCallerThread = onCaller;
            return this;
        }

        private static double share(String name, double value) {
            if (!(value > 0 && value <= 1)) {
                throw new IllegalArgumentException(name + " must be in (0, 1], got " + value);
            }
            return value;
        }

        /**
         * @param share share of the admission slots one tool version may hold while other calls want
         *     them (default 0.25; at least one slot). Beyond it the tool's calls start only while
         *     more than the reserve is free, and are shed ({@link ShedReason#TOOL_SHARE}) rather than
         *     queued in front of other tools' calls
         * @return this
         */
        public Builder toolShare(double share) {
            this.toolShare = share("toolShare", share);
            return this;
        }

        /**
         * @param share share of the admission slots one tenant may hold while other calls want them
         *     (default 0.5; at least one slot); see {@link #toolShare(double)}
         * @return this
         */
        public Builder tenantShare(double share) {
            this.tenantShare = share("tenantShare", share);
            return this;
        }

        /**
         * @param share share of the admission slots that calls beyond their tool's or tenant's share
         *     may not take (default 0.25): kept for calls within their shares, so a busy or hostile
         *     tool or tenant never fills the node
         * @return this
         */
        public Builder reserveShare(double share) {
            if (!(share >= 0 && share < 1)) {
                throw new IllegalArgumentException("reserveShare must be in [0, 1), got " + share);
            }
            this.reserveShare = share;
            return this;
        }

        /**
         * @param observer receives pool events (default: none)
         * @return this
         */
        public Builder observer(PoolObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /**
         * Checks the settings together and starts the replenisher and maintenance threads.
         *
         * @return the pool
         * @throws IllegalArgumentException if {@code minWarmPerTool > maxWarmPerTool}
         */
        public IsolatePool build() {
            if (minWarmPerTool > maxWarmPerTool) {
                throw new IllegalArgumentException("minWarmPerTool (" + minWarmPerTool
                        + ") must not exceed maxWarmPerTool (" + maxWarmPerTool + ")");
            }
            PoolConfig config = new PoolConfig(
                    minWarmPerTool,
                    maxWarmPerTool,
                    maxWarmTotal,
                    memoryBudgetBytes,
                    contextBytes,
                    toolConcurrency,
                    globalConcurrency,
                    queueCapacity,
                    queueDeadline,
                    idleShrinkAfter,
                    replenishThreads,
                    retryAfter,
                    codeCacheBytes,
                    callOnCallerThread,
                    toolShare,
                    tenantShare,
                    reserveShare);
            return new IsolatePool(runtime, config, observer);
        }
    }
}
