package dev.atoll.gateway.registry;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A stored token, without its secret (only a SHA-256 of it is stored).
 *
 * @param id the token id, {@code tok_} and 16 hex digits
 * @param kind MCP or admin
 * @param tenant its tenant
 * @param scopes tool names it may use, or {@code *}
 * @param label a free label ({@code env} for tokens set from the environment)
 * @param createdAt when it was created
 * @param createdBy who created it
 * @param revokedAt when it was revoked; empty while it is valid
 */
public record TokenInfo(
        String id,
        TokenKind kind,
        String tenant,
        Set<String> scopes,
        String label,
        Instant createdAt,
        String createdBy,
        Optional<Instant> revokedAt) {

    /** Rejects nulls and copies the scopes. */
    public TokenInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(createdBy, "createdBy");
        Objects.requireNonNull(revokedAt, "revokedAt");
        scopes = Set.copyOf(scopes);
    }

    /** True until revoked. */
    public boolean active() {
        return revokedAt.isEmpty();
    }

    /** The principal this token authenticates as. */
    public Principal principal() {
        return new Principal(id, kind, tenant, scopes);
    }
}
