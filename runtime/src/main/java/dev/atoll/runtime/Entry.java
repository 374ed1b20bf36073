package dev.atoll.runtime;

/**
 * Which exported function of a module a call runs: the tool itself, or one of the MCP server features
 * a module may offer besides (resources, prompts, completions). A closed set; each has a fixed export
 * name per language.
 */
public enum Entry {
    /** The tool: the default export (JS) or {@code main(args, env)} (Python); arguments are schema-checked. */
    TOOL("default", "main"),
    /** A resource read: {@code readResource({uri, params}, env)} / {@code read_resource(request, env)}. */
    RESOURCE("readResource", "read_resource"),
    /** A prompt: {@code getPrompt({name, arguments}, env)} / {@code get_prompt(request, env)}. */
    PROMPT("getPrompt", "get_prompt"),
    /** A completion: {@code complete({ref, argument, context}, env)} / {@code complete(request, env)}. */
    COMPLETE("complete", "complete");

    private final String js;
    private final String python;

    Entry(String js, String python) {
        this.js = js;
        this.python = python;
    }

    /**
     * The name of the exported function in a language.
     *
     * @param language the guest language
     * @return the export name
     */
    public String exportName(Language language) {
        return language == Language.PYTHON ? python : js;
    }
}
