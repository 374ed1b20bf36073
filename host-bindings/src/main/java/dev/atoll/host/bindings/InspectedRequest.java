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
 * @param tenant the tenant the call runs for, if the host named one (tenant-scoped inspection
 *     policies apply to it)
 */
public record InspectedRequest(
        String toolName,
        String toolDigest,
        URI uri,
        String method,
        List<HttpHeader> headers,
        byte[] body,
        java.util.Optional<String> tenant) {
    /** Rejects nulls and copies the headers. */
    public InspectedRequest {
        Objects.requireNonNull(toolName, "toolName");
        Objects.requireNonNull(toolDigest, "toolDigest");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(method, "method");
        headers = List.copyOf(headers);
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(tenant, "tenant");
    }

    /**
     * A request of no named tenant.
     *
     * @param toolName the calling tool
     * @param toolDigest SHA-256 of the tool's code
     * @param uri the checked target
     * @param method the method
     * @param headers the headers
     * @param body the body bytes
     */
    public InspectedRequest(
            String toolName, String toolDigest, URI uri, String method, List<HttpHeader> headers, byte[] body) {
        this(toolName, toolDigest, uri, method, headers, body, java.util.Optional.empty());
    }
}
