package dev.atoll.gateway.internal.http;

import java.util.Objects;
import java.util.Set;

/**
 * Who an MCP request acts for, once authenticated: a registry token, a builder token, an OAuth JWT or
 * the anonymous caller of a loopback listener (the registry's {@code Principal} is only the first kind).
 *
 * @param tenant the tenant (or admin) name
 * @param tools tool names it may list and call; {@code "*"} means all
 * @param tokenId which credential it presented (a token id, {@code jwt}, {@code anonymous}): audit only
 */
public record Caller(String tenant, Set<String> tools, String tokenId) {

    /** Copies the set and rejects nulls. */
    public Caller {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(tokenId, "tokenId");
        tools = Set.copyOf(tools);
    }

    /**
     * Whether this principal may see and call a tool.
     *
     * @param tool the tool name
     * @return true if allowed
     */
    public boolean allows(String tool) {
        return tools.contains("*") || tools.contains(tool);
    }
}
