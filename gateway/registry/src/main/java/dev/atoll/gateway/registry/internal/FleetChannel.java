package dev.atoll.gateway.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Optional;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;

/**
 * The fleet's change channel on PostgreSQL (docs/fleet.md, "Propagation"): every registry mutation
 * sends one {@code pg_notify} in its own transaction, so the notification is delivered to every
 * listening node exactly when (and only if) the change commits. On H2 (one node) sending is a no-op.
 *
 * <p>The payload is a small JSON object. Received payloads come from the database, so they are
 * validated like any other input: an unknown or malformed one is ignored (the poll still applies).
 */
final class FleetChannel {

    /** The PostgreSQL channel name. */
    static final String CHANNEL = "atoll_registry";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern TOKEN_ID = Pattern.compile("tok_[0-9a-f]{16}");
    private static final Pattern TOOL_NAME = Pattern.compile("[a-z0-9_]{1,64}");
    private static final Pattern ORIGIN = Pattern.compile("[0-9a-f]{32}");

    private FleetChannel() {}

    /** What a notification says changed. */
    sealed interface Change {}

    /** The serving catalogue (tools, placement, upstreams) moved to {@code revision}. */
    record CatalogueMoved(long revision) implements Change {}

    /** Token {@code id} was revoked: drop it from every token cache. */
    record TokenRevoked(String id) implements Change {}

    /** Token {@code id} was created (nothing is cached for an unknown token; kept for completeness). */
    record TokenCreated(String id) implements Change {}

    /** Several tokens changed at once: drop every cached token. */
    record TokensChanged() implements Change {}

    /**
     * A version was deployed or rejected ({@code review}) by the registry instance {@code origin}
     * (a random id per open registry, so a node can skip its own, already told after commit).
     */
    record Reviewed(dev.atoll.gateway.registry.ReviewChange review, String origin) implements Change {}

    static void catalogue(Connection c, long revision) throws SQLException {
        send(c, MAPPER.createObjectNode().put("kind", "catalogue").put("revision", revision));
    }

    static void tokenRevoked(Connection c, String id) throws SQLException {
        send(c, MAPPER.createObjectNode().put("kind", "token-revoke").put("id", id));
    }

    static void tokenCreated(Connection c, String id) throws SQLException {
        send(c, MAPPER.createObjectNode().put("kind", "token-create").put("id", id));
    }

    static void reviewed(Connection c, dev.atoll.gateway.registry.ReviewChange review, String origin)
            throws SQLException {
        send(
                c,
                MAPPER.createObjectNode()
                        .put("kind", "review")
                        .put("change", review.kind().name().toLowerCase(java.util.Locale.ROOT))
                        .put("tool", review.tool())
                        .put("version", review.version())
                        .put("origin", origin));
    }

    static void tokensChanged(Connection c) throws SQLException {
        send(c, MAPPER.createObjectNode().put("kind", "tokens"));
    }

    private static void send(Connection c, ObjectNode payload) throws SQLException {
        if (!c.isWrapperFor(PGConnection.class)) {
            return; // H2: one node, nobody to tell
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, CHANNEL);
            ps.setString(2, payload.toString());
            ps.execute();
        }
    }

    private static Optional<Change> review(JsonNode n) {
        dev.atoll.gateway.registry.ReviewChange.Kind kind =
                switch (n.path("change").asText("")) {
                    case "deployed" -> dev.atoll.gateway.registry.ReviewChange.Kind.DEPLOYED;
                    case "rejected" -> dev.atoll.gateway.registry.ReviewChange.Kind.REJECTED;
                    default -> null;
                };
        String tool = n.path("tool").asText("");
        String origin = n.path("origin").asText("");
        JsonNode version = n.path("version");
        if (kind == null
                || !TOOL_NAME.matcher(tool).matches()
                || !ORIGIN.matcher(origin).matches()
                || !version.isIntegralNumber()
                || !version.canConvertToInt()
                || version.asInt() < 1) {
            return Optional.empty();
        }
        return Optional.of(
                new Reviewed(new dev.atoll.gateway.registry.ReviewChange(kind, tool, version.asInt()), origin));
    }

    /**
     * Reads a received payload.
     *
     * @param payload the notification's text
     * @return the change; empty when the payload is not one this version understands
     */
    static Optional<Change> parse(String payload) {
        if (payload == null || payload.length() > 1024) {
            return Optional.empty();
        }
        JsonNode n;
        try {
            n = MAPPER.readTree(payload);
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
        if (n == null || !n.isObject()) {
            return Optional.empty();
        }
        String id = n.path("id").asText("");
        return switch (n.path("kind").asText("")) {
            case "catalogue" ->
                n.path("revision").canConvertToLong() && n.path("revision").asLong() >= 0
                        ? Optional.of(new CatalogueMoved(n.path("revision").asLong()))
                        : Optional.empty();
            case "token-revoke" ->
                TOKEN_ID.matcher(id).matches()
                        ? Optional.of(new TokenRevoked(id))
                        : Optional.of(new TokensChanged()); // an id we cannot read: drop them all, the safe side
            case "token-create" ->
                TOKEN_ID.matcher(id).matches() ? Optional.of(new TokenCreated(id)) : Optional.empty();
            case "tokens" -> Optional.of(new TokensChanged());
            case "review" -> review(n);
            default -> Optional.empty();
        };
    }
}
