package dev.atoll.runtime;

/** Builds small Python tool files for tests. */
final class PyTools {
    private PyTools() {}

    /**
     * Limits that make hostile tests end fast on CPU or memory. The wall limit is far wider: on a
     * loaded machine a guest thread can get well under a tenth of a core, and a test that expects
     * cpu_exceeded must not end on the wall clock first (seen: 82 ms of CPU in 8.5 s of wall).
     */
    static final String TIGHT = "{'cpuMs': 500, 'memoryMb': 32, 'wallMs': 30000}";

    /**
     * A Python tool whose {@code main(args, env)} has {@code body} (indented by the caller's text
     * block: each line of {@code body} is indented here).
     *
     * @param limits the TOOL's limits dict literal
     * @param body the function body, unindented
     * @return the tool source
     */
    static ToolSource tool(String limits, String body) {
        return ToolSource.python(
                "hostile.py", """
                TOOL = {
                    'name': 'hostile',
                    'description': 'a test tool',
                    'inputSchema': {'type': 'object'},
                    'limits': %s,
                }

                def main(args, env):
                %s
                """.formatted(limits, body.indent(4).stripTrailing()));
    }

    static ToolSource tool(String body) {
        return tool(TIGHT, body);
    }

    /** A module with the given full text. */
    static ToolSource module(String code) {
        return ToolSource.python("hostile.py", code);
    }
}
