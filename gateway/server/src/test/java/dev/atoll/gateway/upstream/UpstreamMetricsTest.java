package dev.atoll.gateway.upstream;

import static dev.atoll.gateway.upstream.testing.UpstreamTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.LogFormat;
import dev.atoll.gateway.internal.logs.ServerLog;
import dev.atoll.gateway.internal.metrics.GatewayMetrics;
import dev.atoll.gateway.testing.LogCapture;
import dev.atoll.gateway.testing.Scrape;
import dev.atoll.gateway.testing.UpstreamGateway;
import dev.atoll.gateway.upstream.testing.UpstreamTestSupport;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Upstream meters and logs over a real gateway and a real (hostile) stdio MCP server under
 * bubblewrap: call latency histograms, in-flight calls, state and restarts, one log line per state
 * change and admin mutation; and the Grafana dashboard's metric names, each exported by this running
 * gateway (so the dashboard cannot drift from the meters).
 */
class UpstreamMetricsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    /** Metric names in PromQL expressions: every one of the gateway's meters has one of these prefixes. */
    static final Pattern METRIC = Pattern.compile("\\b(?:atoll|jvm|process|system)_[a-z0-9_]+\\b");

    @BeforeAll
    static void needsBwrap() {
        UpstreamTestSupport.assumeBwrap();
    }

    @Test
    void upstreamMetersLogsAndTheDashboard() throws Exception {
        try (LogCapture log = new LogCapture(ServerLog.LOGGER, LogFormat.JSON.formatter());
                UpstreamGateway g = new UpstreamGateway(Map.of("upstreams.health-timeout-ms", "1000"))) {
            g.addAndWait("h", List.of(UpstreamTestSupport.node(), UpstreamTestSupport.hostileServer()), Map.of(),
                    List.of());
            g.approve("h");
            try (McpSyncClient c = g.client()) {
                for (int i = 0; i < 3; i++) {
                    McpSchema.CallToolResult r = c.callTool(new McpSchema.CallToolRequest("h__echo", Map.of("text", "hi")));
                    assertFalse(Boolean.TRUE.equals(r.isError()), r.toString());
                }
                c.callTool(new McpSchema.CallToolRequest("h__secret", Map.of())); // a DLP match (redacted)
                Scrape s = scrape(g);
                assertEquals(4, s.sum("atoll_upstream_calls_seconds_count", "upstream", "h", "outcome", "ok"), s.text());
                assertEquals(GatewayMetrics.CALL_BUCKETS.size() + 1,
                        s.series("atoll_upstream_calls_seconds_bucket", "upstream", "h", "outcome", "ok").size());
                assertEquals(4, s.sum("atoll_upstream_calls_seconds_bucket", "upstream", "h", "outcome", "ok",
                        "le", "+Inf"));
                assertEquals(1, s.sum("atoll_dlp_matches_total", "rule", "aws-access-key-id", "direction", "outbound"));
                assertEquals(3, s.sum("atoll_tool_calls_seconds_count", "tool", "h__echo", "backend", "upstream"));
                assertEquals(1, s.sum("atoll_upstream_state", "upstream", "h", "state", "running"), s.text());
                assertEquals(1, s.sum("atoll_upstream_state", "upstream", "h"), "one state at a time");
                assertEquals(0, s.sum("atoll_upstream_in_flight", "upstream", "h"));

                // A call that never returns: in flight until the health check kills the frozen server,
                // which is then restarted.
                CompletableFuture<McpSchema.CallToolResult> frozen = CompletableFuture.supplyAsync(
                        () -> c.callTool(new McpSchema.CallToolRequest("h__freeze", Map.of())));
                await("the frozen call in flight", Duration.ofSeconds(30),
                        () -> scrape(g).sum("atoll_upstream_in_flight", "upstream", "h") == 1);
                await("the restart", Duration.ofSeconds(60), () -> {
                    Scrape x = scrape(g);
                    return x.sum("atoll_upstream_restarts_total", "upstream", "h") >= 1
                            && x.sum("atoll_upstream_state", "upstream", "h", "state", "running") == 1;
                });
                assertTrue(frozen.get().isError(), "the call ended with the server's death");
                Scrape after = scrape(g);
                assertEquals(0, after.sum("atoll_upstream_in_flight", "upstream", "h"), after.text());
                assertEquals(1, after.sum("atoll_upstream_calls_seconds_count", "upstream", "h", "outcome",
                        "upstream_crashed"), after.text());
            }

            // Every metric the dashboard's queries use is exported by this gateway.
            System.gc(); // so that the GC pause timer has a sample
            Path dashboard = UpstreamTestSupport.root().resolve("deploy/grafana/atoll.json");
            JsonNode d = JSON.readTree(Files.readString(dashboard));
            Set<String> used = new TreeSet<>();
            List<String> exprs = new ArrayList<>();
            d.path("panels").forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
            assertTrue(exprs.size() >= 20, "the dashboard has its queries: " + exprs.size());
            for (String e : exprs) {
                Matcher m = METRIC.matcher(e);
                boolean any = false;
                while (m.find()) {
                    used.add(m.group());
                    any = true;
                }
                assertTrue(any, "a query on none of the gateway's meters: " + e);
            }
            await("a GC pause sample", Duration.ofSeconds(30), () -> scrape(g).names().contains("jvm_gc_pause_seconds_sum"));
            Set<String> exported = scrape(g).names();
            Set<String> missing = new TreeSet<>(used);
            missing.removeAll(exported);
            assertTrue(missing.isEmpty(), "the dashboard uses metrics this gateway does not export: " + missing);

            assertEquals(200, g.admin("DELETE", "/v1/upstreams/h", null).path("status").asInt());
            await("the stopped state", Duration.ofSeconds(30),
                    () -> scrape(g).sum("atoll_upstream_state", "upstream", "h", "state", "stopped") == 1);

            List<JsonNode> events = new ArrayList<>();
            for (String line : log.lines()) {
                events.add(JSON.readTree(line));
            }
            Set<String> admin = new TreeSet<>();
            events.stream().filter(n -> n.path("event").asText().equals("admin"))
                    .forEach(n -> admin.add(n.path("action").asText()));
            assertTrue(admin.containsAll(Set.of("upstream.add", "upstream.approve", "upstream.remove")), admin.toString());
            List<String> moves = events.stream().filter(n -> n.path("action").asText().equals("upstream.state"))
                    .map(n -> n.path("from").asText() + ">" + n.path("to").asText()).toList();
            for (String move : List.of("new>starting", "starting>running", "running>restarting", "restarting>starting",
                    "running>stopped")) {
                assertTrue(moves.contains(move), move + " in " + moves);
            }
            JsonNode restart = events.stream().filter(n -> n.path("to").asText().equals("restarting")).findFirst()
                    .orElseThrow();
            assertEquals("WARNING", restart.path("level").asText());
            assertTrue(restart.path("reason").asText().contains("health check failed"), restart.toString());
            for (String line : log.lines()) {
                assertFalse(line.contains("AKIAIOSFODNN7EXAMPLE") || line.contains(g.adminToken)
                        || line.contains(UpstreamGateway.MCP_TOKEN), line);
            }
        }
    }

    static Scrape scrape(UpstreamGateway g) {
        return Scrape.of(g.gateway, g.adminToken);
    }
}
