package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.audit.AuditQuery;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.RegistryConfig;
import dev.atoll.runtime.ToolSource;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopping the gateway lets in-flight calls finish and loses no audit record. */
class GracefulShutdownTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    @Test
    void inFlightCallsFinishAndEveryCallIsAudited() throws Exception {
        Path data = Files.createTempDirectory(scratch, "atoll-shutdown");
        String token = "atoll_mcp_shutdown_test_token_000";
        // Each call tells this server it has started (through fetch), so the test stops the gateway
        // only once all calls are really in flight, however loaded the machine is.
        AtomicInteger started = new AtomicInteger();
        WebServer signal = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(r -> r.any("/*", (req, res) -> {
                    started.incrementAndGet();
                    res.send("ok");
                }))
                .build()
                .start();
        Gateway gateway = Gateway.builder()
                .config(GatewayConfig.defaults()
                        .with(Map.of(
                                "mcp.port",
                                "0",
                                "admin.port",
                                "0",
                                "data-dir",
                                data.toString(),
                                "examples.deploy",
                                "false",
                                "fetch.allow-http",
                                "true",
                                "fetch.http-ports",
                                "[" + signal.port() + "]",
                                "fetch.allow-addresses",
                                "[127.0.0.1]")))
                .mcpToken(token, "t", Set.of("*"))
                .start();
        gateway.deployApproved(ToolSource.js("slow.mjs", """
                export const tool = { name: "slow", description: "takes 600 ms", inputSchema: { type: "object" },
                  egress: ["localhost:%d"] };
                export default async function () {
                  await fetch("http://localhost:%d/started");
                  await new Promise(r => setTimeout(r, 600));
                  return "finished";
                }
                """.formatted(signal.port(), signal.port())));
        HttpClient http = HttpClient.newHttpClient();
        String body =
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\",\"arguments\":{},"
                        + "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                        + "\"io.modelcontextprotocol/clientCapabilities\":{}}}}";
        HttpRequest req = HttpRequest.newBuilder(URI.create(gateway.mcpUrl()))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("MCP-Protocol-Version", "2026-07-28")
                .header("Mcp-Method", "tools/call")
                .header("Mcp-Name", "slow")
                .build();
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            inFlight.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
        }
        org.awaitility.Awaitility.await("all calls running in their isolates")
                .atMost(java.time.Duration.ofSeconds(60))
                .pollInterval(java.time.Duration.ofMillis(10))
                .until(() -> started.get() == inFlight.size());
        gateway.close();
        signal.stop();
        for (CompletableFuture<HttpResponse<String>> f : inFlight) {
            HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(
                    "finished",
                    new ObjectMapper()
                            .readTree(r.body())
                            .at("/result/content/0/text")
                            .asText());
        }
        try (Registry reopened =
                Registry.open(RegistryConfig.builder().dataDir(data).build())) {
            long calls = reopened.audit()
                    .query(new AuditQuery(
                            Optional.of("slow"),
                            Optional.empty(),
                            Optional.of("tool.call"),
                            Optional.empty(),
                            Optional.empty(),
                            0,
                            1000))
                    .size();
            assertEquals(4, calls, "every finished call has its audit record after a restart");
            assertTrue(reopened.audit().verify().intact());
        }
    }
}
