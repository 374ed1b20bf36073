package dev.atoll.gateway.registry;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/**
 * Test databases: a real H2 file database in a temp directory, or, when {@code ATOLL_TEST_PG_URL}
 * is set (e.g. {@code jdbc:postgresql://127.0.0.1/atoll?user=atoll&password=atoll}), a fresh schema
 * in that PostgreSQL database, so the same tests run against both.
 */
public final class TestStore {

    private TestStore() {}

    /** The PostgreSQL URL under test, if any. */
    public static Optional<String> postgres() {
        return Optional.ofNullable(System.getenv("ATOLL_TEST_PG_URL")).filter(s -> !s.isBlank());
    }

    /**
     * A configuration for a fresh, empty database.
     *
     * @param dir a temp directory (the H2 file lives there)
     * @return a builder with the database set
     */
    public static RegistryConfig.Builder fresh(Path dir) {
        RegistryConfig.Builder b = RegistryConfig.builder().dataDir(dir);
        Optional<String> pg = postgres();
        if (pg.isPresent()) {
            byte[] r = new byte[6];
            ThreadLocalRandom.current().nextBytes(r);
            String schema = "atoll_test_" + HexFormat.of().formatHex(r);
            try (Connection c = DriverManager.getConnection(pg.get()); Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + schema);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create a test schema in " + pg.get(), e);
            }
            b.jdbcUrl(pg.get() + (pg.get().contains("?") ? "&" : "?") + "currentSchema=" + schema);
        }
        return b;
    }

    /**
     * A direct JDBC connection to the database of a config (auto-commit on), to tamper with rows.
     *
     * @param config the registry's config
     * @return the connection
     * @throws SQLException on failure
     */
    public static Connection connect(RegistryConfig config) throws SQLException {
        return DriverManager.getConnection(config.jdbcUrl(), config.user().orElse(""), config.password().orElse(""));
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
    public static ToolDefinition tool(String name, String description, ObjectNode inputSchema, List<String> egress,
            String code) {
        ToolManifest m = new ToolManifest(name, Optional.empty(), description, inputSchema, Optional.empty(),
                Optional.empty(), egress, Map.of(), LimitOverrides.none());
        return ToolDefinition.of(ToolSource.js(name + ".mjs", "export const tool = {};\n" + code), m);
    }
}
