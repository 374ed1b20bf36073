package dev.atoll.isolate.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.Outcome;
import dev.atoll.runtime.OutcomeKind;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The pool against the real runtime and real tools. */
class IsolatePoolTest {

    private static ToolRuntime runtime;
    private static final JsonNode ARGS = JsonNodeFactory.instance.objectNode();

    /** Counts its calls in a global and in module state: a reused context would answer more than 1. */
    private static final ToolSource COUNTER = ToolSource.js("counter.mjs", """
            export const tool = { name: "counter", description: "counts", inputSchema: { type: "object" } };
            let calls = 0;
            export default function () {
              globalThis.seen = (globalThis.seen ?? 0) + 1;
              calls++;
              return { global: globalThis.seen, module: calls };
            }
            """);

    @BeforeAll
    static void start() {
        runtime = ToolRuntime.builder().guestThreads(4).build();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    private static ToolSource version(String name, int v) {
        return ToolSource.js(name + ".mjs", """
                export const tool = { name: "%s", description: "v%d", inputSchema: { type: "object" } };
                export default () => ({ version: %d });
                """.formatted(name, v, v));
    }

    /** A tool that waits {@code ms} on a timer, so that calls overlap. */
    private static ToolSource sleeper(String name, int ms) {
        return ToolSource.js(name + ".mjs", """
                export const tool = { name: "%s", description: "sleeps", inputSchema: { type: "object" } };
                export default async () => { await new Promise((r) => setTimeout(r, %d)); return { slept: %d }; };
                """.formatted(name, ms, ms));
    }

    private static void await(String what, BooleanSupplier condition) {
        org.awaitility.Awaitility.await(what)
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(5))
                .until(condition::getAsBoolean);
    }

    private static void assertCountedOnce(CallResult r) {
        assertTrue(r.ok(), () -> r.toJson().toString());
        JsonNode v = ((Outcome.Ok) r.outcome()).value();
        assertEquals(1, v.path("global").asInt(), () -> "a context served more than one call: " + v);
        assertEquals(1, v.path("module").asInt(), () -> "a context served more than one call: " + v);
    }

    @Test
    void eachContextServesExactlyOneCall() throws Exception {
        RecordingObserver obs = new RecordingObserver();
        // Four callers of one tool on four guest threads: one waits for admission (a lone tool does not
        // take the reserved slot), long enough here not to be shed on a loaded machine.
        try (IsolatePool pool = IsolatePool.builder(runtime)
                .minWarmPerTool(4)
                .maxWarmPerTool(8)
                .queueDeadline(Duration.ofSeconds(30))
                .observer(obs)
                .build()) {
            Tool tool = pool.deploy(COUNTER);
            await("4 warm contexts", () -> pool.stats("counter").orElseThrow().warm() >= 4);
            for (int i = 0; i < 40; i++) {
                assertCountedOnce(pool.call(tool, ARGS));
                if (i % 4 == 3) {
                    await("refilled", () -> pool.stats("counter").orElseThrow().warm() >= 4);
                }
            }
            try (ExecutorService callers = Executors.newFixedThreadPool(4)) {
                List<Future<CallResult>> results = new ArrayList<>();
                for (int i = 0; i < 80; i++) {
                    results.add(callers.submit(() -> pool.call(tool, ARGS)));
                }
                for (Future<CallResult> f : results) {
                    assertCountedOnce(f.get());
                }
            }
            PoolStats.ToolStats s = pool.stats("counter").orElseThrow();
            assertEquals(120, s.warmHits() + s.coldStarts());
            assertTrue(s.warmHits() >= 10, () -> "too few warm hits: " + s);
            assertEquals(s.warmHits(), obs.warmHits.sum());
            assertEquals(s.coldStarts(), obs.coldStarts.sum());
            // Every served call is reported once with its start (the gateway's warm/cold histogram).
            assertEquals(s.warmHits(), obs.served(ContextStart.WARM));
            assertEquals(s.coldStarts(), obs.served(ContextStart.COLD));
        }
    }

