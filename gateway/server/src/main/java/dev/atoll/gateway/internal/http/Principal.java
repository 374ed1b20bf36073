package dev.atoll.gateway.internal.http;

import java.util.Objects;
import java.util.Set;

/**
 * Who a request acts for.
 *
 * @param tenant the tenant (or admin) name
 * @param tools tool names it may list and call; {@code "*"} means all
 * @param tokenId which credential it presented (a token id, {@code jwt}, {@code anonymous}): audit only
 */
public record Principal(String tenant, Set<String> tools, String tokenId) {

    /** Copies the set and rejects nulls. */
    public Principal {
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
