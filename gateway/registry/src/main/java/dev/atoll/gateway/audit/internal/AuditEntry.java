package dev.atoll.gateway.audit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.atoll.gateway.audit.AuditAction;
import java.util.Objects;
import java.util.Optional;

/**
 * A record to append, before it has a place in the chain.
 *
 * @param atMs epoch milliseconds
 * @param actor who acted
 * @param tenant tenant, or empty
 * @param action action wire name
 * @param tool tool, or empty
 * @param version tool version
 * @param digest version digest, or empty
 * @param outcome outcome
 * @param detail detail JSON text (ASCII canonical, see {@link AuditJson#detail})
 */
public record AuditEntry(
        long atMs,
        String actor,
        String tenant,
        String action,
        String tool,
        Optional<Integer> version,
        String digest,
        String outcome,
        String detail) {

    /** Rejects nulls. */
    public AuditEntry {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(detail, "detail");
    }

    /**
     * A registry mutation, timestamped now, outcome {@code ok}.
     *
     * @param actor who acted
     * @param action what
     * @param tool tool name or empty
     * @param version version, if one is concerned
     * @param digest digest or empty
     * @param detail detail object (no secrets)
     * @return the entry
     */
    public static AuditEntry of(
            String actor, AuditAction action, String tool, Optional<Integer> version, String digest, JsonNode detail) {
        return new AuditEntry(
                System.currentTimeMillis(),
                actor,
                "",
                action.wireName(),
                tool,
                version,
                digest,
                "ok",
                AuditJson.detail(detail == null ? JsonNodeFactory.instance.objectNode() : detail));
    }

    /**
     * The same entry for a tenant.
     *
     * @param t the tenant
     * @return a copy with the tenant set
     */
    public AuditEntry withTenant(String t) {
        return new AuditEntry(atMs, actor, t, action, tool, version, digest, outcome, detail);
    }
}
