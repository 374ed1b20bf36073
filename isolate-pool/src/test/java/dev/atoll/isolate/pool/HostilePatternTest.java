package dev.atoll.isolate.pool;

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
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #19, one hostile pattern at a time: four callers call the hostile tool back to back through a
 * pool with the default settings while an agent calls a tiny tool every 50 ms; every benign call must
 * succeed and their p99 stay within the 1.5 s. The stack-swallowing recursion that ignores
 * its cancellation is {@code UncancellableGuestTest} and {@code UnstoppableSetupTest} (runtime) and
 * {@code NodeContainmentTest} (gateway), in JVMs of their own. The one-step expansions (a rope
 * flattened at once, a ~200 MB join, {@code JSON.stringify} of a graph that shares one big string) are
 * refused by the runtime's one-step bounds before they allocate; {@code py_spin} is a Python busy loop.
 */
class HostilePatternTest {

    private static final JsonNode ARGS = JsonNodeFactory.instance.objectNode();
    private static final Duration ATTACK = Duration.ofSeconds(4);

    private static final ToolSource TINY = ToolSource.js("tiny.mjs", """
            export const tool = { name: "tiny", description: "adds", inputSchema: { type: "object" } };
            export default () => 2 + 2;
            """);

    private static ToolSource hostile(String pattern) {
        String body = switch (pattern) {
            case "spin" -> "for (;;) {}";
            case "hoard" -> "const keep = []; for (;;) { keep.push({ n: keep.length, s: 'y' + keep.length }); }";
            case "microtasks" -> "for (;;) { await null; }";
            // A rope of 2^27 characters, flattened in one step by indexOf.
            case "rope" -> "let s = 'ab'; for (let i = 0; i < 26; i++) { s += s; } return s.indexOf('z');";
            // About 200 MB of result built with join.
            case "huge" -> "return new Array(200).fill('x'.repeat(1 << 20)).join('');";
            // One 16 MB string referenced 64 times: a 1 GB text in one step.
            case "stringify" -> "const big = 'z'.repeat(1 << 24); return JSON.stringify(new Array(64).fill(big));";
            case "py_spin" -> null;
            default -> throw new IllegalArgumentException(pattern);
        };
        if (body == null) {
            return ToolSource.python("py_spin.py", """
                    TOOL = {'name': 'py_spin', 'description': 'hostile', 'inputSchema': {'type': 'object'}}
                    def main(args, env):
                        while True:
                            pass
                    """);
        }
        return ToolSource.js(pattern + ".mjs", """
                export const tool = { name: "%s", description: "hostile", inputSchema: { type: "object" } };
                export default async function (args, env) {
                %s
                }
                """.formatted(pattern, body));
    }

    @ParameterizedTest
    @ValueSource(strings = {"spin", "hoard", "microtasks", "rope", "huge", "stringify", "py_spin"})
    void aBenignToolIsServedWithinTheBoundDuringTheAttack(String pattern) throws Exception {
        try (ToolRuntime runtime = ToolRuntime.builder().build();
                IsolatePool pool = IsolatePool.builder(runtime).build();
                ExecutorService callers = Executors.newFixedThreadPool(5)) {
            Tool bad = pool.deploy(hostile(pattern));
            Tool tiny = pool.deploy(TINY);
            for (int i = 0; i < 20; i++) {
                assertTrue(pool.call(tiny, ARGS, "agent").ok());
            }
            AtomicBoolean attacking = new AtomicBoolean(true);
            ConcurrentLinkedQueue<OutcomeKind> hostileOutcomes = new ConcurrentLinkedQueue<>();
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                running.add(callers.submit(() -> {
                    while (attacking.get()) {
                        hostileOutcomes.add(
                                pool.call(bad, ARGS, "attacker").outcome().kind());
                    }
                    return null;
                }));
            }
            List<Long> took = new ArrayList<>();
            List<String> failed = new ArrayList<>();
            try {
                // At least the attack's length and 20 benign calls (a loaded machine makes fewer per second),
                // at most 30 s and 400 calls.
                long start = System.nanoTime();
                long end = start + ATTACK.toNanos();
                while ((System.nanoTime() - end < 0 || took.size() < 20)
                        && took.size() < 400
                        && System.nanoTime() - start < 30_000_000_000L) {
                    long t0 = System.nanoTime();
                    CallResult r = pool.call(tiny, ARGS, "agent");
                    took.add(System.nanoTime() - t0);
                    if (!r.ok()) {
                        failed.add(r.toJson().toString());
                    }
                    TimeUnit.MILLISECONDS.sleep(50); // the agents call every 50 ms (pacing, not a wait)
                }
            } finally {
                attacking.set(false);
            }
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
            long[] sorted = took.stream().mapToLong(Long::longValue).sorted().toArray();
            long p50 = sorted[sorted.length / 2];
            long p99 = sorted[Math.min(sorted.length - 1, (int) Math.ceil(0.99 * sorted.length) - 1)];
            System.out.println("HostilePatternTest " + pattern + ": benign p50 " + p50 / 1_000_000 + " ms, p99 "
                    + p99 / 1_000_000 + " ms, max " + sorted[sorted.length - 1] / 1_000_000 + " ms, " + sorted.length
                    + " calls; hostile outcomes " + EnumSet.copyOf(hostileOutcomes));
            assertEquals(List.of(), failed, "every benign call succeeds");
            assertTrue(sorted.length >= 20, "benign calls: " + Arrays.toString(sorted));
            assertTrue(
                    p99 <= 1_500_000_000L, "benign p99 " + p99 / 1_000_000 + " ms during the " + pattern + " attack");
            // Whatever ends a hostile call is a limit, a shed or the tool's own result or error (a rope
            // flattened within the limits just returns), never a failure of the node.
            assertTrue(
                    Set.of(
                                    OutcomeKind.CPU_EXCEEDED,
                                    OutcomeKind.MEMORY_EXCEEDED,
                                    OutcomeKind.WALL_EXCEEDED,
                                    OutcomeKind.LOAD_SHED,
                                    OutcomeKind.OUTPUT_TOO_LARGE,
                                    OutcomeKind.OK,
                                    OutcomeKind.TOOL_ERROR)
                            .containsAll(EnumSet.copyOf(hostileOutcomes)),
                    hostileOutcomes.toString());
        }
    }
}
