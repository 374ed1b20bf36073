package dev.atoll.runtime;

/** Builds small tool files for tests. */
final class Tools {
    private Tools() {
    }

    /** Limits that make hostile tests end fast. */
    static final String TIGHT = "{ cpuMs: 200, memoryMb: 32, wallMs: 2000 }";

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
