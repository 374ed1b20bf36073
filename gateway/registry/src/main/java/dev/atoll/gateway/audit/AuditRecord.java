package dev.atoll.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.audit.internal.AuditJson;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One stored audit record. Text fields are stored as given; print records only through
 * {@link #toJsonLine()}, which escapes every control, format and non-ASCII character, so CR/LF,
 * ANSI escape sequences or bidi controls in a tool name or detail cannot forge lines on a terminal.
 *
 * @param seq position in the chain, from 1
 * @param at when it was recorded (millisecond precision)
 * @param actor who acted ({@code token:<id>}, {@code system}, ...)
 * @param tenant the tenant concerned, or empty
 * @param action the action's wire name ({@link AuditAction#wireName()})
 * @param tool the tool concerned, or empty
 * @param version the tool version concerned
 * @param digest the version digest concerned, or empty
 * @param outcome {@code ok}, a call outcome's wire name, or a failure kind
 * @param detail JSON text of further detail (already ASCII-escaped)
 * @param prevHash the previous record's hash (64 zeros for seq 1)
 * @param hash SHA-256 over the canonical encoding of every other field (docs/registry.md)
 * @param node the fleet node that wrote it ({@code node.id}), or empty
 * @param region that node's region ({@code node.region}), or empty
 */
public record AuditRecord(
        long seq,
        Instant at,
        String actor,
        String tenant,
        String action,
        String tool,
        Optional<Integer> version,
        String digest,
        String outcome,
        String detail,
        String prevHash,
        String hash,
        String node,
        String region) {

    /** Rejects nulls. */
    public AuditRecord {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(prevHash, "prevHash");
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(region, "region");
    }

    /** The detail parsed as JSON (an empty object if it is not valid JSON). */
    public JsonNode detailJson() {
        return AuditJson.parseDetail(detail);
    }

    /**
     * The record as one line of JSON with only printable ASCII (every other character escaped as
     * {@code \\uXXXX}): the JSONL export format and the safe way to print a record.
     */
    public String toJsonLine() {
        return AuditJson.line(this);
    }
}
