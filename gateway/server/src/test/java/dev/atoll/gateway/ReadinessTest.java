package dev.atoll.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.testing.StatelessCall;
import dev.atoll.runtime.ToolSource;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #21: {@code GET /livez} and {@code GET /readyz} on the MCP listener, without a token. A node
 * is not ready until its JIT warm-up is over (and its catalogue is loaded and its pools filled), and
 * not ready again from the moment it starts draining, while it still takes calls for the drain delay;
 * then the listener closes.
 */
class ReadinessTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "atoll_mcp_readiness_test_token_0";

    @Test
    void readyOnlyAfterWarmUpAndPoolsAndNotReadyWhileDraining() throws Exception {
        Path data = Files.createTempDirectory(scratch, "atoll-readiness");
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
                                // long enough that the first probe almost surely comes before it ends
                                "runtime.jit-warm-up-ms",
                                "20000",
                                "pool.min-warm-per-tool",
                                "2",
                                "http.drain-delay-ms",
                                "4000")))
                .mcpToken(TOKEN, "t", Set.of("*"))
                .start();
        try (HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            String base = "http://127.0.0.1:" + gateway.mcpPort();
            gateway.deployApproved(ToolSource.js("echo.mjs", """
                    export const tool = { name: "echo", description: "echo", inputSchema: { type: "object" } };
                    export default function (args) { return "ok " + args.n; }
                    """));

            HttpResponse<String> live = get(http, base + "/livez");
            assertEquals(200, live.statusCode(), live.body());
            assertEquals("alive", JSON.readTree(live.body()).path("status").asText());
            // The warm-up began when the gateway was built; on a loaded machine the start itself can
            // take most of it, so the probe's answer is checked against whether it still ran after.
            HttpResponse<String> starting = get(http, base + "/readyz");
            boolean stillWarming = gateway.warmingUp();
            JsonNode body = JSON.readTree(starting.body());
            assertEquals(
                    gateway.config().node().effectiveId(), body.path("node").asText());
            assertEquals("default", body.path("region").asText());
            assertTrue(body.path("checks").path("catalogue").asBoolean(), body.toString());
            if (stillWarming) {
                assertEquals(503, starting.statusCode(), "not ready during the JIT warm-up: " + starting.body());
                assertEquals("starting", body.path("status").asText());
                assertFalse(body.path("checks").path("warm-up").asBoolean(), body.toString());
            } else {
                System.out.println("ReadinessTest: the warm-up ended before the first probe (loaded machine)");
            }
            await("ready after the warm-up")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> get(http, base + "/readyz").statusCode() == 200);
            JsonNode ready = JSON.readTree(get(http, base + "/readyz").body());
            assertEquals("ready", ready.path("status").asText());
            assertEquals(
                    Map.of("catalogue", true, "pools", true, "warm-up", true),
                    JSON.convertValue(ready.path("checks"), Map.class));
            assertEquals(
                    "ok 1",
                    StatelessCall.result(http, base + "/mcp", TOKEN, "echo", "{\"n\":1}")
                            .at("/content/0/text")
                            .asText());

            // SIGTERM's path: not ready at once, calls still answered during the drain delay, then closed.
            // On a thread of its own, not the common pool (one thread on two cores, maybe busy elsewhere).
            CompletableFuture<Void> stopping = new CompletableFuture<>();
            Thread.ofPlatform().name("drain").start(() -> {
                gateway.drainAndClose();
                stopping.complete(null);
            });
            await("not ready once draining")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> get(http, base + "/readyz").statusCode() == 503);
            if (!stopping.isDone()) { // the 4 s drain delay is still running (almost surely): calls are taken
                HttpResponse<String> draining = get(http, base + "/readyz");
                assertTrue(draining.statusCode() == 503 && draining.body().contains("\"draining\""), draining.body());
                HttpResponse<String> during = StatelessCall.post(http, base + "/mcp", TOKEN, "echo", "{\"n\":2}");
                assertEquals(200, during.statusCode(), during.body());
                assertEquals(
                        "ok 2",
                        JSON.readTree(during.body())
                                .at("/result/content/0/text")
                                .asText());
            }
            stopping.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThrows(ConnectException.class, () -> get(http, base + "/livez"), "the listener is closed");
        } finally {
            gateway.close();
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
