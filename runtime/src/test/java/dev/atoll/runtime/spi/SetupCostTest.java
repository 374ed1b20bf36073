package dev.atoll.runtime.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.OutcomeKind;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CPU a context's set-up costs (creating it, the bootstrap, the bindings' guest scripts) is Atoll's,
 * not the tool's: a binding whose guest script burns 150 ms of CPU stands in for a slow set-up (a cold
 * JIT makes a GraalJS context cost several ms, a GraalPy one costs 50-100 ms warm). A tool with a 40 ms
 * CPU limit still runs on a context created for its call, and its receipt shows only its own CPU; what
 * the tool does itself, at the module's top level or in its function, stays limited.
 */
class SetupCostTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static ToolRuntime runtime;

    /** A binding whose guest script burns CPU before returning its delivery function. */
    static final class Slow implements HostBinding {
        @Override
        public String name() {
            return "slow";
        }

        @Override
        public String guestScript() {
            return """
                    (function (host) {
                      const end = Date.now() + 150;
                      let spins = 0;
                      while (Date.now() < end) { spins++; }
                      globalThis.slowSpins = spins;
                      return () => {};
                    })
                    """;
        }

        @Override
        public BindingCall open(CallScope scope) {
            return new BindingCall() {
                @Override
                public Object invoke(String operation, GuestArgs args) {
                    return null;
                }

                @Override
                public void close() {}
            };
        }
    }

    @BeforeAll
    static void start() {
        runtime = ToolRuntime.builder().binding(new Slow()).build();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    static Tool tool(String name, String topLevel, String body) {
        return tool(name, 40, topLevel, body);
    }

    static Tool tool(String name, int cpuMs, String topLevel, String body) {
        return runtime.load(ToolSource.js(name + ".mjs", """
                export const tool = { name: "%s", description: "d", inputSchema: { type: "object" },
                  limits: { cpuMs: %d, wallMs: 10000 } };
                %s
                export default async function (args, env) { %s }
                """.formatted(name, cpuMs, topLevel, body)));
    }

    @Test
    void aSlowSetUpDoesNotCountAgainstTheToolsCpuLimit() {
        Tool t = tool("tiny", "", "return globalThis.slowSpins > 0;");
        assertEquals(Duration.ofMillis(40), t.limits().cpu());
        for (int i = 0; i < 3; i++) { // each call creates its context (no pool here)
            CallResult r = runtime.call(t, JSON.createObjectNode());
            assertTrue(r.ok(), r.toJson().toString());
            assertEquals("true", r.toJson().get("result").toString());
            assertTrue(
                    r.receipt().cpu().compareTo(Duration.ofMillis(40)) < 0,
                    r.toJson().toString());
        }
    }

    /**
     * Loading evaluates the module once under the default limits (1 s of CPU), so the top-level spin
     * passes there; a call's CPU limit (5 ms here) applies to the top level and the function alike.
     * The spins are wall-clock based, so the CPU they burn is what the machine gives the thread: 600 ms
     * stays under the load's 1 s on a quiet machine and passes 5 ms even at a 2 % share of a core (a full
     * suite next to other builds reached load average 31 on 2 cores, where 300 ms gave 18 ms of CPU).
     */
    @Test
    void theToolsOwnWorkIsStillLimitedInItsFunctionAndAtTheTopLevel() {
        String spin = "const end = Date.now() + 600; while (Date.now() < end) {}";
        CallResult inFunction = runtime.call(tool("busy_call", 5, "", spin + " return 1;"), JSON.createObjectNode());
        assertEquals(
                OutcomeKind.CPU_EXCEEDED,
                inFunction.outcome().kind(),
                inFunction.toJson().toString());
        CallResult atTopLevel = runtime.call(tool("busy_module", 5, spin, "return 1;"), JSON.createObjectNode());
        assertEquals(
                OutcomeKind.CPU_EXCEEDED,
                atTopLevel.outcome().kind(),
                atTopLevel.toJson().toString());
    }
}
