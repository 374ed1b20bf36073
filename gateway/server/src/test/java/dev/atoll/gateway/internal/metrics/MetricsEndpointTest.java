package dev.atoll.gateway.internal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.Gateway;
import dev.atoll.gateway.GatewayConfig;
import dev.atoll.gateway.testing.StatelessCall;
import dev.atoll.runtime.ToolSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** /metrics on the admin listener, scraped over real HTTP after real calls through the pipeline. */
class MetricsEndpointTest {

    static final String TOKEN = "atoll_mcp_metrics_test_token";
    static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE"; // AWS's documented example key id
    final HttpClient http = HttpClient.newHttpClient();

    static Gateway start(Map<String, String> extra) throws Exception {
        Map<String, String> cfg = new java.util.HashMap<>(Map.of("mcp.port", "0", "admin.port", "0", "data-dir",
                Files.createTempDirectory("atoll-metrics").toString(), "examples.deploy", "false"));
        cfg.putAll(extra);
        return Gateway.builder().config(GatewayConfig.defaults().with(cfg)).mcpToken(TOKEN, "acme", Set.of("*")).start();
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
        try (Gateway gateway = start(Map.of())) {
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
            assertTrue(denied.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
            assertEquals(401, scrape(gateway, TOKEN).statusCode(), "an MCP token is not an admin token");

            HttpResponse<String> r = scrape(gateway, gateway.startupTokens().get("ADMIN"));
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), r.headers().toString());
            String text = r.body();
            assertEquals(5, sample(text, "atoll_tool_calls_seconds_count", "tool=\"echo\"", "outcome=\"ok\"",
                    "backend=\"isolate\""), text);
            assertEquals(1, sample(text, "atoll_tool_calls_seconds_count", "tool=\"echo\"", "outcome=\"dlp_blocked\""));
            assertEquals(1, sample(text, "atoll_dlp_matches_total", "rule=\"aws-access-key-id\"",
                    "direction=\"inbound\"", "action=\"block\""), text);
            // Every call that ran took a context, warm or cold: the DLP-blocked one never reached the pool.
            double warm = sample(text, "atoll_pool_warm_hits_total", "tool=\"echo\"");
            double cold = sample(text, "atoll_pool_cold_starts_total", "tool=\"echo\"");
            assertEquals(5, warm + cold, text);
            assertEquals(5, sample(text, "atoll_runtime_call_cpu_seconds_count"), text);
            assertEquals(1, sample(text, "atoll_catalogue_tools"), text);
            assertTrue(sample(text, "jvm_memory_used_bytes") > 0, "JVM meters are on by default");
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
            assertEquals(404, scrape(gateway, gateway.startupTokens().get("ADMIN")).statusCode());
        }
    }
}
