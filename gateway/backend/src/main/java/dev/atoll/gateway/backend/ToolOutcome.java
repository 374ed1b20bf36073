package dev.atoll.gateway.backend;

import dev.atoll.runtime.OutcomeKind;
import java.util.Locale;

/**
 * How one {@code tools/call} ended, as the audit log and the metrics name it: a closed set across both
 * backends and the pipeline. {@link #id()} is the lower-case name they record.
 */
public enum ToolOutcome {
    /** The tool returned a result. */
    OK,
    /** The tool reported an error (MCP {@code isError}). */
    TOOL_ERROR,
    /** The arguments did not match the tool's input schema. */
    INVALID_ARGUMENTS,
    /** The result did not match the tool's output schema. */
    INVALID_OUTPUT,
    /** The tool cannot run (does not load, or suspended). */
    INVALID_TOOL,
    /** The tool used more CPU time than its limit. */
    CPU_EXCEEDED,
    /** The tool allocated more than its limit. */
    MEMORY_EXCEEDED,
    /** The tool ran longer than its wall-time limit. */
    WALL_EXCEEDED,
    /** The tool's output was larger than its limit. */
    OUTPUT_TOO_LARGE,
    /** Admission control shed the call (overload). */
    LOAD_SHED,
    /** The runtime or the gateway failed (a bug, not the tool). */
    INTERNAL_ERROR,
    /** DLP blocked the arguments or the result. */
    DLP_BLOCKED,
    /** The audit store did not take records, so the call was not answered. */
    AUDIT_UNAVAILABLE,
    /** The upstream server was not running. */
    UPSTREAM_UNAVAILABLE,
    /** The upstream server exited during the call. */
    UPSTREAM_CRASHED,
    /** The upstream server did not answer in time. */
    UPSTREAM_TIMEOUT,
    /** The upstream server broke the protocol. */
    UPSTREAM_PROTOCOL_ERROR,
    /** The upstream server answered with a JSON-RPC error. */
    UPSTREAM_ERROR;

    /**
     * The outcome of an isolate call.
     *
     * @param kind the runtime's outcome
     * @return the same outcome here
     */
    public static ToolOutcome of(OutcomeKind kind) {
        return switch (kind) {
            case OK -> OK;
            case TOOL_ERROR -> TOOL_ERROR;
            case INVALID_ARGUMENTS -> INVALID_ARGUMENTS;
            case INVALID_OUTPUT -> INVALID_OUTPUT;
            case INVALID_TOOL -> INVALID_TOOL;
            case CPU_EXCEEDED -> CPU_EXCEEDED;
            case MEMORY_EXCEEDED -> MEMORY_EXCEEDED;
            case WALL_EXCEEDED -> WALL_EXCEEDED;
            case OUTPUT_TOO_LARGE -> OUTPUT_TOO_LARGE;
            case LOAD_SHED -> LOAD_SHED;
            case INTERNAL_ERROR -> INTERNAL_ERROR;
        };
    }

    /** The lower-case name the audit log and the metrics record ({@code ok}, {@code dlp_blocked}, ...). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return id();
    }
}
