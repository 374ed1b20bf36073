package dev.atoll.isolate.pool;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.OutcomeKind;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fair share of the guest threads (issue #19): calls of a tool that burns its whole CPU limit, from
 * more callers than there are guest threads, must not make another tool's calls wait behind them.
 */
class FairShareTest {

    private static ToolRuntime runtime;
    private static final JsonNode ARGS = JsonNodeFactory.instance.objectNode();

    @BeforeAll
    static void start() {
        runtime = ToolRuntime.builder().guestThreads(4).build();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    private static final ToolSource BURNER = ToolSource.js("burner.mjs", """
            export const tool = { name: "burner", description: "spins", inputSchema: { type: "object" },
                                  limits: { cpuMs: 1500, wallMs: 10000 } };
            export default () => { for (;;) {} };
            """);

    private static final ToolSource TINY = ToolSource.js("tiny.mjs", """
            export const tool = { name: "tiny", description: "adds", inputSchema: { type: "object" } };
            export default () => 2 + 2;
            """);

    @Test
    void aToolThatBurnsItsLimitsFromManyCallersLeavesThreadsForOtherTools() throws Exception {
        Set<OutcomeKind> hostileOutcomes = EnumSet.noneOf(OutcomeKind.class);
        RecordingObserver obs = new RecordingObserver();
        AtomicBoolean attacking = new AtomicBoolean(true);
        try (IsolatePool pool = IsolatePool.builder(runtime).observer(obs).build();
                ExecutorService attackers = Executors.newFixedThreadPool(6)) {
            Tool burner = pool.deploy(BURNER);
            Tool tiny = pool.deploy(TINY);
            assertTrue(pool.call(tiny, ARGS, "agent").ok());
            ConcurrentLinkedQueue<OutcomeKind> seen = new ConcurrentLinkedQueue<>();
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                running.add(attackers.submit(() -> {
                    while (attacking.get()) {
                        seen.add(pool.call(burner, ARGS, "attacker").outcome().kind());
                    }
                    return null;
                }));
            }
            // Six callers of the burner on four guest threads: it holds what its shares allow (three:
            // beyond them it never takes the reserved last slot) and the rest of its calls are shed.
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.stats().running() >= 3);
            long worst = 0;
            int calls = 0;
            List<CallResult> failed = new ArrayList<>();
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(6).toNanos();
                while (System.nanoTime() - deadline < 0 && calls < 200) {
                    long t0 = System.nanoTime();
                    CallResult r = pool.call(tiny, ARGS, "agent");
                    worst = Math.max(worst, System.nanoTime() - t0);
                    if (!r.ok()) {
                        failed.add(r);
                    }
                    calls++;
                }
            } finally {
                attacking.set(false);
            }
            for (Future<?> f : running) {
                f.get();
            }
            assertEquals(
                    List.of(), failed.stream().map(r -> r.toJson().toString()).toList());
            hostileOutcomes.addAll(seen);
            // Before fair admission the burner's calls filled all four guest threads and queued in front
            // of the tiny tool's calls, which then waited for a burner call to end (over a second).
            assertTrue(
                    worst < Duration.ofMillis(1000).toNanos(),
                    "a benign call waited " + worst / 1_000_000 + " ms behind the burner (" + calls + " calls)");
            assertTrue(
                    Set.of(OutcomeKind.CPU_EXCEEDED, OutcomeKind.WALL_EXCEEDED, OutcomeKind.LOAD_SHED)
                            .containsAll(hostileOutcomes),
                    hostileOutcomes.toString());
            // Which limit ends a burner call first depends on how loaded the machine is: either is safe.
            assertTrue(
                    hostileOutcomes.contains(OutcomeKind.CPU_EXCEEDED)
                            || hostileOutcomes.contains(OutcomeKind.WALL_EXCEEDED),
                    hostileOutcomes.toString());
            assertTrue(
                    obs.shed(ShedReason.TOOL_SHARE) + obs.shed(ShedReason.TENANT_SHARE) > 0,
                    "the burner's excess calls were shed for its share");
            assertEquals(0, obs.shed(ShedReason.GLOBAL_LIMIT) + obs.shed(ShedReason.QUEUE_FULL));
        }
    }

    @Test
    void aLoneToolStillUsesAllButTheReserve() throws Exception {
        ToolSource sleeper = ToolSource.js("napper.mjs", """
                export const tool = { name: "napper", description: "sleeps", inputSchema: { type: "object" } };
                export default async () => { await new Promise((r) => setTimeout(r, 1000)); return 1; };
                """);
        try (IsolatePool pool = IsolatePool.builder(runtime)
                        .queueDeadline(Duration.ofSeconds(5))
                        .build();
                ExecutorService callers = Executors.newFixedThreadPool(3)) {
            Tool napper = pool.deploy(sleeper);
            List<Future<CallResult>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(callers.submit(() -> pool.call(napper, ARGS)));
            }
            // Four slots, a reserve of one: three calls of one tool run at once, beyond its share of one.
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.stats().running() == 3);
            for (Future<CallResult> f : calls) {
                assertTrue(f.get().ok());
            }
        }
    }
}
