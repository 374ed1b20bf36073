package dev.atoll.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one hostile tool Truffle cannot always cancel (docs/security.md, "Known gaps"): a recursion
 * that catches stack overflow and recurses again. Its guest thread is written off and replaced, so
 * the node keeps its capacity; past the budget of written-off threads the tool is refused. The
 * written-off threads keep a core busy after the test, so it runs in a JVM of its own (surefire does
 * not reuse forks in this module) instead of slowing the other hostile tests.
 */
class UncancellableGuestTest {
    static ToolRuntime runtime;
    static final List<Tool> abandoned = new CopyOnWriteArrayList<>();
    static final ObjectNode NO_ARGS = JsonNodeFactory.instance.objectNode();

    @BeforeAll
    static void start() {
        // Two threads, as on the 2-core node of issue #19, and a budget of one written-off thread.
        runtime = ToolRuntime.builder()
                .guestThreads(2)
                .abandonBudget(1)
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

    @Test
    void aGuestThatIgnoresCancellationCannotPinCapacityAndIsRefusedOnceTheBudgetIsSpent() {
        // A 30 s wall limit: the answer must come from the CPU limit plus the unstoppable grace (1 s,
        // and 1 s of CPU burnt since the cancellation), not from the wall limit plus its 5 s grace
        // (with slack for a loaded machine, where the guest gets a fraction of a core).
        Tool wedge = runtime.load(Tools.tool(
                "{ cpuMs: 200, wallMs: 30000 }", "function f() { try { f(); } catch (e) { f(); } } f(); return 1;"));
        Tool benign = runtime.load(Tools.tool("return 2 + 2;"));

        CallResult first = runtime.call(wedge, NO_ARGS);
        assertEquals(
                OutcomeKind.CPU_EXCEEDED, first.outcome().kind(), first.toJson().toString());
        assertTrue(first.receipt().wall().toMillis() < 25_000, first.toJson().toString());
        // Before a thread could be written off, this wedged call and a second one held both guest
        // threads for good and every later call timed out as internal_error.
        assertEquals(List.of(wedge), abandoned);
        assertEquals(1, runtime.abandonedThreads());
        assertEquals(2, runtime.guestThreads());
        // The budget (1) is spent: the tool that caused it is refused at once, so it cannot wedge the
        // second thread too; everyone else is still served, on both threads.
        CallResult refused = runtime.call(wedge, NO_ARGS);
        assertEquals(
                OutcomeKind.INVALID_TOOL,
                refused.outcome().kind(),
                refused.toJson().toString());
        assertTrue(
                refused.outcome().message().contains("suspended"),
                refused.toJson().toString());
        // (A benign call queued behind the wedged thread would be shed after its wall limit: each one
        // must be answered ok.)
        for (int i = 0; i < 5; i++) {
            CallResult next = runtime.call(benign, NO_ARGS);
            assertEquals(
                    4,
                    ((Outcome.Ok) next.outcome()).value().asInt(),
                    next.toJson().toString());
        }
        assertEquals(1, runtime.abandonedThreadsTotal());
    }
}
