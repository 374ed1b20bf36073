package dev.atoll.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.registry.Fleet;
import dev.atoll.runtime.ToolSource;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code atoll fleet status}, {@code atoll tools place} and {@code serve --registry} against a real
 * gateway (docs/fleet.md). The fleet table gets two more rows as other nodes' heartbeats would
 * write them (one fresh, one stopped long ago): the command's output and exit status follow.
 * The multi-node behaviour itself is FleetPostgresTest's (gateway module).
 */
class FleetCliTest extends CliFixture {

    @Test
    void fleetStatusListsTheNodesAndFlagsAStaleOne() throws Exception {
        Fleet fleet = gateway.registry().fleet();
        long revision = fleet.revision();
        fleet.heartbeat(new Fleet.Heartbeat(
                "eu-2", "eu", "0.0.9", Instant.now().minusSeconds(600), true, revision, 12.5, 0.25));
        Run healthy = cli("fleet", "status");
        assertEquals(Main.OK, healthy.code(), healthy.out() + healthy.err());
        assertTrue(healthy.out().contains("single node (embedded database)"), healthy.out());
        assertTrue(
                healthy.out().matches("(?s).*\\n" + gateway.nodeId() + " +default +\\S+ .*\\(this\\).*"),
                healthy.out());
        assertTrue(
                healthy.out().matches("(?s).*\\neu-2 +eu +0\\.0\\.9 +10m +yes +" + revision + " .* 12\\.5 +0\\.3 .*"),
                healthy.out());

        // A node that stopped heartbeating an hour ago, on an old revision.
        fleet.heartbeat(
                new Fleet.Heartbeat("us-1", "us", "0.0.9", Instant.now(), true, Math.max(0, revision - 1), 0, 0));
        dev.atoll.gateway.registry.testing.TestStore.ageHeartbeat(
                dev.atoll.gateway.registry.RegistryConfig.builder()
                        .dataDir(dir.resolve("data"))
                        .build(),
                "us-1",
                3_600_000);
        Run flagged = cli("fleet", "status");
        assertEquals(Main.REFUSED, flagged.code(), "a stale node makes the exit status 1: " + flagged.out());
        assertTrue(flagged.out().matches("(?s).*\\nus-1 +us .* STALE( LAGGING)?\\s*\\n.*"), flagged.out());

        Run json = cli("fleet", "status", "--json");
        JsonNode f = new ObjectMapper().readTree(json.out());
        assertEquals(3, f.path("nodes").size(), json.out());
        assertEquals("local", f.path("propagation").path("mode").asText());
        for (JsonNode n : f.path("nodes")) {
            assertEquals(n.path("id").asText().equals("us-1"), n.path("stale").asBoolean(), n.toString());
        }
    }

    @Test
    void toolsPlaceSetsAndLiftsThePlacement() throws Exception {
        gateway.deployApproved(ToolSource.js("placed.mjs", """
                export const tool = { name: "placed", description: "placed tool", inputSchema: { type: "object" } };
                export default () => "here";
                """));
        Run placed = cli("tools", "place", "placed", "--regions", "us,eu");
        assertEquals(Main.OK, placed.code(), placed.out() + placed.err());
        assertEquals("placed serves only in region(s) eu, us\n", placed.out());
        assertEquals(
                Set.of("eu", "us"),
                gateway.registry().tool("placed").orElseThrow().regions());
        assertTrue(!gateway.toolNames().contains("placed"), "this node is in region 'default': not served here");
        assertTrue(cli("tools", "list").out().matches("(?s).*\\nplaced +v1 +yes +eu,us .*"));

        Run bad = cli("tools", "place", "placed", "--regions", "EU!");
        assertEquals(Main.REFUSED, bad.code(), bad.out() + bad.err());
        assertTrue(bad.err().contains("a region must be"), bad.err());

        Run everywhere = cli("tools", "place", "placed", "--everywhere");
        assertEquals(Main.OK, everywhere.code(), everywhere.out() + everywhere.err());
        assertEquals("placed serves in every region\n", everywhere.out());
        assertTrue(gateway.toolNames().contains("placed"));
        assertEquals(
                "here",
                call("placed", "{}")
                        .path("result")
                        .path("content")
                        .path(0)
                        .path("text")
                        .asText());
    }

    @Test
    void serveRegistryMapsAPostgresqlUrlOntoTheRegistryKeys() {
        assertEquals(
                Map.of("registry.jdbc-url", "\"jdbc:postgresql://db:5432/atoll\"", "registry.user", "\"atoll\""),
                Serve.registryOverrides("postgresql://atoll@db:5432/atoll", false));
        assertEquals(
                Map.of(
                        "registry.jdbc-url",
                        "\"jdbc:postgresql://db/atoll?sslmode=require\"",
                        "registry.password",
                        "\"env:ATOLL_REGISTRY_PASSWORD\""),
                Serve.registryOverrides("postgres://db/atoll?sslmode=require", true));
        assertEquals(
                Map.of("registry.jdbc-url", "\"jdbc:postgresql://h:1/d\""),
                Serve.registryOverrides("jdbc:postgresql://h:1/d", false));
        IllegalArgumentException pw = assertThrows(
                IllegalArgumentException.class,
                () -> Serve.registryOverrides("postgresql://atoll:secret@db/atoll", false));
        assertTrue(pw.getMessage().contains("ATOLL_REGISTRY_PASSWORD")
                && !pw.getMessage().contains("secret"));
        assertThrows(IllegalArgumentException.class, () -> Serve.registryOverrides("mysql://db/atoll", false));
        assertThrows(IllegalArgumentException.class, () -> Serve.registryOverrides("postgresql://db", false));
        assertThrows(
                IllegalArgumentException.class,
                () -> Serve.registryOverrides("jdbc:postgresql://db/a?password=x", false));
    }
}
