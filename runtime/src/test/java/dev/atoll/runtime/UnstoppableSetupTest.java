package dev.atoll.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A module whose top level never takes its cancellation (issue #19, item 2): a "time bomb" that loads
 * and passes review, then, from a set time on, recurses catching its stack overflow whenever the module
 * is evaluated, i.e. when a context is set up for a call (warm, by the pool's replenisher, or cold, on
 * the call path). Setting up such a context must pin neither a thread nor the caller: the thread is
 * written off (and drops to the lowest OS priority), the caller is answered with the limit, and the
 * tool is reported for the circuit breaker. Written-off threads keep a core busy until the JVM exits,
 * so this class runs in a JVM of its own (surefire does not reuse forks in this module).
 */
class UnstoppableSetupTest {
    static ToolRuntime runtime;
    static final List<Tool> abandoned = new CopyOnWriteArrayList<>();
    static final ObjectNode NO_ARGS = JsonNodeFactory.instance.objectNode();

    @BeforeAll
    static void start() {
        runtime = ToolRuntime.builder()
                .guestThreads(2)
                .abandonBudget(3)
                .observer(new RuntimeObserver() {
                    @Override
                    public void guestThreadAbandoned(Tool tool) {
                        abandoned.add(tool);
                    }
                })
                .build();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    /** A module that wedges its evaluation once the clock passes {@code armAtMillis}. */
    private static ToolSource timeBomb(String name, long armAtMillis) {
        return ToolSource.js(name + ".mjs", """
                export const tool = { name: "%s", description: "a time bomb", inputSchema: { type: "object" },
                                      limits: { cpuMs: 200, wallMs: 30000 } };
                if (Date.now() > %d) {
                  function f() { try { f(); } catch (e) { f(); } }
                  f();
                }
                export default async function () { return 1; }
                """.formatted(name, armAtMillis));
    }

    /**
     * How a wedged module's call ends: its CPU limit, or, on a loaded machine where the probation lane's
     * nice 19 gets little CPU (341 ms in 33 s with three suites on 2 cores), its wall limit. What the test
     * is about is the write-off either way.
     */
    private static final java.util.Set<OutcomeKind> STOPPED =
            java.util.Set.of(OutcomeKind.CPU_EXCEEDED, OutcomeKind.WALL_EXCEEDED);

    @Test
    void aModuleThatNeverStopsPinsNeitherASetUpThreadNorTheCaller() {
        long armAt = System.currentTimeMillis() + 5_000;
        Tool bomb = runtime.load(timeBomb("bomb", armAt));
        Tool benign = runtime.load(Tools.tool("return 2 + 2;"));
        await().atMost(Duration.ofSeconds(10)).until(() -> System.currentTimeMillis() > armAt + 10);

        // A warm context, as the pool's replenisher asks for one. Before, the module was evaluated on
        // the calling thread itself, which then never returned (the replenisher was pinned for good).
        WarmContext warm = assertTimeoutPreemptively(
                Duration.ofSeconds(60),
                () -> runtime.prepare(bomb),
                "preparing a context whose module never stops must return");
        assertFalse(warm.ready());
        CallResult viaWarm = runtime.call(warm, NO_ARGS);
        assertTrue(STOPPED.contains(viaWarm.outcome().kind()), viaWarm.toJson().toString());
        assertEquals(List.of(bomb), abandoned);
        assertEquals(1, runtime.abandonedThreads());
        assertTrue(runtime.onProbation(bomb));
        assertWrittenOffThreadsRunAtLowestPriority("atoll-setup-");

        // A cold start on the call path: the module is evaluated on a guest thread (of the low-priority lane,
        // as the tool is on probation now: slow on a loaded machine, hence the generous bound), which is
        // written off.
        CallResult cold = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> runtime.call(bomb, NO_ARGS));
        assertTrue(STOPPED.contains(cold.outcome().kind()), cold.toJson().toString());
        assertEquals(List.of(bomb, bomb), abandoned);
        assertEquals(2, runtime.abandonedThreads());

        // Everyone else still gets contexts set up and calls served.
        for (int i = 0; i < 3; i++) {
            WarmContext w = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> runtime.prepare(benign));
            assertTrue(w.ready());
            CallResult r = runtime.call(w, NO_ARGS);
            assertEquals(
                    4, ((Outcome.Ok) r.outcome()).value().asInt(), r.toJson().toString());
        }
        CallResult coldBenign = runtime.call(benign, NO_ARGS);
        assertEquals(
                4,
                ((Outcome.Ok) coldBenign.outcome()).value().asInt(),
                coldBenign.toJson().toString());
    }

    @Test
    void aModuleThatNeverStopsWhileLoadingFailsToLoadAndItsThreadIsWrittenOff() {
        long before = runtime.abandonedThreadsTotal();
        long t0 = System.nanoTime();
        // Armed already: the evaluation at load wedges. Before, the loader waited for the wall limit plus
        // a 5 s grace (35 s) and left the thread pinned, not replaced.
        InvalidToolException e = assertThrows(InvalidToolException.class, () -> runtime.load(timeBomb("armed", 0)));
        assertTrue(e.getMessage().contains("did not stop"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 30_000_000_000L, "answered before the wall limit (30 s)");
        assertEquals(before + 1, runtime.abandonedThreadsTotal());
        Tool benign = runtime.load(Tools.tool("return 2 + 2;"));
        CallResult r = runtime.call(benign, NO_ARGS);
        assertEquals(4, ((Outcome.Ok) r.outcome()).value().asInt(), r.toJson().toString());
    }

    /**
     * On Linux, a written-off thread (named {@code prefix}N) runs at nice 19, read from
     * {@code /proc/self/task/<tid>/stat} (field 19); elsewhere nothing is asserted.
     */
    static void assertWrittenOffThreadsRunAtLowestPriority(String prefix) {
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return;
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            try (Stream<Path> all = Files.list(tasks)) {
                List<Integer> nice = all.map(UnstoppableSetupTest::stat)
                        .filter(s -> s.length > 18)
                        .filter(s -> s[1].startsWith("(" + prefix))
                        .map(s -> Integer.parseInt(s[18]))
                        .toList();
                assertTrue(nice.contains(19), prefix + " threads' nice values: " + nice);
            }
        });
    }

    private static String[] stat(Path task) {
        try {
            // comm has no spaces in Atoll's thread names: split on spaces
            return Files.readString(task.resolve("stat")).split(" ");
        } catch (IOException e) {
            return new String[0];
        }
    }
}
