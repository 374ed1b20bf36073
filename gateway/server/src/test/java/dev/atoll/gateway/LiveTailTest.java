package dev.atoll.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.testing.SseLines;
import dev.atoll.gateway.testing.StatelessCall;
import dev.atoll.runtime.ToolSource;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live tail on a real gateway: {@code GET /v1/tail} streams finished calls (with receipt and the
 * console output after DLP) and admin events as SSE, filtered; it needs the admin token; and a
 * subscriber that does not read is dropped with a notice while calls keep being answered.
 */
class LiveTailTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    private static final String TOKEN = "atoll_mcp_live_tail_test_token_000";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Gateway gateway;
    private static String admin;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        gateway = Gateway.builder()
                .config(GatewayConfig.defaults()
                        .with(Map.of(
                                "mcp.port",
                                "0",
                                "admin.port",
                                "0",
                                "data-dir",
                                Files.createTempDirectory(scratch, "atoll-tail").toString(),
                                "examples.deploy",
                                "false",
                                "tail.queue-events",
                                "16",
                                "tail.console-chars",
                                "65536",
                                "node.id",
                                "tail-node-1",
                                // DLP on 60 KB of console per call is what the slow-consumer test would mostly time;
                                // the console after DLP is checked in AdminUiBrowserTest.
                                "dlp.enabled",
                                "false")))
                .mcpToken(TOKEN, "acme", Set.of("*"))
                .start();
        admin = gateway.startupTokens().get("ADMIN");
        gateway.deployApproved(ToolSource.js("chatty.mjs", """
                export const tool = { name: "chatty", description: "logs and answers",
                                      inputSchema: { type: "object", properties: { n: { type: "number" } } } };
                export default (args) => {
                  const text = "chatty says " + "x".repeat(args.n ?? 10);
                  for (let i = 0; i < (args.lines ?? 1); i++) console.info(text);
                  return "done";
                };
                """));
        gateway.deployApproved(ToolSource.js("quiet.mjs", """
                export const tool = { name: "quiet", description: "answers", inputSchema: { type: "object" } };
                export default () => "ok";
                """));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void streamsFilteredCallsWithReceiptAndConsoleAndAdminEvents() throws Exception {
        try (SseLines chattyOnly = new SseLines(gateway.adminUrl() + "/v1/tail?tool=chatty&tenant=acme", admin);
                SseLines all = new SseLines(gateway.adminUrl() + "/v1/tail?node=tail-node-1", admin)) {
            assertEquals(200, chattyOnly.status());
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.tailBus().subscribers() >= 2);
            StatelessCall.result(HTTP, gateway.mcpUrl(), TOKEN, "quiet", "{}");
            StatelessCall.result(HTTP, gateway.mcpUrl(), TOKEN, "chatty", "{\"n\": 3}");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !chattyOnly.data("call").isEmpty());
            JsonNode call = JSON.readTree(chattyOnly.data("call").get(0));
            assertEquals("chatty", call.path("tool").asText(), "the filter let only chatty through: " + call);
            assertEquals("acme", call.path("tenant").asText());
            assertEquals("tail-node-1", call.path("node").asText());
            assertEquals("ok", call.path("outcome").asText());
            assertEquals("isolate", call.path("backend").asText());
            assertEquals(1, call.path("version").asInt());
            assertTrue(call.path("latencyMs").asDouble() > 0, call.toString());
            assertTrue(call.at("/receipt/wallMs").asDouble() > 0, call.toString());
            assertTrue(call.at("/receipt/allocatedBytes").asLong() > 0, call.toString());
            assertEquals("info: chatty says xxx", call.at("/console/0").asText(), call.toString());
            await().atMost(Duration.ofSeconds(30)).until(() -> all.data("call").size() >= 2);
            assertEquals(
                    List.of("quiet", "chatty"),
                    all.data("call").stream().map(LiveTailTest::tool).toList());

            // Admin events: an upload (quarantined) and its approval through the admin API.
            HttpResponse<String> up = HTTP.send(
                    HttpRequest.newBuilder(URI.create(gateway.adminUrl() + "/v1/tools?file=quiet.mjs"))
                            .header("Authorization", "Bearer " + admin)
                            .POST(HttpRequest.BodyPublishers.ofString("""
                            export const tool = { name: "quiet", description: "answers again",
                                                  inputSchema: { type: "object" } };
                            export default () => "ok";
                            """))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, up.statusCode(), up.body());
            HttpResponse<String> ok = HTTP.send(
                    HttpRequest.newBuilder(URI.create(gateway.adminUrl() + "/v1/tools/quiet/approve"))
                            .header("Authorization", "Bearer " + admin)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"version\":2}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode(), ok.body());
            await().atMost(Duration.ofSeconds(30)).until(() -> all.data("admin").size() >= 2);
            JsonNode deploy = JSON.readTree(all.data("admin").get(0));
            JsonNode approve = JSON.readTree(all.data("admin").get(1));
            assertEquals("tool.deploy", deploy.path("action").asText(), deploy.toString());
            assertEquals("quiet", deploy.path("target").asText());
            assertEquals("tool.approve", approve.path("action").asText(), approve.toString());
            assertEquals("quiet", approve.path("target").asText());
            assertTrue(approve.path("actor").asText().startsWith("token:"), approve.toString());
            assertTrue(chattyOnly.data("admin").isEmpty(), "a tenant filter leaves admin events out");
        }
    }

    @Test
    void needsTheAdminTokenAndChecksFilters() throws Exception {
        HttpResponse<String> none = HTTP.send(
                HttpRequest.newBuilder(URI.create(gateway.adminUrl() + "/v1/tail"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, none.statusCode());
        HttpResponse<String> mcp = HTTP.send(
                HttpRequest.newBuilder(URI.create(gateway.adminUrl() + "/v1/tail"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, mcp.statusCode(), "an MCP token is not an admin token");
        HttpResponse<String> bad = HTTP.send(
                HttpRequest.newBuilder(URI.create(gateway.adminUrl() + "/v1/tail?tool=" + "x".repeat(300)))
                        .header("Authorization", "Bearer " + admin)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, bad.statusCode(), bad.body());
    }

    @Test
    void aSubscriberThatDoesNotReadIsDroppedWithANoticeAndNeverSlowsCalls() throws Exception {
        long droppedBefore = gateway.tailBus().droppedSubscribers();
        URI admin = URI.create(gateway.adminUrl());
        try (Socket stuck = new Socket()) {
            stuck.setReceiveBufferSize(4096); // a small window: the server's writes block soon
            stuck.connect(new InetSocketAddress(admin.getHost(), admin.getPort()), 10_000);
            OutputStream out = stuck.getOutputStream();
            out.write(("GET /v1/tail?tool=chatty HTTP/1.1\r\nHost: " + admin.getHost() + ":" + admin.getPort()
                            + "\r\nAuthorization: Bearer " + LiveTailTest.admin
                            + "\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.tailBus().subscribers() >= 1);
            // Calls go on while the consumer reads nothing: 60 KB of console output each fills the socket
            // buffers, then the 16-event queue, then the bus drops the subscriber. Bounded in count and time.
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            int calls = 0;
            while (gateway.tailBus().droppedSubscribers() == droppedBefore) {
                assertTrue(
                        calls < 20_000 && System.nanoTime() < deadline,
                        "the stuck subscriber was not dropped after " + calls + " calls");
                JsonNode r =
                        StatelessCall.result(HTTP, gateway.mcpUrl(), TOKEN, "chatty", "{\"n\": 15000, \"lines\": 4}");
                assertFalse(r.path("isError").asBoolean(), r.toString());
                calls++;
            }
            assertTrue(calls > 16, "dropped only after its queue was full: " + calls);
            // Calls are answered after the drop as before.
            StatelessCall.result(HTTP, gateway.mcpUrl(), TOKEN, "chatty", "{\"n\": 1}");
            // The consumer reads at last: what was buffered, then the notice, then the end of the stream.
            stuck.setSoTimeout(60_000);
            InputStream in = stuck.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[65536];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                    if (got.toString(StandardCharsets.UTF_8).contains("event: dropped")) {
                        break;
                    }
                }
            } catch (SocketTimeoutException e) {
                // asserted below
            }
            String text = got.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("event: dropped"), "no dropped notice in " + text.length() + " chars");
            assertTrue(
                    text.contains("fell more than 16 events behind"), text.substring(text.indexOf("event: dropped")));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway.tailBus().subscribers() == 0);
    }

    private static String tool(String json) {
        try {
            return JSON.readTree(json).path("tool").asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
