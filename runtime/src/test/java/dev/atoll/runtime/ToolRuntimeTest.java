package dev.atoll.runtime;

import static dev.atoll.runtime.Tools.module;
import static dev.atoll.runtime.Tools.tool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The runtime's contract for well-behaved and badly written (not hostile) tools. */
class ToolRuntimeTest {

    static ToolRuntime runtime;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        runtime = ToolRuntime.builder().build();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static final String WORDS = """
            export const tool = {
              name: "word_count",
              title: "Word count",
              description: "Counts words",
              inputSchema: { type: "object", properties: { text: { type: "string", pattern: "^[^<]*$" } },
                             required: ["text"], additionalProperties: false },
              outputSchema: { type: "object", properties: { words: { type: "integer" } }, required: ["words"] },
              egress: ["api.example.com", "files.example.com:8443"],
              secrets: { API_KEY: ["api.example.com"] },
              limits: { cpuMs: 50, memoryMb: 16, wallMs: 2000 },
            };
            export default async function (args, env) {
              console.info("counting", args.text.length, "chars");
              return { words: args.text.split(/\\s+/).filter(Boolean).length };
            }
            """;

    @Test
    void runsAToolAndReportsResultLogsAndReceipt() {
        Tool t = runtime.load(module(WORDS));
        CallResult r = runtime.call(t, json("{\"text\":\"a quick  brown fox\"}"));
        assertTrue(r.ok(), r.toJson().toString());
        assertEquals(4, ((Outcome.Ok) r.outcome()).value().get("words").asInt());
        assertEquals(List.of(new LogEntry(LogEntry.Level.INFO, "counting 18 chars")), r.logs());
        assertTrue(
                r.receipt().cpu().toNanos() > 0 && r.receipt().allocatedBytes() > 0,
                r.toJson().toString());
        JsonNode out = r.toJson();
        assertEquals("ok", out.get("outcome").asText());
        assertEquals(4, out.get("result").get("words").asInt());
        assertTrue(out.get("receipt").has("cpuMs"));
    }

    @Test
    void manifestIsReadAndLimitsAreCappedByTheMaxima() {
        Tool t = runtime.load(module(WORDS));
        ToolManifest m = t.manifest();
        assertEquals("word_count", m.name());
        assertEquals("Word count", m.title().orElseThrow());
        assertEquals(List.of("api.example.com", "files.example.com:8443"), m.egress());
        assertEquals(List.of("api.example.com"), m.secrets().get("API_KEY"));
        assertEquals(Duration.ofMillis(50), t.limits().cpu());
        assertEquals(16L << 20, t.limits().memoryBytes());
        Tool greedy = runtime.load(tool("{ cpuMs: 999999, memoryMb: 99999 }", "return 1;"));
        assertEquals(Limits.defaultMaxima().cpu(), greedy.limits().cpu());
        assertEquals(Limits.defaultMaxima().memoryBytes(), greedy.limits().memoryBytes());
        assertEquals(m.name(), m.toJson().get("name").asText());
    }

    @Test
    void envCarriesTheToolNameAndOpaqueSecretPlaceholders() {
        Tool t = runtime.load(module(WORDS.replace("return { words:", "return { env, words:")
                .replace("required: [\"words\"] }", "required: [\"words\"] }")));
        JsonNode env = ((Outcome.Ok) runtime.call(t, json("{\"text\":\"x\"}")).outcome())
                .value()
                .get("env");
        assertEquals("word_count", env.get("tool").get("name").asText());
        assertEquals(t.codeDigest(), env.get("tool").get("digest").asText());
        assertTrue(env.get("secrets").get("API_KEY").asText().startsWith("atoll-secret:"));
    }

    @Test
    void argumentsAreValidatedBeforeTheToolRuns() {
        Tool t = runtime.load(module(WORDS));
        CallResult r = runtime.call(t, json("{\"text\": 42, \"extra\": true}"));
        assertEquals(OutcomeKind.INVALID_ARGUMENTS, r.outcome().kind());
        List<String> errors = ((Outcome.InvalidArguments) r.outcome()).errors();
        assertTrue(errors.stream().anyMatch(e -> e.startsWith("/text")), errors.toString());
        assertTrue(r.logs().isEmpty(), "the tool must not have run");
        assertEquals(
                OutcomeKind.INVALID_ARGUMENTS,
                runtime.run(module(WORDS), "{not json").outcome().kind());
    }

