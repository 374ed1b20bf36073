package dev.atoll.gateway.audit.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.audit.AuditRecord;
import dev.atoll.gateway.store.Canonical;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/** The audit record encodings: the hashed canonical form and the printable JSON line. */
public final class AuditJson {

    /** {@code prev_hash} of the first record. */
    public static final String GENESIS = "0".repeat(64);

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String FORMAT = "atoll-audit-v1";

    private AuditJson() {}

    /**
     * The hash of a record: SHA-256 (lowercase hex) of the ASCII canonical JSON of every field but
     * the hash itself (docs/registry.md, "Audit chain").
     *
     * @return 64 hex digits
     */
    public static String hash(
            long seq,
            long atMs,
            String actor,
            String tenant,
            String action,
            String tool,
            Optional<Integer> version,
            String digest,
            String outcome,
            String detail,
            String prevHash) {
        return hash(seq, atMs, actor, tenant, action, tool, version, digest, outcome, detail, "", "", prevHash);
    }

    /**
     * The hash a stored record should have: of its fields, node, region and previous hash.
     *
     * @param r the record
     * @return lower-case hex SHA-256
     */
    public static String hashOf(dev.atoll.gateway.audit.AuditRecord r) {
        return hash(
                r.seq(),
                r.at().toEpochMilli(),
                r.actor(),
                r.tenant(),
                r.action(),
                r.tool(),
                r.version(),
                r.digest(),
                r.outcome(),
                r.detail(),
                r.node(),
                r.region(),
                r.prevHash());
    }

    /**
     * A record's hash including the node and region that wrote it. When both are empty (a record of
     * a single gateway, or from before they were recorded) the hashed object has neither member,
     * so it equals {@link #hash(long, long, String, String, String, String, Optional, String, String,
     * String, String)}: older chains verify unchanged.
     *
     * @param seq the position
     * @param atMs epoch milliseconds
     * @param actor who acted
     * @param tenant the tenant or empty
     * @param action the action
     * @param tool the tool or empty
     * @param version the version
     * @param digest the digest or empty
     * @param outcome the outcome
     * @param detail the detail text
     * @param node the node that wrote it, or empty
     * @param region that node's region, or empty
     * @param prevHash the previous record's hash
     * @return lower-case hex SHA-256
     */
    public static String hash(
            long seq,
            long atMs,
            String actor,
            String tenant,
            String action,
            String tool,
            Optional<Integer> version,
            String digest,
            String outcome,
            String detail,
            String node,
            String region,
            String prevHash) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("format", FORMAT);
        n.put("seq", seq);
        n.put("at", atMs);
        n.put("actor", actor);
        n.put("tenant", tenant);
        n.put("action", action);
        n.put("tool", tool);
        if (version.isPresent()) {
            n.put("version", version.get().intValue());
        } else {
            n.putNull("version");
        }
        n.put("digest", digest);
        n.put("outcome", outcome);
        n.put("detail", detail);
        if (!node.isEmpty() || !region.isEmpty()) {
            n.put("node", node);
            n.put("region", region);
        }
        n.put("prev", prevHash);
        return Canonical.sha256Hex(Canonical.asciiJson(n).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The stored form of a detail object: canonical JSON with only printable ASCII.
     *
     * @param detail the detail
     * @return its text
     */
    public static String detail(JsonNode detail) {
        return Canonical.asciiJson(detail);
    }

    /**
     * Parses a stored detail.
     *
     * @param detail the stored text
     * @return the JSON, or an empty object if it does not parse
     */
    public static JsonNode parseDetail(String detail) {
        try {
            JsonNode n = MAPPER.readTree(detail);
            return n == null ? JsonNodeFactory.instance.objectNode() : n;
        } catch (JsonProcessingException e) {
            return JsonNodeFactory.instance.objectNode();
        }
    }

    /**
     * A record as one printable-ASCII JSON line (no trailing newline).
     *
     * @param r the record
     * @return the line
     */
    public static String line(AuditRecord r) {
        return Canonical.asciiJson(toJson(r));
    }

    /**
     * A record as a JSON object.
     *
     * @param r the record
     * @return the object
     */
    public static ObjectNode toJson(AuditRecord r) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("seq", r.seq());
        n.put("at", r.at().toString());
        n.put("actor", r.actor());
        n.put("tenant", r.tenant());
        n.put("action", r.action());
        n.put("tool", r.tool());
        r.version().ifPresentOrElse(v -> n.put("version", v.intValue()), () -> n.putNull("version"));
        n.put("digest", r.digest());
        n.put("outcome", r.outcome());
        n.set("detail", r.detailJson());
        if (!r.node().isEmpty() || !r.region().isEmpty()) {
            n.put("node", r.node());
            n.put("region", r.region());
        }
        n.put("prevHash", r.prevHash());
        n.put("hash", r.hash());
        return n;
    }

    static Instant instant(long ms) {
        return Instant.ofEpochMilli(ms);
    }
}