    @Test
    void callsOnTheCallersThreadAlsoUseEachContextOnce() throws Exception {
        try (IsolatePool pool = IsolatePool.builder(runtime)
                .minWarmPerTool(2)
                .callOnCallerThread(true)
                .build()) {
            Tool tool = pool.deploy(COUNTER);
            await("2 warm contexts", () -> pool.stats("counter").orElseThrow().warm() >= 2);
            for (int i = 0; i < 20; i++) {
                assertCountedOnce(pool.call(tool, ARGS));
            }
            // A virtual-thread caller cannot run guest code itself: the pool hands the call off.
            try (ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 10; i++) {
                    assertCountedOnce(
                            virtual.submit(() -> pool.call(tool, ARGS)).get());
                }
            }
            assertTrue(pool.stats("counter").orElseThrow().warmHits() > 0);
        }
    }

    @Test
    void aVersionUpdateDrainsTheOldPool() throws Exception {
        RecordingObserver obs = new RecordingObserver();
        try (IsolatePool pool =
                IsolatePool.builder(runtime).minWarmPerTool(3).observer(obs).build()) {
            Tool v1 = pool.deploy(version("greeter", 1));
            await("v1 warm", () -> pool.stats("greeter").orElseThrow().warm() == 3);
            assertEquals(
                    1,
                    ((Outcome.Ok) pool.call(v1, ARGS).outcome())
                            .value()
                            .path("version")
                            .asInt());
            await("v1 refilled", () -> pool.stats("greeter").orElseThrow().warm() == 3);

            Tool v2 = pool.deploy(version("greeter", 2));
            PoolStats.ToolStats s = pool.stats("greeter").orElseThrow();
            assertEquals(v2.codeDigest(), s.codeDigest());
            assertEquals(3, obs.evicted(EvictionReason.RETIRED), "the old version's warm contexts are closed");
            await("v2 warm", () -> pool.stats("greeter").orElseThrow().warm() == 3);
            assertEquals(
                    2,
                    ((Outcome.Ok) pool.call(v2, ARGS).outcome())
                            .value()
                            .path("version")
                            .asInt());
            assertEquals(1, pool.stats().tools().size());
            assertEquals(3, obs.evicted(EvictionReason.RETIRED), "no v1 context was created after the update");

            await("v2 refilled", () -> pool.stats("greeter").orElseThrow().warm() == 3);
            assertTrue(pool.retire("greeter"));
            assertEquals(6, obs.evicted(EvictionReason.RETIRED));
            assertEquals(0, pool.stats().warm());
        }
    }

    @Test
    void identicalCodeIsLoadedOnce() {
        try (IsolatePool pool = IsolatePool.builder(runtime).build()) {
            Tool a = pool.load(version("cached", 1));
            Tool b = pool.deploy(version("cached", 1));
            assertSame(a, b);
            assertEquals(1, pool.stats().cachedTools());
        }
    }

    @Test
    void capsHoldUnderABurstFromManyThreads() throws Exception {
        RecordingObserver obs = new RecordingObserver();
        try (IsolatePool pool = IsolatePool.builder(runtime)
                .maxWarmPerTool(4)
                .maxWarmTotal(6)
                .toolConcurrency(3)
                .globalConcurrency(4)
                .queueCapacity(1000)
                .queueDeadline(Duration.ofSeconds(30))
                .replenishThreads(2)
                .observer(obs)
                .build()) {
            Tool a = pool.deploy(sleeper("sleepy_a", 5));
            Tool b = pool.deploy(sleeper("sleepy_b", 5));
            AtomicBoolean done = new AtomicBoolean();
            ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
            AtomicInteger samples = new AtomicInteger();
            Thread sampler = Thread.ofPlatform().start(() -> {
                while (!done.get()) {
                    PoolStats s = pool.stats();
                    samples.incrementAndGet();
                    if (s.warm() + s.creating() > 6) {
                        violations.add("global warm cap: " + s);
                    }
                    if (s.running() > 4) {
                        violations.add("global concurrency: " + s);
                    }
                    for (PoolStats.ToolStats t : s.tools()) {
                        if (t.warm() + t.creating() > 4) {
                            violations.add("per-tool warm cap: " + t);
                        }
                        if (t.running() > 3) {
                            violations.add("per-tool concurrency: " + t);
                        }
                    }
                    Thread.onSpinWait();
                }
            });
            int threads = 16;
            int perThread = 15;
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<List<CallResult>>> all = new ArrayList<>();
            try (ExecutorService callers = Executors.newFixedThreadPool(threads)) {
                for (int t = 0; t < threads; t++) {
                    Tool tool = t % 2 == 0 ? a : b;
                    all.add(CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    go.await();
                                } catch (InterruptedException e) {
                                    throw new IllegalStateException(e);
                                }
                                List<CallResult> rs = new ArrayList<>();
                                for (int i = 0; i < perThread; i++) {
                                    rs.add(pool.call(tool, ARGS));
                                }
                                return rs;
                            },
                            callers));
                }
                go.countDown();
                for (CompletableFuture<List<CallResult>> f : all) {
                    for (CallResult r : f.get()) {
                        assertTrue(r.ok(), () -> r.toJson().toString());
                    }
                }
            } finally {
                done.set(true);
                sampler.join();
            }
            assertTrue(violations.isEmpty(), () -> violations.size() + " violations, first: " + violations.peek());
            assertTrue(samples.get() > 100, "the sampler ran");
            PoolStats s = pool.stats();
            long calls = s.tools().stream()
                    .mapToLong(t -> t.warmHits() + t.coldStarts())
                    .sum();
            assertEquals(threads * perThread, calls);
            assertTrue(obs.queueWaits.sum() > 0, "the burst queued");
            assertEquals(0, s.running());
            assertEquals(0, s.queued());
        }
    }

    @Test
    void aBurstBeyondTheWarmContextsFallsBackToColdStarts() throws Exception {
        RecordingObserver obs = new RecordingObserver();
        // Eight callers of one tool on four guest threads: the tool runs three at once (all but the
        // reserved slot) and the rest wait for admission, long enough here not to be shed.
        try (IsolatePool pool = IsolatePool.builder(runtime)
                .minWarmPerTool(1)
                .maxWarmPerTool(1)
                .queueDeadline(Duration.ofSeconds(30))
                .observer(obs)
                .build()) {
            Tool tool = pool.deploy(COUNTER);
            await("1 warm context", () -> pool.stats("counter").orElseThrow().warm() == 1);
            try (ExecutorService callers = Executors.newFixedThreadPool(8)) {
                List<Future<CallResult>> results = new ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    results.add(callers.submit(() -> pool.call(tool, ARGS)));
                }
                for (Future<CallResult> f : results) {
                    assertCountedOnce(f.get());
                }
            }
            assertTrue(obs.coldStarts.sum() > 0, "a burst beyond the warm contexts is served cold");
            assertTrue(obs.warmHits.sum() > 0);
            assertEquals(32, obs.coldStarts.sum() + obs.warmHits.sum());
        }
    }

    @Test
    void idleToolsShrinkToZero() throws Exception {
        RecordingObserver obs = new RecordingObserver();
        try (IsolatePool pool = IsolatePool.builder(runtime)
                .maxWarmPerTool(4)
                .idleShrinkAfter(Duration.ofMillis(1000))
                .observer(obs)
                .build()) {
            Tool tool = pool.deploy(COUNTER);
            assertEquals(0, pool.stats("counter").orElseThrow().warm(), "min 0: nothing warm before a call");
            assertCountedOnce(pool.call(tool, ARGS));
            await(
                    "a warm context after a call",
                    () -> pool.stats("counter").orElseThrow().warm() >= 1);
            // The observer hears of the eviction after the count drops: wait for both, not one then assert.
            await(
                    "shrunk to zero, the warm context evicted as idle",
                    () -> pool.stats("counter").orElseThrow().warm() == 0
                            && pool.stats("counter").orElseThrow().target() == 0
                            && obs.evicted(EvictionReason.IDLE) >= 1);
            assertEquals(0, pool.stats().warm() + pool.stats().creating());
        }
    }

    @Test
    void shutdownClosesEveryContext() throws Exception {
        RecordingObserver obs = new RecordingObserver();
        IsolatePool pool = IsolatePool.builder(runtime)
                .minWarmPerTool(4)
                .maxWarmPerTool(6)
                .replenishThreads(2)
                .observer(obs)
                .build();
        Tool a = pool.deploy(COUNTER);
        Tool b = pool.deploy(version("other", 1));
        await("both warm", () -> pool.stats().warm() == 8);
        for (int i = 0; i < 6; i++) {
            assertTrue(pool.call(i % 2 == 0 ? a : b, ARGS).ok());
        }
        await("both refilled", () -> pool.stats().warm() == 8);
        pool.close();
        // Every context created was either used by exactly one call or closed unused.
        assertEquals(
                obs.created.sum(),
                obs.warmHits.sum() + obs.evictedTotal(),
                () -> "created " + obs.created.sum() + ", used " + obs.warmHits.sum() + ", evicted " + obs.evicted);
        assertTrue(obs.evicted(EvictionReason.SHUTDOWN) >= 8);
        PoolStats s = pool.stats();
        assertEquals(0, s.warm());
        assertEquals(0, s.creating());
        assertEquals(0, s.tools().size());
        // close() has joined the replenisher threads: nothing can be created after it returned.
        assertEquals(obs.created.sum(), obs.warmHits.sum() + obs.evictedTotal(), "nothing created after close");
        CallResult after = pool.call(a, ARGS);
        assertEquals(OutcomeKind.LOAD_SHED, after.outcome().kind());
        assertEquals(1, obs.shed(ShedReason.CLOSED));
    }

    @Test
    void callsBeyondTheToolLimitAndQueueAreShedWithARetryHint() throws Exception {
        RecordingObserver obs = new RecordingObserver();
        try (IsolatePool pool = IsolatePool.builder(runtime)
                        .toolConcurrency(1)
                        .queueCapacity(1)
                        .queueDeadline(Duration.ofMillis(200))
                        .retryAfter(Duration.ofMillis(750))
                        .observer(obs)
                        .build();
                ExecutorService callers = Executors.newFixedThreadPool(2)) {
            Tool tool = pool.deploy(sleeper("slow", 1500));
            Future<CallResult> first = callers.submit(() -> pool.call(tool, ARGS));
            await("the first call runs", () -> pool.stats().running() == 1);
            Future<CallResult> queued = callers.submit(() -> pool.call(tool, ARGS));
            await("the second call queues", () -> pool.stats().queued() == 1);

            CallResult third = pool.call(tool, ARGS);
            Outcome.LoadShed shed = assertInstanceOf(Outcome.LoadShed.class, third.outcome());
            assertEquals(Duration.ofMillis(750), shed.retryAfter());
            assertEquals("load_shed", third.toJson().path("outcome").asText());
            assertEquals(750, third.toJson().path("error").path("retryAfterMs").asInt());
            assertEquals(1, obs.shed(ShedReason.QUEUE_FULL));

            assertInstanceOf(Outcome.LoadShed.class, queued.get().outcome(), "shed at the queue deadline");
            assertEquals(1, obs.shed(ShedReason.TOOL_LIMIT));
            assertTrue(first.get().ok());
            assertEquals(2, pool.stats("slow").orElseThrow().shed());
            assertTrue(pool.call(tool, ARGS).ok(), "admitted again once the slot is free");
        }
    }

    @Test
    void callsBeyondTheGlobalLimitAreShed() throws Exception {
        RecordingObserver obs = new RecordingObserver();
        try (IsolatePool pool = IsolatePool.builder(runtime)
                        .globalConcurrency(1)
                        .queueCapacity(10)
                        .queueDeadline(Duration.ofMillis(100))
                        .observer(obs)
                        .build();
                ExecutorService callers = Executors.newFixedThreadPool(1)) {
            Tool slow = pool.deploy(sleeper("slow_global", 1000));
            Tool other = pool.deploy(version("quick", 1));
            Future<CallResult> first = callers.submit(() -> pool.call(slow, ARGS));
            await("the first call runs", () -> pool.stats().running() == 1);
            long start = System.nanoTime();
            // Another tenant's call of another tool, within both shares: it waits for the one slot.
            CallResult r = pool.call(other, ARGS, "another-tenant");
            long waited = System.nanoTime() - start;
            assertEquals(OutcomeKind.LOAD_SHED, r.outcome().kind());
            assertTrue(waited >= Duration.ofMillis(90).toNanos(), "waited the queue deadline first: " + waited);
            assertEquals(1, obs.shed(ShedReason.GLOBAL_LIMIT));
            assertTrue(first.get().ok());
            assertTrue(pool.call(other, ARGS).ok());
        }
    }

    @Test
    void aToolWhoseContextsCannotBeCreatedRunsColdAndAnswersWithTheFailure() throws Exception {
        RecordingObserver obs = new RecordingObserver();
        try (IsolatePool pool =
                IsolatePool.builder(runtime).minWarmPerTool(2).observer(obs).build()) {
            // Loading runs under the default limits; each context is created under the tool's own (1 MiB).
            Tool tool = pool.deploy(ToolSource.js("heavy.mjs", """
                    globalThis.table = "x".repeat(3 * 1024 * 1024);
                    export const tool = { name: "heavy", description: "d", inputSchema: { type: "object" },
                                          limits: { memoryMb: 1 } };
                    export default () => table.length;"""));
            await("a failed creation", () -> obs.creationFailed.sum() >= 1);
            assertEquals(0, pool.stats("heavy").orElseThrow().warm());
            CallResult r = pool.call(tool, ARGS);
            assertEquals(
                    OutcomeKind.MEMORY_EXCEEDED,
                    r.outcome().kind(),
                    () -> r.toJson().toString());
            assertEquals(1, pool.stats("heavy").orElseThrow().coldStarts());
            // Its contexts ran past its memory limit: the tool is on probation, and the pool stops creating
            // contexts for it (they would only fail again) while its calls set up their own, at low priority.
            assertTrue(runtime.onProbation(tool));
            // A creation already under way when it went on probation may still fail once; after that the
            // count must stay put for 1.5 s (compared with the previous poll, not with a count taken before
            // the in-flight creation ended).
            java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong(-1);
            org.awaitility.Awaitility.await()
                    .during(Duration.ofMillis(1500))
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> last.getAndSet(obs.creationFailed.sum()) == obs.creationFailed.sum());
            assertEquals(
                    OutcomeKind.MEMORY_EXCEEDED, pool.call(tool, ARGS).outcome().kind());
        }
    }

    @Test
    void theBuilderNamesABadValue() {
        IsolatePool.Builder b = IsolatePool.builder(runtime);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.maxWarmPerTool(-1))
                .getMessage()
                .contains("maxWarmPerTool"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.queueDeadline(Duration.ofSeconds(-1)))
                .getMessage()
                .contains("queueDeadline"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.toolConcurrency(0))
                .getMessage()
                .contains("toolConcurrency"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> IsolatePool.builder(runtime)
                                .minWarmPerTool(5)
                                .maxWarmPerTool(2)
                                .build())
                .getMessage()
                .contains("minWarmPerTool (5)"));
        assertThrows(NullPointerException.class, () -> IsolatePool.builder(null));
    }

    @Test
    void theMemoryBudgetCapsTheWarmContexts() {
        try (IsolatePool pool = IsolatePool.builder(runtime)
                .memoryBudgetBytes(10L * 1024 * 1024)
                .contextBytes(1024 * 1024)
                .maxWarmTotal(100)
                .build()) {
            assertEquals(10, pool.config().warmCap());
            assertEquals(10, pool.stats().warmCap());
        }
    }
}
