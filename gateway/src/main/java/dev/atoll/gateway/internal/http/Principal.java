package dev.atoll.gateway.internal.http;

import java.util.Objects;
import java.util.Set;

/**
 * Who a request acts for.
 *
 * @param tenant the tenant (or admin) name
 * @param tools tool names it may list and call; {@code "*"} means all
 */
public record Principal(String tenant, Set<String> tools) {

    /** Copies the set and rejects nulls. */
    public Principal {
        Objects.requireNonNull(tenant, "tenant");
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
