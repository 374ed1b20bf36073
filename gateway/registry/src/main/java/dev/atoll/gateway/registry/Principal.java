package dev.atoll.gateway.registry;

import java.util.Objects;
import java.util.Set;

/**
 * Who an authenticated bearer token is.
 *
 * @param tokenId the token's id (not the token): names it in the audit log and for revocation
 * @param kind MCP or admin
 * @param tenant the tenant the token belongs to
 * @param scopes tool names the token may list and call; {@code *} is every tool
 */
public record Principal(String tokenId, TokenKind kind, String tenant, Set<String> scopes) {

    /** The scope that grants every tool. */
    public static final String ALL = "*";

    /** Rejects nulls and copies the scopes. */
    public Principal {
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(tenant, "tenant");
        scopes = Set.copyOf(scopes);
    }

    /**
     * Whether this token may list and call a tool.
     *
     * @param tool a tool name
     * @return true when the scopes contain the name or {@code *}
     */
    public boolean mayUse(String tool) {
        return scopes.contains(ALL) || scopes.contains(tool);
    }
}
