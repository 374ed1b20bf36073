package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.internal.metrics.GatewayMetrics;
import dev.atoll.gateway.testing.Scrape;
import dev.atoll.gateway.testing.StatelessCall;
import dev.atoll.runtime.ToolSource;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue #23: the web UI's Overview is drawn from the node's own meters. After real calls (ok and
 * failing), the hour's calls, outcomes, warm hits and cold starts it shows equal the counts
 * {@code /metrics} exports, and its p50/p99 are {@code histogram_quantile} over the exported buckets.
 */
class OverviewMetersTest {

    /** Data dirs of this class's gateways, deleted after it. */
    @org.junit.jupiter.api.io.TempDir
    static Path scratch;

    private static final String TOKEN = "atoll_mcp_overview_test_token_01";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient(); // follows no redirects

    @Test
    void theOverviewShowsWhatTheMetersCount() throws Exception {
        try (Gateway gateway = Gateway.builder()
                .config(GatewayConfig.defaults()
                        .with(Map.of(
                                "mcp.port",
                                "0",
                                "admin.port",
                                "0",
                                "data-dir",
                                Files.createTempDirectory(scratch, "atoll-overview")
                                        .toString(),
                                "examples.deploy",
                                "false")))
                .mcpToken(TOKEN, "acme", Set.of("*"))
                .start()) {
            gateway.deployApproved(ToolSource.js("flaky.mjs", """
                    export const tool = { name: "flaky", description: "fails on request", inputSchema: { type: "object" } };
                    export default function (args) { if (args.fail) { throw new Error("asked to"); } return "ok"; }
                    """));
            for (int i = 0; i < 9; i++) {
                HttpResponse<String> r = StatelessCall.post(
                        http, gateway.mcpUrl(), TOKEN, "flaky", i % 3 == 2 ? "{\"fail\":true}" : "{}");
                assertEquals(200, r.statusCode(), r.body());
            }
            String admin = gateway.startupTokens().get("ADMIN");
            String cookie = signIn(gateway, admin);
            HttpResponse<String> page = get(gateway, "/ui/overview.json", cookie);
            assertEquals(200, page.statusCode(), page.body());
            JsonNode hour = JSON.readTree(page.body()).path("hour");
            Scrape s = Scrape.of(gateway, admin);

            assertEquals(9, s.sum("atoll_tool_calls_seconds_count"), s.text());
            assertEquals(
                    s.sum("atoll_tool_calls_seconds_count"), hour.path("calls").asDouble(), hour.toString());
            assertEquals(6, s.sum("atoll_tool_calls_seconds_count", "outcome", "ok"));
            assertEquals(
                    s.sum("atoll_tool_calls_seconds_count", "outcome", "ok"),
                    hour.path("outcomes").path("ok").asDouble(),
                    hour.toString());
            assertEquals(
                    s.sum("atoll_tool_calls_seconds_count", "outcome", "tool_error"),
                    hour.path("outcomes").path("tool_error").asDouble(),
                    hour.toString());
            assertEquals(
                    s.sum("atoll_pool_warm_hits_total"), hour.path("warmHits").asDouble(), hour.toString());
            assertEquals(
                    s.sum("atoll_pool_cold_starts_total"),
                    hour.path("coldStarts").asDouble(),
                    hour.toString());
            assertEquals(
                    9, hour.path("warmHits").asLong() + hour.path("coldStarts").asLong(), hour.toString());
            assertEquals(quantileMs(s, 0.5), hour.path("p50Ms").asDouble(), 1e-6, hour.toString());
            assertEquals(quantileMs(s, 0.99), hour.path("p99Ms").asDouble(), 1e-6, hour.toString());
            assertTrue(
                    hour.path("p50Ms").asDouble() > 0
                            && hour.path("p99Ms").asDouble()
                                    >= hour.path("p50Ms").asDouble(),
                    hour.toString());
            JsonNode rate = JSON.readTree(page.body()).path("rate");
            assertEquals(60, rate.size(), "one point per minute of the hour");

            String html = get(gateway, "/ui/overview", cookie).body();
            assertTrue(html.contains("<td>calls</td><td>9</td>"), html);
        }
    }

    /** histogram_quantile over the exported buckets of atoll_tool_calls_seconds, summed by le, in ms. */
    private static double quantileMs(Scrape s, double q) {
        List<java.time.Duration> bounds = GatewayMetrics.CALL_BUCKETS;
        double total = s.sum("atoll_tool_calls_seconds_count");
        double rank = q * total;
        double below = 0;
        for (int i = 0; i < bounds.size(); i++) {
            double le = bounds.get(i).toNanos() / 1e9;
            double count = s.series("atoll_tool_calls_seconds_bucket").stream()
                    .filter(x -> !x.labels().get("le").equals("+Inf")
                            && Math.abs(Double.parseDouble(x.labels().get("le")) - le) < 1e-12)
                    .mapToDouble(Scrape.Sample::value)
                    .sum();
            if (count >= rank) {
                double lower = i == 0 ? 0 : bounds.get(i - 1).toNanos() / 1e6;
                double upper = bounds.get(i).toNanos() / 1e6;
                return count == below ? upper : lower + (upper - lower) * (rank - below) / (count - below);
            }
            below = count;
        }
        return bounds.getLast().toNanos() / 1e6;
    }

    private HttpResponse<String> get(Gateway gateway, String path, String cookie) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(gateway.adminUrl() + path))
                        .header("Cookie", cookie)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String signIn(Gateway gateway, String admin) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(gateway.adminUrl() + "/ui/login"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Origin", gateway.adminUrl())
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "token=" + URLEncoder.encode(admin, StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(303, r.statusCode(), r.body());
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }
}
