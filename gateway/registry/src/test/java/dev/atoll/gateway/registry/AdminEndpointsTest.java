package dev.atoll.gateway.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.registry.testing.TestStore;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #23: each node's admin URL in {@code fleet_node_admin} (migration V40), on H2 and, when
 * {@code ATOLL_TEST_PG_URL} is set, on PostgreSQL: written and replaced per node, read back by every
 * node; a URL a peer could not use or that smuggles credentials is refused on write and left out on
 * read.
 */
class AdminEndpointsTest {

    @TempDir
    Path dir;

    @Test
    void advertisedUrlsRoundTripOnH2() throws Exception {
        RegistryConfig config = TestStore.fresh(dir).build();
        try (Registry r = Registry.open(config)) {
            roundTrip(r, config);
        }
    }

    @Test
    void advertisedUrlsRoundTripOnPostgres() throws Exception {
        TestStore.assumePostgres();
        RegistryConfig config = TestStore.freshPostgres(dir).build();
        try (Registry r = Registry.open(config)) {
            roundTrip(r, config);
        }
    }

    private static void roundTrip(Registry r, RegistryConfig config) throws java.sql.SQLException {
        AdminEndpoints a = r.adminEndpoints();
        assertEquals(Map.of(), a.all());
        a.advertise("gw-1", URI.create("http://127.0.0.1:8081"));
        a.advertise("gw-2", URI.create("https://gw-2.example:9443/admin"));
        a.advertise("gw-1", URI.create("http://127.0.0.1:18081")); // a restart on another port
        assertEquals(
                Map.of(
                        "gw-1",
                        URI.create("http://127.0.0.1:18081"),
                        "gw-2",
                        URI.create("https://gw-2.example:9443/admin")),
                a.all());
        for (String bad : new String[] {
            "ftp://h/",
            "http://user:pw@h:1",
            "http://h:1/?x=1",
            "http://h:1/#f",
            "/relative",
            "javascript:alert(1)",
            "http://h/" + "x".repeat(400)
        }) {
            RegistryException e =
                    assertThrows(RegistryException.class, () -> a.advertise("gw-3", URI.create(bad)), bad);
            assertEquals(RegistryException.Reason.INVALID_ARGUMENT, e.reason());
            assertTrue(e.getMessage().contains("admin URL"), e.getMessage());
        }
        assertThrows(RegistryException.class, () -> a.advertise("", URI.create("http://h:1")));
        assertThrows(RegistryException.class, () -> a.advertise("n".repeat(65), URI.create("http://h:1")));
        assertEquals(2, a.all().size(), "nothing refused was written");
        // A row written past the check (another build, a hand edit) is not handed to the tail.
        try (java.sql.Connection c = TestStore.connect(config);
                java.sql.PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO fleet_node_admin (id, admin_url, updated_at) VALUES ('evil', 'http://u:p@h:1', 0)")) {
            ps.executeUpdate();
        }
        assertEquals(2, a.all().size(), "a row with credentials in its URL is left out: " + a.all());
    }
}
