package dev.atoll.gateway.upstream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.testing.SseLines;
import dev.atoll.gateway.testing.UpstreamGateway;
import dev.atoll.gateway.upstream.testing.UpstreamTestSupport;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The live tail sees upstreams: a server's state changes, its approval, calls of its tools (backend
 * {@code upstream}), and a rug pull (an approved tool's definition changing) as admin events.
 */
class UpstreamTailTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void needsBwrap() {
        UpstreamTestSupport.assumeBwrap();
    }

    private static List<JsonNode> admin(SseLines tail) {
        return tail.data("admin").stream().map(UpstreamTailTest::json).toList();
    }

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * State changes are pushed as they happen, not sampled: a server that exits at once restarts
     * every 100-200 ms, and every move of its crash loop reaches the tail in order, each restart
     * with its own count (a once-a-second poll would skip most of them and invent moves like
     * {@code new -> restarting}).
     */
    @Test
    void everyStateMoveOfACrashLoopReachesTheTailInOrder() throws Exception {
        try (UpstreamGateway g = new UpstreamGateway(
                        Map.of("upstreams.restart-backoff-min-ms", "100", "upstreams.restart-backoff-max-ms", "200"));
                SseLines tail = new SseLines(g.gateway.adminUrl() + "/v1/tail?tool=crash", g.adminToken)) {
            assertEquals(200, tail.status());
            JsonNode r = g.admin(
                    "POST",
                    "/v1/upstreams",
                    Map.of(
                            "name",
                            "crash",
                            "kind",
                            "bubblewrap",
                            "command",
                            List.of(UpstreamTestSupport.node(), "-e", "process.exit(3)"),
                            "env",
                            Map.of(),
                            "volumes",
                            List.of()));
            assertEquals(201, r.path("status").asInt(), r.toString());
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> states(tail).stream()
                                    .filter(d -> d.contains("-> restarting"))
                                    .count()
                            >= 4);
            List<String> moves = states(tail);
            assertTrue(moves.get(0).startsWith("new -> starting"), moves.toString());
            int restarts = 0;
            String at = "new";
            for (String m : moves) {
                String from = m.substring(0, m.indexOf(" -> "));
                String to = m.substring(m.indexOf(" -> ") + 4, m.indexOf(" ("));
                assertEquals(at, from, "moves are contiguous: " + moves);
                assertTrue(
                        Set.of(
                                        "new>starting",
                                        "starting>restarting",
                                        "restarting>starting",
                                        "starting>failed",
                                        "restarting>stopped",
                                        "starting>stopped")
                                .contains(from + ">" + to),
                        "a real move: " + m);
                if (to.equals("restarting")) {
                    restarts++;
                    assertTrue(m.contains("(restarts " + restarts + ")"), "restart " + restarts + ": " + moves);
                }
                at = to;
            }
            g.admin("DELETE", "/v1/upstreams/crash", null);
        }
    }

    private static List<String> states(SseLines tail) {
        return admin(tail).stream()
                .filter(e -> e.path("action").asText().equals("upstream.state"))
                .map(e -> e.path("detail").asText())
                .toList();
    }

    @Test
    void stateChangesApprovalCallsAndARugPullAreOnTheTail() throws Exception {
        try (UpstreamGateway g = new UpstreamGateway(Map.of("node.id", "up-node"));
                SseLines tail = new SseLines(g.gateway.adminUrl() + "/v1/tail?tool=evil", g.adminToken);
                SseLines calls = new SseLines(g.gateway.adminUrl() + "/v1/tail?tool=evil__mutate", g.adminToken)) {
            assertEquals(200, tail.status());
            g.addAndWait(
                    "evil",
                    List.of(UpstreamTestSupport.node(), UpstreamTestSupport.hostileServer()),
                    Map.of(),
                    List.of(Map.of("name", "data", "path", "/tmp/state")));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> admin(tail).stream()
                            .anyMatch(e -> e.path("action").asText().equals("upstream.state")
                                    && e.path("detail").asText().contains("-> running")));
            g.approve("evil");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> admin(tail).stream()
                            .anyMatch(e -> e.path("action").asText().equals("upstream.approve")));
            try (McpSyncClient c = g.client()) {
                c.callTool(new McpSchema.CallToolRequest("evil__mutate", Map.of()));
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !calls.data("call").isEmpty());
            JsonNode call = json(calls.data("call").get(0));
            assertEquals("upstream", call.path("backend").asText(), call.toString());
            assertEquals("up-node", call.path("node").asText());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> admin(tail).stream()
                            .anyMatch(e -> e.path("action").asText().equals("upstream.tool.pulled")));
            JsonNode pulled = admin(tail).stream()
                    .filter(e -> e.path("action").asText().equals("upstream.tool.pulled"))
                    .findFirst()
                    .orElseThrow();
            assertEquals("evil", pulled.path("target").asText());
            assertTrue(pulled.path("detail").asText().contains("tool echo"), pulled.toString());
            assertEquals("system", pulled.path("actor").asText());
        }
    }
}
