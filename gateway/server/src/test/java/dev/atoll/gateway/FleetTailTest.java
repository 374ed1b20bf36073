package dev.atoll.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.registry.Actor;
import dev.atoll.gateway.registry.TokenKind;
import dev.atoll.gateway.registry.testing.TestStore;
import dev.atoll.gateway.testing.SseLines;
import dev.atoll.gateway.testing.StatelessCall;
import dev.atoll.runtime.ToolSource;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #23: the live tail of a whole fleet. Three in-process gateways share one PostgreSQL schema
 * ({@code ATOLL_TEST_PG_URL}; skipped without it); {@code GET /v1/tail?fleet=true} on node 1 shows
 * the calls made on every node, each tagged with its node. Node 3 stopping is reported ({@code lost},
 * then {@code gone} once its heartbeat is stale) while the others keep streaming; node 3 started
 * again is connected again and its calls appear.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FleetTailTest {

    /** Data dirs of this class's gateways, deleted after it. */
    @org.junit.jupiter.api.io.TempDir
    static Path scratch;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "atoll_mcp_fleet_tail_test_token_1";
    private static final Duration LONG = Duration.ofSeconds(60);

    private final List<Gateway> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        nodes.forEach(Gateway::close);
        http.close();
    }

    private static Gateway start(String url, String id) throws Exception {
        return Gateway.builder()
                .config(GatewayConfig.defaults()
                        .with(Map.ofEntries(
                                Map.entry("mcp.port", "0"),
                                Map.entry("admin.port", "0"),
                                Map.entry(
                                        "data-dir",
                                        Files.createTempDirectory(scratch, "atoll-fleet-tail")
                                                .toString()),
                                Map.entry("examples.deploy", "false"),
                                Map.entry("metrics.jvm", "false"),
                                Map.entry("registry.jdbc-url", "\"" + url + "\""),
                                Map.entry("node.id", id),
                                Map.entry("fleet.heartbeat-ms", "1000"),
                                Map.entry("fleet.stale-after-ms", "2500"),
                                Map.entry("tail.heartbeat-ms", "500"))))
                .mcpToken(TOKEN, "acme", Set.of("*"))
                .start();
    }

    private void call(Gateway g) throws Exception {
        await("node " + g.adminUrl() + " serves hello")
                .atMost(LONG)
                .until(() -> g.toolNames().contains("hello"));
        HttpResponse<String> r = StatelessCall.post(http, g.mcpUrl(), TOKEN, "hello", "{}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(JSON.readTree(r.body()).has("result"), r.body());
    }

    private static List<JsonNode> events(SseLines tail, String event) {
        return tail.data(event).stream()
                .map(s -> {
                    try {
                        return JSON.readTree(s);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toList();
    }

    private static boolean callFrom(SseLines tail, String node, long atLeast) {
        return events(tail, "call").stream()
                        .filter(e -> e.path("node").asText().equals(node)
                                && e.path("tool").asText().equals("hello"))
                        .count()
                >= atLeast;
    }

    private static boolean nodeState(SseLines tail, String node, String state, long atLeast) {
        return events(tail, "node").stream()
                        .filter(e -> e.path("node").asText().equals(node)
                                && e.path("state").asText().equals(state))
                        .count()
                >= atLeast;
    }

    @Test
    void callsOnEveryNodeAppearInOneMergedTail() throws Exception {
        TestStore.assumePostgres();
        String url = TestStore.freshPostgresUrl();
        String p = "tl"
                + HexFormat.of()
                        .formatHex(
                                new byte[] {(byte) ThreadLocalRandom.current().nextInt()});
        for (int i = 1; i <= 3; i++) {
            nodes.add(start(url, p + "-" + i));
        }
        String admin = nodes.get(0)
                .registry()
                .tokens()
                .create(TokenKind.ADMIN, "default", Set.of("*"), "fleet tail test", new Actor("cli:fleet-tail-test"))
                .plaintext();
        nodes.get(0).deployApproved(ToolSource.js("hello.mjs", """
                export const tool = { name: "hello", description: "says hello", inputSchema: { type: "object" } };
                export default function () { return "hello"; }
                """));
        try (SseLines tail = new SseLines(nodes.get(0).adminUrl() + "/v1/tail?fleet=true&tool=hello", admin)) {
            assertEquals(200, tail.status());
            await("nodes 2 and 3 connected")
                    .atMost(LONG)
                    .until(() ->
                            nodeState(tail, p + "-2", "connected", 1) && nodeState(tail, p + "-3", "connected", 1));
            for (Gateway g : nodes) {
                call(g);
            }
            await("a call from every node")
                    .atMost(LONG)
                    .until(() ->
                            callFrom(tail, p + "-1", 1) && callFrom(tail, p + "-2", 1) && callFrom(tail, p + "-3", 1));
            assertTrue(
                    events(tail, "node").stream()
                            .noneMatch(e -> e.path("node").asText().equals(p + "-1")),
                    "this node's own events come from its bus, not from a stream to itself");

            // Node 3 goes away: reported, then written off once stale; node 2 keeps streaming.
            nodes.remove(2).close();
            await("node 3 lost").atMost(LONG).until(() -> nodeState(tail, p + "-3", "lost", 1));
            await("node 3 gone").atMost(LONG).until(() -> nodeState(tail, p + "-3", "gone", 1));
            call(nodes.get(1));
            await("node 2 still streams").atMost(LONG).until(() -> callFrom(tail, p + "-2", 2));

            // Node 3 comes back (new ports): connected again, its calls appear.
            nodes.add(start(url, p + "-3"));
            await("node 3 connected again").atMost(LONG).until(() -> nodeState(tail, p + "-3", "connected", 2));
            call(nodes.get(2));
            await("node 3's new call").atMost(LONG).until(() -> callFrom(tail, p + "-3", 2));
            assertTrue(tail.data("dropped").isEmpty(), "nobody fell behind");
        }
    }

    @Test
    void badFleetValueIsRefused() throws Exception {
        nodes.add(Gateway.builder()
                .config(GatewayConfig.defaults()
                        .with(Map.of(
                                "mcp.port",
                                "0",
                                "admin.port",
                                "0",
                                "data-dir",
                                Files.createTempDirectory(scratch, "atoll-fleet-tail-h2")
                                        .toString(),
                                "examples.deploy",
                                "false",
                                "metrics.jvm",
                                "false")))
                .start());
        String admin = nodes.get(0).startupTokens().get("ADMIN");
        try (SseLines bad = new SseLines(nodes.get(0).adminUrl() + "/v1/tail?fleet=maybe", admin)) {
            assertEquals(400, bad.status());
        }
    }

    /** A node behind NAT or a proxy advertises the admin URL it is configured with, not its listener's. */
    @Test
    void aConfiguredAdminUrlIsTheOneAdvertised() throws Exception {
        Gateway g = Gateway.builder()
                .config(GatewayConfig.defaults()
                        .with(Map.of(
                                "mcp.port",
                                "0",
                                "admin.port",
                                "0",
                                "data-dir",
                                Files.createTempDirectory(scratch, "atoll-fleet-tail-url")
                                        .toString(),
                                "examples.deploy",
                                "false",
                                "metrics.jvm",
                                "false",
                                "node.id",
                                "behind-nat",
                                "node.admin-url",
                                "\"https://gw-7.internal.example:9443\"")))
                .start();
        nodes.add(g);
        await("the configured URL advertised")
                .atMost(LONG)
                .until(() -> java.net
                        .URI
                        .create("https://gw-7.internal.example:9443")
                        .equals(g.registry().adminEndpoints().all().get("behind-nat")));
    }
}
