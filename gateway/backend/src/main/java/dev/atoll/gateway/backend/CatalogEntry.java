package dev.atoll.gateway.backend;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One callable tool version as agents see it.
 *
 * @param name the tool name agents call
 * @param version the registry version number (1, 2, ...)
 * @param digest the pinned digest of this version
 * @param definition the MCP {@code Tool} object ({@code name}, {@code description},
 *     {@code inputSchema}, ...), as listed by {@code tools/list}
 * @param backend the backend that runs it
 * @param handle backend-specific state for this version (for isolate tools, the loaded tool)
 */
public record CatalogEntry(
        String name, int version, String digest, ObjectNode definition, ToolBackend backend, Object handle) {

    /** Rejects nulls. */
    public CatalogEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(definition, "definition");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(handle, "handle");
    }
}
