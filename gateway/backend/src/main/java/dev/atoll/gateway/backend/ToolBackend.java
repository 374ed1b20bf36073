package dev.atoll.gateway.backend;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Runs one {@code tools/call} for a tool the catalogue resolved. Implementations never throw for a
 * failure of the tool itself: they answer {@link ToolReply.Result} with {@code isError: true}, or
 * {@link ToolReply.Rejected} when the call could not be attempted.
 */
public interface ToolBackend {

    /**
     * Calls the tool.
     *
     * @param tool the resolved, approved tool version
     * @param arguments the call's arguments (an object; empty when the client sent none)
     * @param context who calls, and the request's metadata
     * @return the reply
     */
    ToolReply call(CatalogEntry tool, ObjectNode arguments, CallContext context);
}
