package dev.atoll.runtime;

/** Builds small tool files for tests. */
final class Tools {
    private Tools() {}

    /**
     * Limits that make hostile tests end fast: small CPU and memory, and a wall limit 75 times the CPU
     * limit, so that CPU or memory (what these tests are about) trips before wall time even when a
     * loaded machine gives the guest thread a few percent of a core (a full suite next to other builds
     * reached load average 31 on 2 cores, where 2 s of wall gave 176 ms of CPU).
     */
    static final String TIGHT = "{ cpuMs: 200, memoryMb: 32, wallMs: 15000 }";

    /**
     * A tool whose default export has {@code body} (with {@code args} and {@code env} in scope).
     *
     * @param limits the manifest's limits object literal
     * @param body the function body
     * @return the tool source
     */
    static ToolSource tool(String limits, String body) {
        return ToolSource.js("hostile.mjs", """
                export const tool = {
                  name: "hostile",
                  description: "a test tool",
                  inputSchema: { type: "object" },
                  limits: %s,
                };
                export default async function (args, env) {
                %s
                }
                """.formatted(limits, body));
    }

    static ToolSource tool(String body) {
        return tool(TIGHT, body);
    }

    /** A module with the given full text. */
    static ToolSource module(String code) {
        return ToolSource.js("hostile.mjs", code);
    }
}