    @Test
    void schemaPatternsRunInLinearTime() {
        Tool t = runtime.load(module("""
                export const tool = { name: "p", description: "d",
                  inputSchema: { type: "object", properties: { s: { type: "string", pattern: "^(a+)+$" } } } };
                export default () => 1;"""));
        long start = System.nanoTime();
        CallResult r = runtime.call(t, json("{\"s\":\"" + "a".repeat(50_000) + "b\"}"));
        assertEquals(OutcomeKind.INVALID_ARGUMENTS, r.outcome().kind());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos(), "validation must not backtrack");
    }

    @Test
    void resultsAreValidatedAgainstTheOutputSchema() {
        Tool t = runtime.load(module(WORDS.replace("return { words:", "return { words: 'many', n:")));
        CallResult r = runtime.call(t, json("{\"text\":\"a b\"}"));
        assertEquals(OutcomeKind.INVALID_OUTPUT, r.outcome().kind(), r.toJson().toString());
    }

    @Test
    void toolErrorsKeepOnlyToolFrames() {
        CallResult r = runtime.call(runtime.load(module("""
                export const tool = { name: "e", description: "d", inputSchema: { type: "object" } };
                function inner() { throw new TypeError("bad input: " + 42); }
                export default async function () { inner(); }""")), json("{}"));
        Outcome.ToolError e = (Outcome.ToolError) r.outcome();
        assertEquals("TypeError: bad input: 42", e.message());
        assertFalse(e.stack().isEmpty());
        assertTrue(
                e.stack().stream().allMatch(f -> f.contains("hostile.mjs:")),
                e.stack().toString());
        assertTrue(
                e.stack().getFirst().startsWith("at inner (hostile.mjs:2:"),
                e.stack().toString());
        assertEquals(
                OutcomeKind.TOOL_ERROR,
                runtime.call(runtime.load(tool("throw 'plain string';")), json("{}"))
                        .outcome()
                        .kind());
    }

    @Test
    void invalidToolFilesAreRejectedWithAReason() {
        record Case(String code, String expected) {}
        List<Case> cases = List.of(
                new Case("export const tool = {", "syntax error"),
                new Case("export default () => 1;", "manifest"),
                new Case(
                        "export const tool = { name: 'ok', description: 'd', inputSchema: { type: 'object' } };",
                        "default function"),
                new Case(
                        "export const tool = { name: 'Bad-Name', description: 'd', inputSchema: { type: 'object' } };"
                                + " export default () => 1;",
                        "tool.name"),
                new Case(
                        "export const tool = { name: 'x', description: 'd', inputSchema: { type: 'object' }, egres: [] };"
                                + " export default () => 1;",
                        "tool.egres is not a manifest key"),
                new Case(
                        "export const tool = { name: 'x', description: 'd', inputSchema: { type: 'string' } };"
                                + " export default () => 1;",
                        "inputSchema"),
                new Case(
                        "export const tool = { name: 'x', description: 'd', inputSchema: { type: 'object' },"
                                + " egress: ['10.0.0.1:80x'] }; export default () => 1;",
                        "tool.egress"),
                new Case(
                        "export const tool = { name: 'x', description: 'd', inputSchema: { type: 'object' },"
                                + " limits: { cpuMs: -5 } }; export default () => 1;",
                        "tool.limits.cpuMs"),
                new Case(
                        "export const tool = { name: 'x', description: 'd', inputSchema: { type: 'object',"
                                + " properties: { a: { $ref: 'https://example.com/schema.json' } } } }; export default () => 1;",
                        "inputSchema"),
                new Case(
                        "export const tool = { name: 'x', description: 'd', inputSchema: { type: 'object',"
                                + " properties: { a: { type: 'string', pattern: '(a)\\\\1' } } } }; export default () => 1;",
                        "RE2"),
                new Case("throw new Error('top-level boom'); export const tool = {};", "top-level boom"));
        for (Case c : cases) {
            InvalidToolException e =
                    assertThrows(InvalidToolException.class, () -> runtime.load(module(c.code())), c.code());
            assertTrue(e.getMessage().contains(c.expected()), c.code() + " -> " + e.getMessage());
            CallResult r = runtime.run(module(c.code()), "{}");
            assertEquals(OutcomeKind.INVALID_TOOL, r.outcome().kind());
        }
    }

    @Test
    void timersWorkWithinTheWallBudget() {
        JsonNode v =
                ((Outcome.Ok) runtime.call(runtime.load(tool("""
                const order = [];
                const a = setTimeout(() => order.push("cancelled"), 5);
                clearTimeout(a);
                // Far apart, so that a GC or scheduling stall between the two lines cannot swap them.
                setTimeout(() => order.push("second"), 300);
                setTimeout(() => order.push("first"), 10);
                await new Promise((r) => setTimeout(r, 400));
                return order;""")), json("{}")).outcome()).value();
        assertEquals("[\"first\",\"second\"]", v.toString());
    }

    @Test
    void aWarmContextServesExactlyOneCall() {
        Tool t = runtime.load(tool("globalThis.n = (globalThis.n || 0) + 1; return globalThis.n;"));
        WarmContext warm = runtime.prepare(t);
        assertTrue(warm.ready());
        assertTrue(warm.preparationTime().toNanos() > 0);
        CallResult r = runtime.call(warm, json("{}"));
        assertEquals(1, ((Outcome.Ok) r.outcome()).value().asInt());
        assertThrows(IllegalStateException.class, () -> runtime.call(warm, json("{}")));
        WarmContext unused = runtime.prepare(t);
        unused.close();
        assertThrows(IllegalStateException.class, () -> runtime.call(unused, json("{}")));
    }

    @Test
    void aWarmContextCanRunOnTheCallersPlatformThreadOnly() throws Exception {
        Tool t = runtime.load(tool("globalThis.n = (globalThis.n || 0) + 1; return globalThis.n;"));
        WarmContext warm = runtime.prepare(t);
        CallResult r = runtime.callOnCurrentThread(warm, json("{}"));
        assertEquals(1, ((Outcome.Ok) r.outcome()).value().asInt());
        assertTrue(r.receipt().cpu().toNanos() > 0, "the caller's CPU time is measured");
        assertThrows(IllegalStateException.class, () -> runtime.callOnCurrentThread(warm, json("{}")));

        WarmContext other = runtime.prepare(t);
        try (ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            virtual.submit(() -> assertThrows(
                            IllegalStateException.class, () -> runtime.callOnCurrentThread(other, json("{}"))))
                    .get();
        }
        // Refused before the context was taken: it is still usable.
        assertEquals(
                1,
                ((Outcome.Ok) runtime.callOnCurrentThread(other, json("{}")).outcome())
                        .value()
                        .asInt());

        WarmContext bad = runtime.prepare(runtime.load(module("""
                export const tool = { name: "x", description: "d",
                  inputSchema: { type: "object", required: ["q"] } };
                export default () => 1;""")));
        assertEquals(
                OutcomeKind.INVALID_ARGUMENTS,
                runtime.callOnCurrentThread(bad, json("{}")).outcome().kind());
    }

    @Test
    void aWarmContextWhosePreparationFailsAnswersItsCallWithTheFailure() {
        // Loading runs under the default limits; preparing a call runs under the tool's own (1 MiB).
        Tool t = runtime.load(module("""
                globalThis.table = "x".repeat(3 * 1024 * 1024);
                export const tool = { name: "x", description: "d", inputSchema: { type: "object" },
                                      limits: { memoryMb: 1 } };
                export default () => table.length;"""));
        WarmContext w = runtime.prepare(t);
        assertFalse(w.ready());
        assertEquals(
                OutcomeKind.MEMORY_EXCEEDED,
                runtime.call(w, json("{}")).outcome().kind());
    }

    /** A binding whose {@code gate()} holds the calling guest until the test opens the gate. */
    static final class Gate implements dev.atoll.runtime.spi.HostBinding {
        final java.util.concurrent.LinkedBlockingQueue<dev.atoll.runtime.spi.PendingOperation> waiting =
                new java.util.concurrent.LinkedBlockingQueue<>();

        @Override
        public String name() {
            return "gate";
        }

        @Override
        public String guestScript() {
            return """
                    (function (host) {
                      const waiting = new Map();
                      globalThis.gate = () => new Promise((resolve) => { waiting.set(host('gate'), resolve); });
                      return (id, payload) => { const r = waiting.get(id); waiting.delete(id); r(payload); };
                    })
                    """;
        }

        @Override
        public dev.atoll.runtime.spi.BindingCall open(dev.atoll.runtime.spi.CallScope scope) {
            return new dev.atoll.runtime.spi.BindingCall() {
                @Override
                public Object invoke(String operation, dev.atoll.runtime.spi.GuestArgs args) {
                    dev.atoll.runtime.spi.PendingOperation op = scope.begin();
                    waiting.add(op);
                    return op.id();
                }

                @Override
                public void close() {}
            };
        }
    }

    @Test
    void callsBeyondThreadsAndQueueAreShed() throws Exception {
        Gate gate = new Gate();
        try (ToolRuntime small = ToolRuntime.builder()
                        .guestThreads(1)
                        .queueCapacity(1)
                        .binding(gate)
                        .retryAfter(Duration.ofMillis(123))
                        .build();
                ExecutorService callers = Executors.newFixedThreadPool(4)) {
            Tool held = small.load(tool("{ wallMs: 60000 }", "await gate(); return 1;"));
            // The one guest thread is busy once the first call waits at the gate.
            CompletableFuture<CallResult> first =
                    CompletableFuture.supplyAsync(() -> small.call(held, json("{}")), callers);
            dev.atoll.runtime.spi.PendingOperation firstAtGate =
                    gate.waiting.poll(60, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(firstAtGate != null, "the first call never reached the gate");
            // Three more: the queue (capacity 1) takes one of them, whichever comes first; the other two are shed
            // at once, without waiting for the thread.
            List<CompletableFuture<CallResult>> more = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                more.add(CompletableFuture.supplyAsync(() -> small.call(held, json("{}")), callers));
            }
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> more.stream().filter(CompletableFuture::isDone).count() == 2);
            for (CompletableFuture<CallResult> c : more) {
                if (c.isDone()) {
                    Outcome.LoadShed shed = (Outcome.LoadShed) c.join().outcome();
                    assertEquals(Duration.ofMillis(123), shed.retryAfter());
                }
            }
            assertTrue(gate.waiting.isEmpty(), "a shed call ran");
            firstAtGate.complete("open");
            assertEquals(
                    OutcomeKind.OK,
                    first.get().outcome().kind(),
                    first.get().toJson().toString());
            // The queued call runs once the thread is free.
            gate.waiting.poll(60, java.util.concurrent.TimeUnit.SECONDS).complete("open");
            CompletableFuture<CallResult> queued = more.stream()
                    .filter(c -> c.join().outcome().kind() != OutcomeKind.LOAD_SHED)
                    .findFirst()
                    .orElseThrow();
            assertEquals(
                    OutcomeKind.OK,
                    queued.join().outcome().kind(),
                    queued.join().toJson().toString());
        }
    }

    @Test
    void aCallStillQueuedAtItsWallLimitIsShedNotAnsweredAsStuck() throws Exception {
        Gate gate = new Gate();
        try (ToolRuntime small = ToolRuntime.builder()
                        .guestThreads(1)
                        .queueCapacity(4)
                        .binding(gate)
                        .retryAfter(Duration.ofMillis(77))
                        .build();
                ExecutorService callers = Executors.newFixedThreadPool(2)) {
            Tool held = small.load(tool("{ wallMs: 60000 }", "await gate(); return 1;"));
            Tool quick = small.load(tool("{ wallMs: 1000 }", "return 2;"));
            CompletableFuture<CallResult> first =
                    CompletableFuture.supplyAsync(() -> small.call(held, json("{}")), callers);
            dev.atoll.runtime.spi.PendingOperation atGate =
                    gate.waiting.poll(60, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(atGate != null, "the first call never reached the gate");
            // The thread stays busy past the quick call's 1 s wall limit: it never started, so it is shed
            // (retry later), not reported as a guest that did not stop.
            CallResult waited = small.call(quick, json("{}"));
            Outcome.LoadShed shed = (Outcome.LoadShed) waited.outcome();
            assertEquals(Duration.ofMillis(77), shed.retryAfter());
            atGate.complete("open");
            assertEquals(OutcomeKind.OK, first.get().outcome().kind());
            assertEquals(OutcomeKind.OK, small.call(quick, json("{}")).outcome().kind(), "the node serves again");
            assertEquals(0, small.abandonedThreadsTotal());
        }
    }

    /**
     * Issue #23: the wait for a guest thread is reported per call. With one guest thread held by a
     * call, a second call queues; once it is queued (its caller blocks in the runtime's wait), the
     * first is let go and runs 300 ms more, so the second reports a wait of at least that. Each call
     * reports exactly one wait, before its completion (both on the caller's thread).
     */
    @Test
    void aCallQueuedForAGuestThreadReportsItsWait() throws Exception {
        Gate gate = new Gate();
        List<Duration> waits = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.Set<Thread> waitedOn = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<Boolean> completedAfterWait = java.util.Collections.synchronizedList(new ArrayList<>());
        try (ToolRuntime small = ToolRuntime.builder()
                        .guestThreads(1)
                        .queueCapacity(2)
                        .binding(gate)
                        .observer(new RuntimeObserver() {
                            @Override
                            public void guestThreadWait(Tool tool, Duration waited) {
                                waits.add(waited);
                                waitedOn.add(Thread.currentThread());
                            }

                            @Override
                            public void callCompleted(Tool tool, CallResult result) {
                                completedAfterWait.add(waitedOn.contains(Thread.currentThread()));
                            }
                        })
                        .build();
                ExecutorService callers = Executors.newFixedThreadPool(2)) {
            Tool held = small.load(tool(
                    "{ wallMs: 60000, cpuMs: 30000 }",
                    "await gate(); const end = Date.now() + 300; while (Date.now() < end) { } return 1;"));
            Tool quick = small.load(tool("{ wallMs: 60000 }", "return 2;"));
            CompletableFuture<CallResult> first =
                    CompletableFuture.supplyAsync(() -> small.call(held, json("{}")), callers);
            dev.atoll.runtime.spi.PendingOperation atGate =
                    gate.waiting.poll(60, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(atGate != null, "the first call never reached the gate");
            java.util.concurrent.atomic.AtomicReference<Thread> caller =
                    new java.util.concurrent.atomic.AtomicReference<>();
            CompletableFuture<CallResult> second = CompletableFuture.supplyAsync(
                    () -> {
                        caller.set(Thread.currentThread());
                        return small.call(quick, json("{}"));
                    },
                    callers);
            // Queued: its caller waits in the runtime for the guest thread's answer.
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> caller.get() != null
                            && java.util.Arrays.stream(caller.get().getStackTrace())
                                    .anyMatch(f -> f.getMethodName().equals("waitFor")));
            atGate.complete("open");
            assertEquals(
                    OutcomeKind.OK,
                    first.get().outcome().kind(),
                    first.get().toJson().toString());
            assertEquals(
                    OutcomeKind.OK,
                    second.get().outcome().kind(),
                    second.get().toJson().toString());
            assertEquals(2, waits.size(), waits.toString());
            assertTrue(
                    waits.stream().mapToLong(Duration::toMillis).max().orElseThrow() >= 250,
                    "the queued call waited for the first's 300 ms: " + waits);
            assertEquals(List.of(true, true), completedAfterWait);
        }
    }

    @Test
    void observerSeesEveryCall() {
        List<OutcomeKind> seen = new ArrayList<>();
        try (ToolRuntime observed = ToolRuntime.builder()
                .observer(new RuntimeObserver() {
                    @Override
                    public synchronized void callCompleted(Tool tool, CallResult result) {
                        seen.add(result.outcome().kind());
                    }
                })
                .build()) {
            Tool t = observed.load(tool("return args.x.y;"));
            observed.call(t, json("{\"x\":{\"y\":1}}"));
            observed.call(t, json("{}"));
        }
        assertEquals(List.of(OutcomeKind.OK, OutcomeKind.TOOL_ERROR), seen);
    }

    @Test
    void runtimeInfoSaysWhetherTheJitIsOn() {
        RuntimeInfo info = runtime.info();
        assertFalse(info.reason().isBlank());
        assertEquals("25.0.3", info.graalVersion());
        // surefire starts the JVM with the JIT flags (atoll.test.args in the root POM)
        assertTrue(info.optimizing(), info.reason());
    }

    @Test
    void backgroundJitWarmUpRunsForItsDurationBesideRealCalls() throws Exception {
        try (ToolRuntime warming =
                ToolRuntime.builder().jitWarmUp(Duration.ofMillis(1500)).build()) {
            assertTrue(warmUpThreadAlive(), "the warm-up thread should be running");
            assertFalse(warming.warmedUp(), "warm-up not over yet (readiness waits for it)");
            Tool t = warming.load(tool("return args.a + 1;"));
            for (int i = 0; i < 20; i++) {
                assertEquals(
                        i + 1,
                        ((Outcome.Ok) warming.call(t, json("{\"a\":" + i + "}")).outcome())
                                .value()
                                .asInt());
            }
            org.awaitility.Awaitility.await("the warm-up thread to stop after its duration")
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> !warmUpThreadAlive());
            assertTrue(warming.warmedUp(), "the warm-up is over once its thread ended");
        }
        assertTrue(runtime.warmedUp(), "a runtime without warm-up is warmed up at once");
    }

    static boolean warmUpThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("atoll-jit-warmup"));
    }

    @Test
    void builderRejectsBadValuesNamingThem() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> ToolRuntime.builder().guestThreads(0));
        assertTrue(e.getMessage().contains("guestThreads"));
        assertThrows(IllegalArgumentException.class, () -> ToolRuntime.builder().heapGuardRatio(1.5));
        assertThrows(
                IllegalArgumentException.class, () -> new Limits(Duration.ZERO, Duration.ofSeconds(1), 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> ToolSource.js("../etc/passwd", "x"));
    }
}
