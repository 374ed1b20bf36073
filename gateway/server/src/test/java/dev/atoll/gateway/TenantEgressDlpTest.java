package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.testing.StatelessCall;
import dev.atoll.runtime.ToolSource;
import io.helidon.webserver.WebServer;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #18, W6: a tenant-scoped DLP override applies to the egress of that tenant's calls. The
 * inspector used to scan every fetch as tenant "gateway", so no tenant override ever applied there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantEgressDlpTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    static final String TRUSTED = "atoll_mcp_tenant_trusted_token";
    static final String OTHER = "atoll_mcp_tenant_other_token_1";
    // AWS's documented example key id: matches the rule, is not a real credential.
    static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
    Gateway gateway;
    WebServer upstream;
    final AtomicInteger received = new AtomicInteger();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        upstream = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(r -> r.any("/*", (req, res) -> {
                    received.incrementAndGet();
                    req.content().consume();
                    res.send("ok");
                }))
                .build()
                .start();
        Map<String, String> cfg = new HashMap<>(Map.of(
                "mcp.port",
                "0",
                "admin.port",
                "0",
                "data-dir",
                Files.createTempDirectory(scratch, "atoll-tenant-dlp").toString(),
                "examples.deploy",
                "false",
                "fetch.allow-http",
                "true",
                "fetch.http-ports",
                "[" + upstream.port() + "]",
                "fetch.allow-addresses",
                "[127.0.0.1]"));
        cfg.put(
                "dlp.overrides",
                "[{tenant: trusted, rules: [aws-access-key-id], directions: [egress-request]," + " action: log}]");
        gateway = Gateway.builder()
                .config(GatewayConfig.defaults().with(cfg))
                .mcpToken(TRUSTED, "trusted", Set.of("*"))
                .mcpToken(OTHER, "other", Set.of("*"))
                .start();
        gateway.deployApproved(ToolSource.js("poster.mjs", """
                export const tool = { name: "poster", description: "posts a key", inputSchema: { type: "object" },
                  egress: ["localhost:%d"], limits: { wallMs: 30000 } };
                export default async function () {
                  const k = ["AKIA", "IOSFODNN7", "EXAMPLE"].join("");
                  try { const r = await fetch("http://localhost:%d/x", { method: "POST", body: "k=" + k });
                        return "sent " + r.status; } catch (e) { return "refused: " + e.message; }
                }
                """.formatted(upstream.port(), upstream.port())));
    }

    @AfterAll
    void stop() {
        gateway.close();
        upstream.stop();
    }

    String call(String token) throws Exception {
        JsonNode r = StatelessCall.result(http, gateway.mcpUrl(), token, "poster", "{}");
        return r.at("/content/0/text").asText();
    }

    @Test
    void theCallersTenantDecidesTheEgressVerdict() throws Exception {
        int before = received.get();
        String other = call(OTHER);
        assertTrue(other.startsWith("refused:") && other.contains("DLP"), other);
        assertEquals(before, received.get(), "the default (block) applied to tenant other");
        String trusted = call(TRUSTED);
        assertEquals("sent 200", trusted, "tenant trusted's override (log) applied to its call's egress");
        assertEquals(before + 1, received.get());
    }

    /**
     * Issue #23: DLP scans of egress are in {@code atoll_dlp_scan_seconds} with their own direction
     * values, one request scan and one response scan per fetch that was sent (a refused request has no
     * response to scan).
     */
    @Test
    void egressScansAreTimedByDirection() throws Exception {
        String admin = gateway.startupTokens().get("ADMIN");
        dev.atoll.gateway.testing.Scrape before = dev.atoll.gateway.testing.Scrape.of(gateway, admin);
        assertEquals("sent 200", call(TRUSTED));
        assertTrue(call(OTHER).startsWith("refused:"));
        dev.atoll.gateway.testing.Scrape after = dev.atoll.gateway.testing.Scrape.of(gateway, admin);
        assertEquals(
                2,
                after.sum("atoll_dlp_scan_seconds_count", "direction", "egress_request")
                        - before.sum("atoll_dlp_scan_seconds_count", "direction", "egress_request"),
                after.text());
        assertEquals(
                1,
                after.sum("atoll_dlp_scan_seconds_count", "direction", "egress_response")
                        - before.sum("atoll_dlp_scan_seconds_count", "direction", "egress_response"),
                after.text());
        assertEquals(
                dev.atoll.gateway.internal.metrics.GatewayMetrics.DLP_BUCKETS.size() + 1,
                after.series("atoll_dlp_scan_seconds_bucket", "direction", "egress_request")
                        .size(),
                after.text());
    }
}
