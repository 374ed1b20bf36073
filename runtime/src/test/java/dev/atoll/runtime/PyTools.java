package dev.atoll.runtime;

/** Builds small Python tool files for tests. */
final class PyTools {
    private PyTools() {
    }

    /** Limits that make hostile tests end fast (Python cancellation takes ~300 ms, so wall is wider). */
    static final String TIGHT = "{'cpuMs': 500, 'memoryMb': 32, 'wallMs': 4000}";

    /**
     * A Python tool whose {@code main(args, env)} has {@code body} (indented by the caller's text
     * block: each line of {@code body} is indented here).
     *
     * @param limits the TOOL's limits dict literal
     * @param body the function body, unindented
     * @return the tool source
     */
    static ToolSource tool(String limits, String body) {
        return ToolSource.python("hostile.py", """
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
