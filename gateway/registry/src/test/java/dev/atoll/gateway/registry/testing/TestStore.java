package dev.atoll.gateway.registry.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.registry.RegistryConfig;
import dev.atoll.gateway.registry.ToolDefinition;
import dev.atoll.runtime.LimitOverrides;
import dev.atoll.runtime.ToolManifest;
import dev.atoll.runtime.ToolSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * Test databases: a real H2 file database in a temp directory, or a fresh schema in the PostgreSQL
 * database named by {@code ATOLL_TEST_PG_URL} (e.g.
 * {@code jdbc:postgresql://127.0.0.1:5432/atoll?user=atoll&password=atoll}; {@code scripts/test.sh}
 * starts a local PostgreSQL 15 and sets it). The store tests run on H2, and their
 * {@code *PostgresTest} subclasses run the same tests on PostgreSQL in the same suite; without the
 * variable those are skipped with {@link #assumePostgres()}'s message.
 */
public final class TestStore {

    /** The environment variable naming the PostgreSQL test database. */
    public static final String PG_URL_ENV = "ATOLL_TEST_PG_URL";

    private TestStore() {}

    /** The PostgreSQL URL under test, if any. */
    public static Optional<String> postgres() {
        return Optional.ofNullable(System.getenv(PG_URL_ENV)).filter(s -> !s.isBlank());
    }

    /** Skips the calling test (class) unless {@code ATOLL_TEST_PG_URL} names a PostgreSQL database. */
    public static void assumePostgres() {
        Assumptions.assumeTrue(
                postgres().isPresent(),
                PG_URL_ENV + " is not set: the PostgreSQL variant of the"
                        + " store tests is skipped (scripts/test.sh starts a local PostgreSQL 15 and sets it)");
    }

    /**
     * A configuration for a fresh, empty embedded H2 database.
     *
     * @param dir a temp directory (the H2 file lives there)
     * @return a builder with the database set
     */
    public static RegistryConfig.Builder fresh(Path dir) {
        return RegistryConfig.builder().dataDir(dir);
    }

    /**
     * A configuration for a fresh, empty schema in the PostgreSQL test database; skips the test
     * when there is none.
     *
     * @param dir the data directory (checkpoint files live there)
     * @return a builder with the database set
     */
    public static RegistryConfig.Builder freshPostgres(Path dir) {
        return RegistryConfig.builder().dataDir(dir).jdbcUrl(freshPostgresUrl());
    }

    /**
     * Creates an empty schema in the PostgreSQL test database (skipping the test when there is
     * none) and returns a URL whose sessions use it.
     *
     * @return {@code ATOLL_TEST_PG_URL} with {@code currentSchema} set to the new schema
     */
    public static String freshPostgresUrl() {
        assumePostgres();
        String url = postgres().orElseThrow();
        byte[] r = new byte[6];
        ThreadLocalRandom.current().nextBytes(r);
        String schema = "atoll_test_" + HexFormat.of().formatHex(r);
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot create a test schema in " + url.replaceAll("(?i)(password=)[^;&]*", "$1***"), e);
        }
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /**
     * A direct JDBC connection to the database of a config (auto-commit on), to tamper with rows.
     *
     * @param config the registry's config
     * @return the connection
     * @throws SQLException on failure
     */
    public static Connection connect(RegistryConfig config) throws SQLException {
        return DriverManager.getConnection(
                config.jdbcUrl(), config.user().orElse(""), config.password().orElse(""));
    }

    /**
     * Turns a stored token into an ADMIN token with SQL, as a database of an older gateway could hold
     * one that the registry now refuses to create (e.g. a scoped admin token).
     *
     * @param config the registry's config
     * @param tokenId the token's id
     * @throws SQLException on failure, or if no such token exists
     */
    public static void makeAdmin(RegistryConfig config, String tokenId) throws SQLException {
        try (Connection c = connect(config);
                java.sql.PreparedStatement ps =
                        c.prepareStatement("UPDATE api_token SET kind = 'ADMIN' WHERE id = ?")) {
            ps.setString(1, tokenId);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("no token " + tokenId);
            }
        }
    }

    /**
     * Moves a fleet node's last heartbeat into the past with SQL, as if the node had stopped then.
     *
     * @param config the registry's config
     * @param nodeId the node
     * @param agoMillis how long ago its last heartbeat was
     * @throws SQLException on failure, or if no such node exists
     */
    public static void ageHeartbeat(RegistryConfig config, String nodeId, long agoMillis) throws SQLException {
        try (Connection c = connect(config);
                java.sql.PreparedStatement ps =
                        c.prepareStatement("UPDATE fleet_node SET heartbeat_at = ? WHERE id = ?")) {
            ps.setLong(1, System.currentTimeMillis() - agoMillis);
            ps.setString(2, nodeId);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("no node " + nodeId);
            }
        }
    }

    /** A minimal object input schema with one string property. */
    public static ObjectNode schema(String property, String description) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("type", "object");
        ObjectNode p = s.putObject("properties").putObject(property);
        p.put("type", "string");
        p.put("description", description);
        s.putArray("required").add(property);
        return s;
    }

    /** A tool definition built the way the admin API builds one: a ToolSource and a ToolManifest. */
    public static ToolDefinition tool(String name, String description) {
        return tool(name, description, schema("text", "The text"), List.of(), "export default (a) => a;");
    }

    /** A tool definition with the parts a rug pull changes. */
    public static ToolDefinition tool(
            String name, String description, ObjectNode inputSchema, List<String> egress, String code) {
        ToolManifest m = new ToolManifest(
                name,
                Optional.empty(),
                description,
                inputSchema,
                Optional.empty(),
                Optional.empty(),
                egress,
                Map.of(),
                LimitOverrides.none());
        return ToolDefinition.of(ToolSource.js(name + ".mjs", "export const tool = {};\n" + code), m);
    }
}
