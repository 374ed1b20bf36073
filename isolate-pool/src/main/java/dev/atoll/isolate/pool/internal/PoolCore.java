package dev.atoll.isolate.pool.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.atoll.isolate.pool.ContextStart;
import dev.atoll.isolate.pool.EvictionReason;
import dev.atoll.isolate.pool.PoolConfig;
import dev.atoll.isolate.pool.PoolObserver;
import dev.atoll.isolate.pool.PoolStats;
import dev.atoll.isolate.pool.ShedReason;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.Outcome;
import dev.atoll.runtime.Receipt;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import dev.atoll.runtime.WarmContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The pool's machinery behind {@code IsolatePool}: the tool cache, one {@link ToolPool} per active
 * tool version, background creation of warm contexts on platform threads, the maintenance tick that
 * sizes pools from call rates, and the admission gate.
 */
public final class PoolCore implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PoolCore.class.getName());
    /** How often pools are resized. */
    static final Duration TICK = Duration.ofMillis(100);
    /** Replenishing a tool whose creation failed pauses for this long. */
    private static final Duration BACKOFF = Duration.ofSeconds(1);

    private static final long STACK_BYTES = 4L * 1024 * 1024;

    private final ToolRuntime runtime;
    private final PoolConfig config;
    private final PoolObserver observer;
    private final int warmCap;
    private final Cache<String, Tool> tools;
    private final ConcurrentHashMap<String, ToolPool> pools = new ConcurrentHashMap<>();
    private final FairGate gate;
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    /** Warm contexts ready or being created, across tools. */
    private final AtomicInteger totalSlots = new AtomicInteger();

    private final ThreadPoolExecutor replenisher;
    private final ScheduledExecutorService ticker;
    private volatile boolean closed;

    /**
     * @param runtime the runtime (not closed by the pool)
     * @param config the settings
     * @param observer receives pool events
     */
    public PoolCore(ToolRuntime runtime, PoolConfig config, PoolObserver observer) {
        this.runtime = runtime;
        this.config = config;
        this.observer = new SafeObserver(observer);
        this.warmCap = config.warmCap();
        this.gate = new FairGate(
                Math.min(config.globalConcurrency(), runtime.guestThreads()),
                config.toolShare(),
                config.tenantShare(),
                config.reserveShare(),
                config.queueCapacity());
        this.tools = Caffeine.newBuilder()
                .maximumWeight(config.codeCacheBytes())
                .weigher((String k, Tool t) ->
                        (int) Math.min(Integer.MAX_VALUE, 2L * t.source().code().length()))
                .build();
        this.replenisher = new ThreadPoolExecutor(
                config.replenishThreads(),
                config.replenishThreads(),
                0,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                threads("atoll-pool-replenish-"));
        this.ticker = Executors.newSingleThreadScheduledExecutor(threads("atoll-pool-tick-"));
        var _ = ticker.scheduleWithFixedDelay(
                this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS); // tick catches its failures
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> Thread.ofPlatform()
                .daemon(true)
                .stackSize(STACK_BYTES)
                .name(prefix + n.incrementAndGet())
                .unstarted(r);
    }

    /** The settings. */
    public PoolConfig config() {
        return config;
    }

    /**
     * Loads a tool through the cache: identical code (same language, file name and digest) is loaded
     * once and the same {@link Tool} returned until the cache evicts it.
     *
     * @param source the tool file
     * @return the tool
     */
    public Tool load(ToolSource source) {
        String key = source.language().id() + ":" + source.fileName() + "@" + source.codeDigest();
        return tools.get(key, k -> runtime.load(source));
    }

    /** Loaded tools in the cache. */
    public long cachedTools() {
        return tools.estimatedSize();
    }

    /**
     * Makes {@code tool} the active version of its name, draining the pool of the version it
     * replaces, and starts filling its pool up to its minimum.
     *
     * @param tool the version
     */
    public void activate(Tool tool) {
        refill(poolFor(tool));
    }

    private ToolPool poolFor(Tool tool) {
        ToolPool p = pools.get(tool.name());
        if (p != null && p.tool == tool) {
            return p;
        }
        String key = ToolPool.versionKey(tool);
        if (p != null && p.versionKey.equals(key)) {
            return p;
        }
        ToolPool[] replaced = new ToolPool[1];
        ToolPool now = pools.compute(tool.name(), (name, old) -> {
            if (old != null && old.versionKey.equals(key)) {
                return old;
            }
            replaced[0] = old;
            return new ToolPool(tool, config.toolConcurrency(), config.minWarmPerTool());
        });
        if (replaced[0] != null) {
            retire(replaced[0], EvictionReason.RETIRED);
        }
        if (closed) {
            retire(now, EvictionReason.SHUTDOWN);
        }
        return now;
    }

    /**
     * Retires the active version of {@code name}: its warm contexts are closed.
     *
     * @param name the tool name
     * @return whether a version was active
     */
    public boolean retire(String name) {
        ToolPool p = pools.remove(name);
        if (p == null) {
            return false;
        }
        retire(p, EvictionReason.RETIRED);
        return true;
    }

    private void retire(ToolPool p, EvictionReason reason) {
        p.retired = true;
        p.target = 0;
        drain(p, reason);
        observer.poolSize(p.tool, 0, 0);
    }

    /**
     * Runs one call: admission, then a warm context if one is ready, else one created on the call path.
     *
     * @param tool the tool version (activated if it is not the active one)
     * @param args the arguments
     * @param inv what runs and who calls (its tenant for the tenant share)
     * @return the result
     */
    public CallResult call(Tool tool, JsonNode args, dev.atoll.runtime.Invocation inv) {
        String tenant = inv.tenant();
        if (closed) {
            return shed(tool, Optional.empty(), ShedReason.CLOSED);
        }
        ToolPool p = poolFor(tool);
        FairGate.Admission admitted;
        try {
            admitted = admit(p, tenant);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CallResult(
                    new Outcome.InternalError("the caller was interrupted while queued"), List.of(), Receipt.none());
        }
        if (admitted.shed().isPresent()) {
            return shed(tool, Optional.of(p), admitted.shed().get());
        }
        FairGate.Ticket ticket = admitted.ticket().orElseThrow();
        running.incrementAndGet();
        p.callStarted(config.maxWarmPerTool());
        try {
            boolean onCaller =
                    config.callOnCallerThread() && !Thread.currentThread().isVirtual();
            long served = System.nanoTime();
            WarmContext w = take(p);
            if (w != null) {
                p.warmHits.increment();
                observer.warmHit(tool);
                CallResult r = onCaller ? runtime.callOnCurrentThread(w, args, inv) : runtime.call(w, args, inv);
                observer.callServed(tool, ContextStart.WARM, Duration.ofNanos(System.nanoTime() - served));
                return r;
            }
            p.coldStarts.increment();
            observer.coldStart(tool);
            // Cold starts always go to the runtime's guest threads, which bound how many contexts are
            // created on call paths at once, whatever the number of callers.
            CallResult r = runtime.call(p.tool, args, inv);
            observer.callServed(tool, ContextStart.COLD, Duration.ofNanos(System.nanoTime() - served));
            return r;
        } finally {
            p.running.decrementAndGet();
            running.decrementAndGet();
            gate.release(ticket);
            p.permits.release();
            refill(p);
        }
    }

    private CallResult shed(Tool tool, Optional<ToolPool> p, ShedReason reason) {
        p.ifPresent(x -> x.shed.increment());
        observer.loadShed(tool, reason);
        return new CallResult(new Outcome.LoadShed(config.retryAfter()), List.of(), Receipt.none());
    }

    /**
     * Takes a tool slot ({@code toolConcurrency}) and a fair-share slot of the guest threads, waiting
     * in the bounded queue until the queue deadline if needed.
     */
    private FairGate.Admission admit(ToolPool p, String tenant) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + config.queueDeadline().toNanos();
        boolean toolSlot = p.permits.tryAcquire(0, TimeUnit.NANOSECONDS);
        boolean waited = false;
        if (!toolSlot) {
            if (queued.incrementAndGet() + gate.waiting() > config.queueCapacity()) {
                queued.decrementAndGet();
                return new FairGate.Admission(Optional.empty(), Optional.of(ShedReason.QUEUE_FULL), false);
            }
            try {
                if (!p.permits.tryAcquire(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    return new FairGate.Admission(Optional.empty(), Optional.of(ShedReason.TOOL_LIMIT), false);
                }
            } finally {
                queued.decrementAndGet();
            }
            waited = true;
        }
        FairGate.Admission a;
        try {
            a = gate.acquire(p, tenant, runtime.onProbation(p.tool), deadline);
        } catch (InterruptedException | RuntimeException e) {
            p.permits.release();
            throw e;
        }
        if (a.shed().isPresent()) {
            p.permits.release();
            return a;
        }
        if (waited || a.waited()) {
            observer.queueWait(p.tool, Duration.ofNanos(System.nanoTime() - start));
        }
        return a;
    }

    private WarmContext take(ToolPool p) {
        WarmContext w = p.ready.pollFirst();
        if (w != null) {
            p.warm.decrementAndGet();
            release(p);
        }
        return w;
    }

    private void release(ToolPool p) {
        p.slots.decrementAndGet();
        totalSlots.decrementAndGet();
    }

    /**
     * Reserves slots up to the pool's target (and the global cap) and creates a context for each. A
     * tool on probation (a recent call ran past its CPU or memory limit) gets none: its calls set up
     * their own context, at low priority, and leave the replenisher and the warm-context budget to
     * tools in good standing.
     */
    private void refill(ToolPool p) {
        // Checked on every round, not once: a refill that started before the tool went on probation
        // (its creations failing past its limit) must stop too, not keep creating until its target.
        while (!closed && !p.retired && !p.paused() && !runtime.onProbation(p.tool)) {
            int s = p.slots.get();
            if (s >= p.target) {
                return;
            }
            if (!p.slots.compareAndSet(s, s + 1)) {
                continue;
            }
            int g;
            do {
                g = totalSlots.get();
                if (g >= warmCap) {
                    p.slots.decrementAndGet();
                    return;
                }
            } while (!totalSlots.compareAndSet(g, g + 1));
            try {
                replenisher.execute(() -> create(p));
            } catch (RejectedExecutionException e) {
                release(p);
                return;
            }
        }
    }

    /** Runs on a replenisher thread: creates one warm context for a reserved slot. */
    private void create(ToolPool p) {
        if (closed || p.retired) {
            release(p);
            return;
        }
        long start = System.nanoTime();
        WarmContext w;
        try {
            w = runtime.prepare(p.tool);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "creating a warm context for " + p.tool + " failed", e);
            release(p);
            failed(p, start);
            return;
        }
        if (!w.ready()) {
            w.close();
            release(p);
            failed(p, start);
            return;
        }
        long elapsed = w.preparationTime().toNanos();
        p.prepNanos = (p.prepNanos * 7 + elapsed * 3) / 10;
        observer.contextCreated(p.tool, w.preparationTime());
        p.warm.incrementAndGet();
        p.ready.offerLast(w);
        if (closed || p.retired) {
            drain(p, closed ? EvictionReason.SHUTDOWN : EvictionReason.RETIRED);
        }
    }

    private void failed(ToolPool p, long start) {
        p.backoffUntil = System.nanoTime() + BACKOFF.toNanos();
        observer.creationFailed(p.tool, Duration.ofNanos(System.nanoTime() - start));
    }

    private void drain(ToolPool p, EvictionReason reason) {
        WarmContext w;
        while ((w = p.ready.pollLast()) != null) {
            evict(p, w, reason);
        }
    }

    private void evict(ToolPool p, WarmContext w, EvictionReason reason) {
        p.warm.decrementAndGet();
        release(p);
        w.close();
        p.evicted.increment();
        observer.evicted(p.tool, reason);
    }

    /** Resizes every pool from its recent call rate and concurrency; shrinks idle ones to the minimum. */
    private void tick() {
        try {
            long now = System.nanoTime();
            double perSecond = 1e9 / TICK.toNanos();
            for (ToolPool p : pools.values()) {
                long calls = p.callsSinceTick.sumThenReset();
                p.rate = p.rate * 0.7 + calls * perSecond * 0.3;
                int peak = p.peakRunning.getAndSet(p.running.get());
                boolean idle = now - p.lastCallNanos > config.idleShrinkAfter().toNanos();
                int want;
                if (idle) {
                    want = config.minWarmPerTool();
                } else {
                    // Contexts used while replenishing catches up, twice over, plus the recent concurrency.
                    double perThread = Math.max(p.prepNanos, 100_000) / 1e9;
                    want = Math.max(1, (int) Math.ceil(p.rate * perThread * 2 / config.replenishThreads()) + peak);
                }
                want = Math.clamp(want, config.minWarmPerTool(), config.maxWarmPerTool());
                p.target = want;
                EvictionReason reason = idle ? EvictionReason.IDLE : EvictionReason.SHRUNK;
                WarmContext w;
                while (p.warm.get() > want && (w = p.ready.pollLast()) != null) {
                    evict(p, w, reason);
                }
                refill(p);
                int warmNow = p.warm.get();
                if (warmNow != p.reportedWarm || want != p.reportedTarget) {
                    p.reportedWarm = warmNow;
                    p.reportedTarget = want;
                    observer.poolSize(p.tool, warmNow, want);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "pool maintenance failed; retrying next tick", e);
        }
    }

    /** A snapshot of the pool. */
    public PoolStats stats() {
        List<PoolStats.ToolStats> list = new ArrayList<>();
        int warm = 0;
        for (ToolPool p : pools.values()) {
            int w = Math.max(0, p.warm.get());
            int s = Math.max(w, p.slots.get());
            warm += w;
            list.add(new PoolStats.ToolStats(
                    p.tool.name(),
                    p.tool.codeDigest(),
                    w,
                    s - w,
                    p.target,
                    p.running.get(),
                    p.warmHits.sum(),
                    p.coldStarts.sum(),
                    p.shed.sum(),
                    p.evicted.sum()));
        }
        list.sort(Comparator.comparing(PoolStats.ToolStats::name));
        // The reserved total is exact (reservations never pass the cap); per-tool figures are read one
        // tool at a time, so only the total is a consistent snapshot.
        // Summed one tool at a time, warm can count a context taken from one tool and one created for
        // another since: every warm context holds a reserved slot, so the reserved total bounds it.
        int slots = totalSlots.get();
        warm = Math.min(warm, slots);
        return new PoolStats(
                warm, slots - warm, warmCap, running.get(), queued.get() + gate.waiting(), tools.estimatedSize(), list);
    }

    /**
     * Stops creating contexts and closes every warm context; calls after this are shed. Waits up to
     * {@code timeout} for creations under way to finish.
     *
     * @param timeout how long to wait for the replenisher threads
     */
    public void close(Duration timeout) {
        closed = true;
        ticker.shutdownNow();
        replenisher.shutdown();
        try {
            if (!replenisher.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warning("a warm context was still being created " + timeout.toMillis() + " ms after close");
                replenisher.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            replenisher.shutdownNow();
        }
        for (ToolPool p : pools.values()) {
            retire(p, EvictionReason.SHUTDOWN);
        }
        pools.clear();
        tools.invalidateAll();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
