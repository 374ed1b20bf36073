package dev.atoll.host.bindings;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * An outbound request as the {@link EgressInspector} sees it, after the egress policy allowed it and
 * before it goes out (once per redirect hop). Secrets appear as their placeholders
 * ({@code atoll-secret:NAME}), never as values: the inspector sees what the tool wrote.
 *
 * @param toolName the calling tool
 * @param toolDigest SHA-256 of the tool's code
 * @param uri the checked target (no userinfo, no fragment)
 * @param method the method
 * @param headers the headers the tool set (lowercase names)
 * @param body the body bytes (empty if none); do not modify
 */
public record InspectedRequest(String toolName, String toolDigest, URI uri, String method, List<HttpHeader> headers,
        byte[] body) {
    /** Rejects nulls and copies the headers. */
    public InspectedRequest {
        Objects.requireNonNull(toolName, "toolName");
        Objects.requireNonNull(toolDigest, "toolDigest");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(method, "method");
        headers = List.copyOf(headers);
        Objects.requireNonNull(body, "body");
    }
}
