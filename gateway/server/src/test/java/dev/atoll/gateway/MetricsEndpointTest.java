package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.internal.logs.ServerLog;
import dev.atoll.gateway.internal.metrics.GatewayMetrics;
import dev.atoll.gateway.testing.LogCapture;
import dev.atoll.gateway.testing.Scrape;
import dev.atoll.gateway.testing.StatelessCall;
import dev.atoll.runtime.ToolSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics on the admin listener, scraped over real HTTP after real calls through the pipeline. */
class MetricsEndpointTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    static final String TOKEN = "atoll_mcp_metrics_test_token";
    static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE"; // AWS's documented example key id
    final HttpClient http = HttpClient.newHttpClient();

    static Gateway start(Map<String, String> extra) throws Exception {
        Map<String, String> cfg = new java.util.HashMap<>(Map.of(
                "mcp.port",
                "0",
                "admin.port",
                "0",
                "data-dir",
                Files.createTempDirectory(scratch, "atoll-metrics").toString(),
                "examples.deploy",
                "false"));
        cfg.putAll(extra);
        return Gateway.builder()
                .config(GatewayConfig.defaults().with(cfg))
                .mcpToken(TOKEN, "acme", Set.of("*"))
                .start();
    }

    HttpResponse<String> call(Gateway gateway, String args) throws Exception {
        return StatelessCall.post(http, gateway.mcpUrl(), TOKEN, "echo", args);
    }

    HttpResponse<String> scrape(Gateway gateway, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.adminUrl() + "/metrics"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the first sample whose line starts with {@code prefix} and contains every label. */
    static double sample(String text, String name, String... labels) {
        for (String line : text.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            boolean all = true;
            for (String l : labels) {
                all &= line.contains(l);
            }
            if (all) {
                Matcher m = Pattern.compile(" ([0-9.eE+-]+)$").matcher(line);
                assertTrue(m.find(), line);
                return Double.parseDouble(m.group(1));
            }
        }
        return 0;
    }

    @Test
    void callsDlpMatchesAndPoolEventsAreCounted() throws Exception {
        try (Gateway gateway = start(Map.of());
                LogCapture log = new LogCapture(ServerLog.LOGGER, LogFormat.JSON.formatter())) {
            gateway.deployApproved(ToolSource.js("echo.mjs", """
                    export const tool = { name: "echo", description: "returns its input", inputSchema: { type: "object" } };
                    export default function (args) { return JSON.stringify(args); }
                    """));
            for (int i = 0; i < 5; i++) {
                assertEquals(200, call(gateway, "{\"i\":" + i + "}").statusCode());
            }
            assertEquals(200, call(gateway, "{\"key\":\"" + AWS_KEY + "\"}").statusCode());

            HttpResponse<String> denied = scrape(gateway, null);
            assertEquals(401, denied.statusCode());
            assertTrue(
                    denied.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
            assertEquals(401, scrape(gateway, TOKEN).statusCode(), "an MCP token is not an admin token");

            HttpResponse<String> r = scrape(gateway, gateway.startupTokens().get("ADMIN"));
            assertEquals(200, r.statusCode());
            assertTrue(
                    r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
                    r.headers().toString());
            String text = r.body();
            assertEquals(
                    5,
                    sample(
                            text,
                            "atoll_tool_calls_seconds_count",
                            "tool=\"echo\"",
                            "outcome=\"ok\"",
                            "backend=\"isolate\""),
                    text);
            assertEquals(1, sample(text, "atoll_tool_calls_seconds_count", "tool=\"echo\"", "outcome=\"dlp_blocked\""));
            assertEquals(
                    1,
                    sample(
                            text,
                            "atoll_dlp_matches_total",
                            "rule=\"aws-access-key-id\"",
                            "direction=\"inbound\"",
                            "action=\"block\""),
                    text);
            // Every call that ran took a context, warm or cold: the DLP-blocked one never reached the pool.
            double warm = sample(text, "atoll_pool_warm_hits_total", "tool=\"echo\"");
            double cold = sample(text, "atoll_pool_cold_starts_total", "tool=\"echo\"");
            assertEquals(5, warm + cold, text);
            assertEquals(5, sample(text, "atoll_runtime_call_cpu_seconds_count"), text);
            // Every call that ran waited (zero or more) for a runtime guest thread: one sample each.
            assertEquals(5, sample(text, "atoll_runtime_guest_queue_wait_seconds_count"), text);
            assertEquals(1, sample(text, "atoll_catalogue_tools"), text);
            assertTrue(sample(text, "jvm_memory_used_bytes") > 0, "JVM meters are on by default");
            assertTrue(text.contains("jvm_info{") && text.contains("process_files_open_files "), "JVM info and fds");

            // Classic histograms: N calls -> _count N and a +Inf bucket of N, fixed buckets, cumulative.
            Scrape s = new Scrape(text);
            List<Scrape.Sample> buckets =
                    s.series("atoll_tool_calls_seconds_bucket", "tool", "echo", "outcome", "ok", "backend", "isolate");
            assertEquals(GatewayMetrics.CALL_BUCKETS.size() + 1, buckets.size(), text);
            assertEquals(5, s.sum("atoll_tool_calls_seconds_bucket", "tool", "echo", "outcome", "ok", "le", "+Inf"));
            assertEquals(
                    0.0005, Double.parseDouble(buckets.getFirst().labels().get("le")), "the first bucket is 0.5 ms");
            for (int i = 1; i < buckets.size(); i++) {
                assertTrue(buckets.get(i).value() >= buckets.get(i - 1).value(), "cumulative: " + buckets);
            }
            assertTrue(text.contains("# TYPE atoll_tool_calls_seconds histogram"), "a histogram, not a summary");
            assertEquals(
                    GatewayMetrics.QUEUE_BUCKETS.size() + 1,
                    s.series("atoll_runtime_guest_queue_wait_seconds_bucket").size(),
                    text);
            // Warm or cold, every call that ran is in the pool's latency histogram under one of the two.
            assertEquals(5, s.sum("atoll_pool_calls_seconds_count", "tool", "echo"), text);
            assertEquals(
                    5,
                    s.sum("atoll_pool_calls_seconds_count", "tool", "echo", "start", "warm")
                            + s.sum("atoll_pool_calls_seconds_count", "tool", "echo", "start", "cold"));
            assertEquals(
                    s.sum("atoll_pool_cold_starts_total", "tool", "echo"),
                    s.sum("atoll_pool_calls_seconds_count", "tool", "echo", "start", "cold"),
                    text);
            // Six argument scans (the blocked call too), five result scans (the blocked one never ran).
            assertEquals(6, s.sum("atoll_dlp_scan_seconds_count", "direction", "inbound"), text);
            assertEquals(5, s.sum("atoll_dlp_scan_seconds_count", "direction", "outbound"), text);
            assertEquals(
                    GatewayMetrics.DLP_BUCKETS.size() + 1,
                    s.series("atoll_dlp_scan_seconds_bucket", "direction", "inbound")
                            .size());
            assertEquals(5, s.sum("atoll_tenant_calls_total", "tenant", "acme", "outcome", "ok"), text);
            assertEquals(1, s.sum("atoll_tenant_calls_total", "tenant", "acme", "outcome", "dlp_blocked"), text);
            assertEquals(0, s.sum("atoll_pool_running"), "no call in flight");
            assertEquals(0, s.sum("atoll_pool_load_shed_total", "reason", "queue-full"), "closed sets start at zero");
            // The replenisher warms echo's pool in the background: its creations land in the histogram.
            Awaitility.await("a warm context of echo created")
                    .atMost(Duration.ofSeconds(60))
                    .until(() ->
                            new Scrape(scrape(gateway, gateway.startupTokens().get("ADMIN"))
                                                    .body())
                                            .sum("atoll_pool_context_creation_seconds_count", "tool", "echo")
                                    >= 1);
            Scrape later = new Scrape(
                    scrape(gateway, gateway.startupTokens().get("ADMIN")).body());
            assertEquals(
                    GatewayMetrics.CREATION_BUCKETS.size() + 1,
                    later.series("atoll_pool_context_creation_seconds_bucket", "tool", "echo")
                            .size());
            assertTrue(later.sum("atoll_pool_warm") >= 0 && later.names().contains("atoll_pool_warm_contexts"));
            assertTrue(
                    log.lines().stream().noneMatch(l -> l.contains("\"event\":\"call\"")),
                    "log.calls is off by default: " + log.lines());
            assertTrue(
                    log.lines().stream().anyMatch(l -> l.contains("\"action\":\"tool.approve\"")),
                    "the deploy and approval are logged: " + log.lines());
        }
    }

    @Test
    void scrapeWithoutAuthWhenConfiguredAndNoEndpointWhenDisabled() throws Exception {
        try (Gateway gateway = start(Map.of("metrics.require-auth", "false", "metrics.jvm", "false"))) {
            HttpResponse<String> r = scrape(gateway, null);
            assertEquals(200, r.statusCode());
            assertEquals(0, sample(r.body(), "jvm_memory_used_bytes"), "no JVM meters when metrics.jvm is false");
        }
        try (Gateway gateway = start(Map.of("metrics.enabled", "false"))) {
            assertEquals(
                    404, scrape(gateway, gateway.startupTokens().get("ADMIN")).statusCode());
        }
    }
}
