package dev.atoll.runtime;

/** The closed set of ways a call can end, with their wire names (e.g. {@code cpu_exceeded}). */
public enum OutcomeKind {
    /** The tool returned a valid result. */
    OK("ok"),
    /** The tool threw (or its promise rejected). */
    TOOL_ERROR("tool_error"),
    /** The arguments do not match the tool's input schema. */
    INVALID_ARGUMENTS("invalid_arguments"),
    /** The result does not match the tool's output schema, or is not JSON. */
    INVALID_OUTPUT("invalid_output"),
    /** The tool file does not load: syntax error, missing or bad manifest, no default export. */
    INVALID_TOOL("invalid_tool"),
    /** CPU time budget used up. */
    CPU_EXCEEDED("cpu_exceeded"),
    /** Memory budget used up. */
    MEMORY_EXCEEDED("memory_exceeded"),
    /** Wall-time budget used up. */
    WALL_EXCEEDED("wall_exceeded"),
    /** The result is larger than the output limit. */
    OUTPUT_TOO_LARGE("output_too_large"),
    /** Not run: no capacity; retry later. */
    LOAD_SHED("load_shed"),
    /** Atoll failed, not the tool. */
    INTERNAL_ERROR("internal_error");

    private final String wireName;

    OutcomeKind(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in JSON output and metrics, e.g. {@code tool_error}. */
    public String wireName() {
        return wireName;
    }
}
