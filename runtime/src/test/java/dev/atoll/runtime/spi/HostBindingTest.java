package dev.atoll.runtime.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.EgressRecord;
import dev.atoll.runtime.OutcomeKind;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import dev.atoll.runtime.WarmContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The binding SPI with a real asynchronous binding: {@code later(text, ms)} resolves with {@code text}
 * after {@code ms} on a host thread; {@code never()} starts an operation that is never completed.
 */
class HostBindingTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final ScheduledExecutorService HOST = Executors.newSingleThreadScheduledExecutor();
    static final Later LATER = new Later();
    static ToolRuntime runtime;

    /** A small asynchronous binding, the way host-bindings' fetch is built. */
    static final class Later implements HostBinding {
        final AtomicInteger closed = new AtomicInteger();
        final ConcurrentLinkedQueue<CallScope> scopes = new ConcurrentLinkedQueue<>();
        volatile CountDownLatch closedLatch = new CountDownLatch(1);

        @Override
        public String name() {
            return "later";
        }

        @Override
        public String guestScript() {
            return """
                    (function (host) {
                      const waiting = new Map();
                      globalThis.later = (text, ms) => new Promise((resolve, reject) => {
                        const id = host('later', String(text), +ms);
                        if (typeof id !== 'number') { reject(new TypeError('later is not available here')); return; }
                        waiting.set(id, resolve);
                      });
                      globalThis.never = () => new Promise(() => { host('never'); });
                      globalThis.hostType = () => String(host('echo', 'x'));
                      return (id, payload) => { const r = waiting.get(id); waiting.delete(id); r(payload); };
                    })
                    """;
        }

        @Override
        public BindingCall open(CallScope scope) {
            scopes.add(scope);
            return new BindingCall() {
                @Override
                public Object invoke(String operation, GuestArgs args) {
                    return switch (operation) {
                        case "later" -> {
                            PendingOperation op = scope.begin();
                            String text = args.string(0);
                            HOST.schedule(() -> op.complete(text), (long) args.number(1), TimeUnit.MILLISECONDS);
                            scope.record(new EgressRecord(
                                    "later.example", "GET", 200, 0, text.length(), Duration.ofMillis(1), "ok"));
                            yield op.id();
                        }
                        case "never" -> scope.begin().id();
                        case "echo" -> args.string(0);
                        default -> null;
                    };
                }

                @Override
                public void close() {
                    closed.incrementAndGet();
                    closedLatch.countDown();
                }
            };
        }
    }

    @BeforeAll
    static void start() {
        runtime = ToolRuntime.builder().binding(LATER).build();
    }

    @AfterAll
    static void stop() {
        runtime.close();
        HOST.shutdownNow();
    }

    static Tool tool(String wallMs, String body) {
        return runtime.load(ToolSource.js("later.mjs", """
                export const tool = { name: "later", description: "d", inputSchema: { type: "object" },
                  egress: ["a.example.com"], secrets: { K: ["a.example.com"] }, limits: { wallMs: %s } };
                export default async function (args, env) { %s }
                """.formatted(wallMs, body)));
    }

    static JsonNode empty() {
        return JSON.createObjectNode();
    }

    @Test
    void hostCompletionsResolveGuestPromisesOnTheGuestThreadInterleavedWithTimers() {
        Tool t = tool("3000", """
                const order = [];
                setTimeout(() => order.push('timer'), 5); // gaps of 200+ ms keep the order on a loaded machine
                const [a, b] = await Promise.all([later('a', 600).then(v => (order.push(v), v)), later('b', 200).then(v => (order.push(v), v))]);
                return { a, b, order };
                """);
        CallResult r = runtime.call(t, empty());
        assertTrue(r.ok(), r.toJson().toString());
        assertEquals(
                "{\"a\":\"a\",\"b\":\"b\",\"order\":[\"timer\",\"b\",\"a\"]}",
                r.toJson().get("result").toString());
        List<EgressRecord> egress = r.receipt().egress();
        assertEquals(2, egress.size());
        assertEquals("later.example", r.toJson().at("/receipt/egress/0/host").asText());
        CallScope scope = LATER.scopes.stream().reduce((x, y) -> y).orElseThrow();
        assertEquals("later", scope.toolName());
        assertEquals(t.codeDigest(), scope.toolDigest());
        assertEquals(List.of("a.example.com"), scope.egress());
        assertEquals(List.of("a.example.com"), scope.secrets().get("K"));
        assertTrue(scope.ended());
        assertThrows(IllegalStateException.class, scope::begin);
    }

    @Test
    void aPendingOperationKeepsTheCallAliveUntilTheDeadlineAndIsClosedThere() throws Exception {
        LATER.closedLatch = new CountDownLatch(1);
        int before = LATER.closed.get();
        Tool t = tool("300", "await never(); return 1;");
        long start = System.nanoTime();
        CallResult r = runtime.call(t, empty());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(OutcomeKind.WALL_EXCEEDED, r.outcome().kind(), r.toJson().toString());
        // Kept alive until the deadline, not ended at once; the upper bound only says it did not hang
        // (a loaded machine — load average 31 in a full suite — stretches everything after the deadline).
        assertTrue(ms >= 290 && ms < 20_000, "ended after " + ms + " ms");
        assertTrue(LATER.closedLatch.await(30, TimeUnit.SECONDS), "the pending operation was closed");
        assertTrue(LATER.closed.get() > before);
    }

    @Test
    void withNothingPendingAnUnsettledPromiseStillEndsAtOnce() {
        Tool t = tool("3000", "await new Promise(() => {}); return 1;");
        CallResult r = runtime.call(t, empty());
        // TOOL_ERROR, not WALL_EXCEEDED: it ended without waiting for its 3 s deadline.
        assertEquals(OutcomeKind.TOOL_ERROR, r.outcome().kind(), r.toJson().toString());
        assertTrue(r.receipt().wall().toMillis() < 3000, r.toJson().toString());
    }

    @Test
    void aCompletionAfterTheCallEndedIsDropped() {
        Tool t = tool("3000", "later('late', 300); return 'done';");
        CallResult r = runtime.call(t, empty());
        assertTrue(r.ok(), r.toJson().toString());
        CallScope scope = LATER.scopes.stream().reduce((x, y) -> y).orElseThrow();
        assertTrue(scope.ended());
    }

    @Test
    void theHostFunctionAnswersOnlyDuringACallAndBindingsWorkInWarmContexts() {
        Tool t = runtime.load(ToolSource.js("top.mjs", """
                const atLoad = hostType();
                export const tool = { name: "top", description: "d", inputSchema: { type: "object" } };
                export default async function () { return { atLoad, inCall: hostType(), v: await later('w', 1) }; }
                """));
        try (WarmContext warm = runtime.prepare(t)) {
            CallResult r = runtime.call(warm, empty());
            assertEquals(
                    "{\"atLoad\":\"null\",\"inCall\":\"x\",\"v\":\"w\"}",
                    r.toJson().get("result").toString(),
                    r.toJson().toString());
        }
    }

    @Test
    void aRuntimeWithoutBindingsHasNoneOfTheirGlobals() {
        try (ToolRuntime bare = ToolRuntime.builder().guestThreads(1).build()) {
            CallResult r = bare.run(ToolSource.js("g.mjs", """
                    export const tool = { name: "g", description: "d", inputSchema: { type: "object" } };
                    export default async function () { return [typeof later, typeof fetch, typeof Headers]; }
                    """), "{}");
            assertEquals(
                    "[\"undefined\",\"undefined\",\"undefined\"]",
                    r.toJson().get("result").toString());
        }
    }

    @Test
    void bindingNamesAreCheckedAndUnique() {
        ToolRuntime.Builder b = ToolRuntime.builder().binding(LATER);
        assertThrows(IllegalArgumentException.class, () -> b.binding(LATER));
        HostBinding bad = new HostBinding() {
            @Override
            public String name() {
                return "Bad Name";
            }

            @Override
            public String guestScript() {
                return "(function (host) { return () => {}; })";
            }

            @Override
            public BindingCall open(CallScope scope) {
                throw new UnsupportedOperationException();
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.binding(bad));
        assertTrue(e.getMessage().contains("Bad Name"), e.getMessage());
    }
}
