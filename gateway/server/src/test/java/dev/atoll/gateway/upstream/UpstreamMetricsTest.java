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
import org.junit.jupiter.api.Timeout;

/**
 * Upstream meters and logs over a real gateway and a real stdio MCP server ({@code hold-server.mjs}) under
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
    @Timeout(240) // a gateway start alone took 70 s on the loaded 2-core machine
    void upstreamMetersLogsAndTheDashboard() throws Exception {
        try (LogCapture log = new LogCapture(ServerLog.LOGGER, LogFormat.JSON.formatter());
                UpstreamGateway g = new UpstreamGateway(Map.of())) {
            g.addAndWait(
                    "h",
                    List.of(
                            UpstreamTestSupport.node(),
                            UpstreamTestSupport.root()
                                    .resolve("gateway/server/src/test/resources/upstream/hold-server.mjs")
                                    .toString()),
                    Map.of(),
                    List.of());
            g.approve("h");
            try (McpSyncClient c = g.client()) {
                for (int i = 0; i < 3; i++) {
                    McpSchema.CallToolResult r =
                            c.callTool(new McpSchema.CallToolRequest("h__echo", Map.of("text", "hi")));
                    assertFalse(Boolean.TRUE.equals(r.isError()), r.toString());
                }
                // a DLP match: a fake AWS key (AWS's documented example) in the arguments is blocked before
                // the call reaches the server
                c.callTool(new McpSchema.CallToolRequest("h__echo", Map.of("text", "key AKIAIOSFODNN7EXAMPLE")));
                Scrape s = scrape(g);
                assertEquals(
                        3, s.sum("atoll_upstream_calls_seconds_count", "upstream", "h", "outcome", "ok"), s.text());
                assertEquals(
                        GatewayMetrics.CALL_BUCKETS.size() + 1,
                        s.series("atoll_upstream_calls_seconds_bucket", "upstream", "h", "outcome", "ok")
                                .size());
                assertEquals(
                        3,
                        s.sum("atoll_upstream_calls_seconds_bucket", "upstream", "h", "outcome", "ok", "le", "+Inf"));
                assertEquals(1, s.sum("atoll_dlp_matches_total", "rule", "aws-access-key-id", "direction", "inbound"));
                assertEquals(
                        3,
                        s.sum(
                                "atoll_tool_calls_seconds_count",
                                "tool",
                                "h__echo",
                                "backend",
                                "upstream",
                                "outcome",
                                "ok"));
                assertEquals(1, s.sum("atoll_upstream_state", "upstream", "h", "state", "running"), s.text());
                assertEquals(1, s.sum("atoll_upstream_state", "upstream", "h"), "one state at a time");
                assertEquals(0, s.sum("atoll_upstream_in_flight", "upstream", "h"));

                // A call the server holds until it is released: in flight meanwhile.
                java.net.http.HttpClient holder = java.net.http.HttpClient.newHttpClient();
                CompletableFuture<java.net.http.HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> {
                    try {
                        return dev.atoll.gateway.testing.StatelessCall.post(
                                holder, g.gateway.mcpUrl(), UpstreamGateway.MCP_TOKEN, "h__hold", "{}");
                    } catch (java.io.IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                await(
                        "the held call in flight",
                        Duration.ofSeconds(30),
                        () -> scrape(g).sum("atoll_upstream_in_flight", "upstream", "h") == 1);
                // released by another client (a stateless 2026-07-28 call), not behind the held one
                try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
                    assertEquals(
                            200,
                            dev.atoll.gateway.testing.StatelessCall.post(
                                            http, g.gateway.mcpUrl(), UpstreamGateway.MCP_TOKEN, "h__release", "{}")
                                    .statusCode());
                }
                java.net.http.HttpResponse<String> released = held.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertTrue(released.statusCode() == 200 && released.body().contains("released"), released.body());
                holder.close();
                await(
                        "no call in flight",
                        Duration.ofSeconds(30),
                        () -> scrape(g).sum("atoll_upstream_in_flight", "upstream", "h") == 0);
                // A server that exits in the middle of a call is restarted.
                McpSchema.CallToolResult crashed = c.callTool(new McpSchema.CallToolRequest("h__crash", Map.of()));
                assertTrue(crashed.isError(), crashed.toString());
                await("the restart", Duration.ofSeconds(60), () -> {
                    Scrape x = scrape(g);
                    return x.sum("atoll_upstream_restarts_total", "upstream", "h") >= 1
                            && x.sum("atoll_upstream_state", "upstream", "h", "state", "running") == 1;
                });
                Scrape after = scrape(g);
                assertEquals(0, after.sum("atoll_upstream_in_flight", "upstream", "h"), after.text());
                assertEquals(
                        1,
                        after.sum("atoll_upstream_calls_seconds_count", "upstream", "h", "outcome", "upstream_crashed"),
                        after.text());
            }

            // Every metric the dashboard's queries use is exported by this gateway (an isolate tool too).
            g.gateway.deployApproved(dev.atoll.runtime.ToolSource.js("one.mjs", """
                    export const tool = { name: "one", description: "returns one", inputSchema: { type: "object" } };
                    export default function () { return "1"; }
                    """));
            try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
                assertEquals(
                        200,
                        dev.atoll.gateway.testing.StatelessCall.post(
                                        http, g.gateway.mcpUrl(), UpstreamGateway.MCP_TOKEN, "one", "{}")
                                .statusCode());
            }
            await(
                    "a warm context of one",
                    Duration.ofSeconds(60),
                    () -> scrape(g).sum("atoll_pool_context_creation_seconds_count", "tool", "one") >= 1);
            System.gc(); // so that the GC pause timer has a sample
            Path dashboard = UpstreamTestSupport.root().resolve("deploy/grafana/atoll.json");
            JsonNode d = JSON.readTree(Files.readString(dashboard));
            Set<String> used = new TreeSet<>();
            List<String> exprs = new ArrayList<>();
            d.path("panels")
                    .forEach(p -> p.path("targets")
                            .forEach(t -> exprs.add(t.path("expr").asText())));
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
            await(
                    "a GC pause sample",
                    Duration.ofSeconds(30),
                    () -> scrape(g).names().contains("jvm_gc_pause_seconds_sum"));
            Set<String> exported = scrape(g).names();
            Set<String> missing = new TreeSet<>(used);
            missing.removeAll(exported);
            assertTrue(missing.isEmpty(), "the dashboard uses metrics this gateway does not export: " + missing);

            assertEquals(
                    200,
                    g.admin("DELETE", "/v1/upstreams/h", null).path("status").asInt());
            await(
                    "the stopped state",
                    Duration.ofSeconds(30),
                    () -> scrape(g).sum("atoll_upstream_state", "upstream", "h", "state", "stopped") == 1);

            List<JsonNode> events = new ArrayList<>();
            for (String line : log.lines()) {
                events.add(JSON.readTree(line));
            }
            Set<String> admin = new TreeSet<>();
            events.stream()
                    .filter(n -> n.path("event").asText().equals("admin"))
                    .forEach(n -> admin.add(n.path("action").asText()));
            assertTrue(
                    admin.containsAll(Set.of("upstream.add", "upstream.approve", "upstream.remove")), admin.toString());
            List<String> moves = events.stream()
                    .filter(n -> n.path("action").asText().equals("upstream.state"))
                    .map(n -> n.path("from").asText() + ">" + n.path("to").asText())
                    .toList();
            for (String move : List.of(
                    "new>starting",
                    "starting>running",
                    "running>restarting",
                    "restarting>starting",
                    "running>stopped")) {
                assertTrue(moves.contains(move), move + " in " + moves);
            }
            JsonNode restart = events.stream()
                    .filter(n -> n.path("to").asText().equals("restarting"))
                    .findFirst()
                    .orElseThrow();
            assertEquals("WARNING", restart.path("level").asText());
            assertTrue(restart.path("reason").asText().contains("exited"), restart.toString());
            for (String line : log.lines()) {
                assertFalse(
                        line.contains("AKIAIOSFODNN7EXAMPLE")
                                || line.contains(g.adminToken)
                                || line.contains(UpstreamGateway.MCP_TOKEN),
                        line);
            }
        }
    }

    static Scrape scrape(UpstreamGateway g) {
        return Scrape.of(g.gateway, g.adminToken);
    }
}
