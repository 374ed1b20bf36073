package dev.atoll.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one hostile tool Truffle cannot always cancel (docs/security.md, "Known gaps"): a recursion
 * that catches stack overflow and recurses again. Its guest thread keeps a core busy after the test,
 * so it runs in a JVM of its own (surefire does not reuse forks in this module) instead of slowing the
 * other hostile tests.
 */
class UncancellableGuestTest {
    static ToolRuntime runtime;

    @BeforeAll
    static void start() {
        runtime = ToolRuntime.builder().guestThreads(2).build();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    @Test
    void recursionThatCatchesStackOverflowIsAnsweredAsCpuExceededAndTheOtherThreadKeepsServing() {
        var noArgs = JsonNodeFactory.instance.objectNode();
        // A 30 s wall limit: the answer must come from the CPU limit plus the 1 s unstoppable grace,
        // not from the wall limit (with slack for a loaded machine).
        CallResult r = runtime.call(runtime.load(Tools.tool("{ cpuMs: 200, wallMs: 30000 }",
                "function f() { try { f(); } catch (e) { f(); } } f(); return 1;")), noArgs);
        assertEquals(OutcomeKind.CPU_EXCEEDED, r.outcome().kind(), r.toJson().toString());
        assertTrue(r.receipt().wall().toMillis() < 10_000, r.toJson().toString());
        CallResult next = runtime.call(runtime.load(Tools.tool("return 2 + 2;")), noArgs);
        assertEquals(4, ((Outcome.Ok) next.outcome()).value().asInt());
    }
}
