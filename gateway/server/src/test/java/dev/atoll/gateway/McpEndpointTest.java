package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.internal.mcp.JsonRpc;
import dev.atoll.runtime.ToolSource;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The MCP endpoint over real HTTP on 127.0.0.1: both protocol eras, auth, guards, hostile input. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpEndpointTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    static final String TOKEN = "atoll_mcp_test_token_for_tenant_a";
    static final String TOKEN_B = "atoll_mcp_test_token_for_tenant_b";
    static final String V26 = "2026-07-28";
    static final ObjectMapper JSON = new ObjectMapper();

    Gateway gateway;
    HttpClient http;
    URI url;

    @BeforeAll
    void start() throws Exception {
        Path data = Files.createTempDirectory(scratch, "atoll-mcp-test");
        GatewayConfig config = GatewayConfig.defaults()
                .with(Map.of(
                        "mcp.port",
                        "0",
                        "admin.port",
                        "0",
                        "data-dir",
                        data.toString(),
                        "mcp.page-size",
                        "2",
                        "http.max-payload-bytes",
                        "65536",
                        "http.max-json-depth",
                        "32"));
        gateway = Gateway.builder()
                .config(config)
                .mcpToken(TOKEN, "tenant-a", Set.of("*"))
                .mcpToken(TOKEN_B, "tenant-b", Set.of("slugify"))
                .start();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        url = URI.create(gateway.mcpUrl());
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    // ---------------------------------------------------------------------------------------------- helpers

    HttpRequest.Builder post(String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Authorization", "Bearer " + TOKEN);
        h.put("Content-Type", "application/json");
        h.put("Accept", "application/json, text/event-stream");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            h.put(headers[i], headers[i + 1]);
        }
        h.forEach((k, v) -> {
            if (v != null) {
                b.header(k, v);
            }
        });
        return b;
    }

    HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static String stateless(String method, String id, String params) {
        String meta = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"" + V26
                + "\",\"io.modelcontextprotocol/clientCapabilities\":{}}";
        String p = params.isEmpty() ? "{" + meta + "}" : "{" + params + "," + meta + "}";
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + p + "}";
    }

    HttpResponse<String> call26(String method, String params, String... extra) throws Exception {
        List<String> h = new ArrayList<>(List.of("MCP-Protocol-Version", V26, "Mcp-Method", method));
        h.addAll(List.of(extra));
        return send(
                post(stateless(method, "1", params), h.toArray(String[]::new)).build());
    }

    static JsonNode body(HttpResponse<String> r) throws Exception {
        String b = r.body();
        if (r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream")) {
            String last = null;
            for (String line : b.split("\n")) {
                if (line.startsWith("data: ")) {
                    last = line.substring(6);
                }
            }
            b = last;
        }
        return JSON.readTree(b);
    }

    String initialize(String token) throws Exception {
        HttpResponse<String> r = send(post(
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                                + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
                        "Authorization",
                        "Bearer " + token)
                .build());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("2025-06-18", body(r).at("/result/protocolVersion").asText());
        return r.headers().firstValue("mcp-session-id").orElseThrow();
    }

    // ---------------------------------------------------------------------------------------------- 2026

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Stateless {

        @Test
        void discoverListCallSequence() throws Exception {
            HttpResponse<String> d = call26("server/discover", "");
            assertEquals(200, d.statusCode(), d.body());
            JsonNode dr = body(d).get("result");
            assertTrue(dr.get("supportedVersions").toString().contains(V26));
            assertTrue(dr.get("supportedVersions").toString().contains("2025-11-25"));
            assertEquals("complete", dr.get("resultType").asText());
            assertTrue(dr.has("ttlMs") && dr.has("cacheScope"));
            assertEquals(
                    "atoll",
                    dr.at("/_meta/io.modelcontextprotocol~1serverInfo/name").asText());
            assertTrue(dr.at("/capabilities/tools/listChanged").asBoolean());

            HttpResponse<String> l = call26("tools/list", "");
            assertEquals(200, l.statusCode(), l.body());
            JsonNode lr = body(l).get("result");
            assertEquals("complete", lr.get("resultType").asText());
            assertEquals("private", lr.get("cacheScope").asText());
            assertEquals(2, lr.get("tools").size(), "page size 2");
            assertFalse(lr.get("tools").toString().contains("retrieve_tools"), "tool search is off by default");

            HttpResponse<String> c = call26(
                    "tools/call",
                    "\"name\":\"word_count\",\"arguments\":{\"text\":\"a b c d\"}",
                    "Mcp-Name",
                    "word_count");
            assertEquals(200, c.statusCode(), c.body());
            JsonNode cr = body(c).get("result");
            assertEquals(4, cr.at("/structuredContent/words").asInt());
            assertFalse(cr.get("isError").asBoolean());
            assertEquals("complete", cr.get("resultType").asText());
            assertTrue(c.headers().firstValue("mcp-session-id").isEmpty(), "stateless: no session id");
        }

        @Test
        void base64EncodedNameHeaderIsDecoded() throws Exception {
            String encoded = "=?base64?" + java.util.Base64.getEncoder().encodeToString("word_count".getBytes()) + "?=";
            HttpResponse<String> c =
                    call26("tools/call", "\"name\":\"word_count\",\"arguments\":{\"text\":\"x\"}", "Mcp-Name", encoded);
            assertEquals(200, c.statusCode(), c.body());
            assertEquals(1, body(c).at("/result/structuredContent/words").asInt());
        }

        @Test
        void headerMismatchesAreRejected() throws Exception {
            HttpResponse<String> noName =
                    call26("tools/call", "\"name\":\"word_count\",\"arguments\":{\"text\":\"x\"}");
            assertEquals(400, noName.statusCode());
            assertEquals(JsonRpc.HEADER_MISMATCH, body(noName).at("/error/code").asInt());
            HttpResponse<String> wrongName = call26(
                    "tools/call", "\"name\":\"word_count\",\"arguments\":{\"text\":\"x\"}", "Mcp-Name", "slugify");
            assertEquals(400, wrongName.statusCode());
            assertEquals(
                    JsonRpc.HEADER_MISMATCH, body(wrongName).at("/error/code").asInt());
            HttpResponse<String> wrongMethod =
                    send(post(stateless("tools/list", "1", ""), "MCP-Protocol-Version", V26, "Mcp-Method", "tools/call")
                            .build());
            assertEquals(400, wrongMethod.statusCode());
            assertEquals(
                    JsonRpc.HEADER_MISMATCH, body(wrongMethod).at("/error/code").asInt());
            HttpResponse<String> noVersionHeader =
                    send(post(stateless("tools/list", "1", ""), "Mcp-Method", "tools/list")
                            .build());
            assertEquals(400, noVersionHeader.statusCode());
            assertEquals(
                    JsonRpc.HEADER_MISMATCH,
                    body(noVersionHeader).at("/error/code").asInt());
            HttpResponse<String> versionMismatch = send(post(
                            stateless("tools/list", "1", ""),
                            "MCP-Protocol-Version",
                            "2025-11-25",
                            "Mcp-Method",
                            "tools/list")
                    .build());
            assertEquals(400, versionMismatch.statusCode());
        }

        @Test
        void unsupportedVersionListsSupported() throws Exception {
            String body = stateless("tools/list", "1", "").replace(V26, "2099-01-01");
            HttpResponse<String> r = send(post(body, "MCP-Protocol-Version", "2099-01-01", "Mcp-Method", "tools/list")
                    .build());
            assertEquals(400, r.statusCode());
            JsonNode e = body(r).get("error");
            assertEquals(JsonRpc.UNSUPPORTED_VERSION, e.get("code").asInt());
            assertTrue(e.at("/data/supported").toString().contains(V26));
        }

        @Test
        void missingMetaKeysAreInvalidParams() throws Exception {
            String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":"
                    + "{\"io.modelcontextprotocol/protocolVersion\":\"" + V26 + "\"}}}";
            HttpResponse<String> r = send(post(body, "MCP-Protocol-Version", V26, "Mcp-Method", "tools/list")
                    .build());
            assertEquals(400, r.statusCode());
            assertEquals(JsonRpc.INVALID_PARAMS, body(r).at("/error/code").asInt());
        }

        @Test
        void unknownMethodIs404MethodNotFound() throws Exception {
            HttpResponse<String> r = call26("no/such/method", "");
            assertEquals(404, r.statusCode());
            assertEquals(JsonRpc.METHOD_NOT_FOUND, body(r).at("/error/code").asInt());
        }
    }

    // ---------------------------------------------------------------------------------------------- 2025

    @Nested
    class Sessions {

        @Test
        void sessionLifecycle() throws Exception {
            String sid = initialize(TOKEN);
            HttpResponse<String> note = send(post(
                            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                            "Mcp-Session-Id",
                            sid,
                            "MCP-Protocol-Version",
                            "2025-06-18")
                    .build());
            assertEquals(202, note.statusCode());
            assertEquals("", note.body());
            HttpResponse<String> ping = send(post(
                            "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"ping\"}",
                            "Mcp-Session-Id",
                            sid,
                            "MCP-Protocol-Version",
                            "2025-06-18")
                    .build());
            assertEquals(200, ping.statusCode());
            assertEquals("p", body(ping).get("id").asText());
            assertTrue(body(ping).get("result").isEmpty());
            HttpResponse<String> del = send(HttpRequest.newBuilder(url)
                    .DELETE()
                    .header("Authorization", "Bearer " + TOKEN)
                    .header("Mcp-Session-Id", sid)
                    .build());
            assertEquals(200, del.statusCode());
            HttpResponse<String> after =
                    send(post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}", "Mcp-Session-Id", sid)
                            .build());
            assertEquals(404, after.statusCode(), "a deleted session is gone");
        }

        @Test
        void requestsWithoutOrWithUnknownSessionFail() throws Exception {
            HttpResponse<String> none = send(post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}")
                    .build());
            assertEquals(400, none.statusCode());
            HttpResponse<String> unknown = send(post(
                            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
                            "Mcp-Session-Id",
                            "0123456789abcdef0123456789abcdef")
                    .build());
            assertEquals(404, unknown.statusCode());
        }

        @Test
        void anotherTenantCannotUseMySession() throws Exception {
            String sid = initialize(TOKEN);
            HttpResponse<String> r = send(post(
                            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
                            "Mcp-Session-Id",
                            sid,
                            "Authorization",
                            "Bearer " + TOKEN_B)
                    .build());
            assertEquals(404, r.statusCode());
        }

        @Test
        void paginationWalksEveryToolOnceAndRejectsForgedCursors() throws Exception {
            String sid = initialize(TOKEN);
            Set<String> seen = new HashSet<>();
            String cursor = null;
            int pages = 0;
            do {
                String params = cursor == null ? "{}" : "{\"cursor\":\"" + cursor + "\"}";
                JsonNode r = body(send(post(
                                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":" + params
                                                + "}",
                                        "Mcp-Session-Id",
                                        sid)
                                .build()))
                        .get("result");
                r.get("tools").forEach(t -> assertTrue(seen.add(t.get("name").asText()), "listed twice: " + t));
                cursor = r.has("nextCursor") ? r.get("nextCursor").asText() : null;
                pages++;
            } while (cursor != null && pages < 50);
            assertTrue(seen.containsAll(gateway.toolNames()), seen.toString());
            assertEquals((gateway.toolNames().size() + 1) / 2, pages);
            JsonNode bad = body(send(post(
                            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"cursor\":\"bm9wZQ\"}}",
                            "Mcp-Session-Id",
                            sid)
                    .build()));
            assertEquals(JsonRpc.INVALID_PARAMS, bad.at("/error/code").asInt());
        }

        @Test
        void tenantSeesAndCallsOnlyItsTools() throws Exception {
            String sid = initialize(TOKEN_B);
            JsonNode list = body(send(post(
                            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
                            "Mcp-Session-Id",
                            sid,
                            "Authorization",
                            "Bearer " + TOKEN_B)
                    .build()));
            assertEquals(1, list.at("/result/tools").size());
            assertEquals("slugify", list.at("/result/tools/0/name").asText());
            JsonNode denied = body(send(post(
                            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
                                    + "{\"name\":\"word_count\",\"arguments\":{\"text\":\"x\"}}}",
                            "Mcp-Session-Id",
                            sid,
                            "Authorization",
                            "Bearer " + TOKEN_B)
                    .build()));
            JsonNode unknown = body(send(post(
                            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
                                    + "{\"name\":\"does_not_exist\",\"arguments\":{}}}",
                            "Mcp-Session-Id",
                            sid,
                            "Authorization",
                            "Bearer " + TOKEN_B)
                    .build()));
            assertEquals(JsonRpc.INVALID_PARAMS, denied.at("/error/code").asInt());
            assertEquals(unknown.at("/error/code"), denied.at("/error/code"));
            assertEquals(
                    unknown.at("/error/message").asText().replace("does_not_exist", "X"),
                    denied.at("/error/message").asText().replace("word_count", "X"),
                    "not granted looks like unknown");
        }

        @Test
        void logsStreamAsNotificationsBeforeTheResult() throws Exception {
            String sid = initialize(TOKEN);
            gateway.deployApproved(ToolSource.js("logger.mjs", """
                    export const tool = { name: "logger", description: "logs", inputSchema: { type: "object" } };
                    export default function () { console.info("one"); console.warn("two"); console.debug("hidden"); return "done"; }
                    """));
            HttpResponse<String> r = send(post(
                            "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":"
                                    + "{\"name\":\"logger\",\"arguments\":{}}}",
                            "Mcp-Session-Id",
                            sid)
                    .build());
            assertTrue(
                    r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"),
                    r.headers().toString());
            List<JsonNode> events = new ArrayList<>();
            for (String line : r.body().split("\n")) {
                if (line.startsWith("data: ")) {
                    events.add(JSON.readTree(line.substring(6)));
                }
            }
            assertEquals(3, events.size(), r.body());
            assertEquals("one", events.get(0).at("/params/data").asText());
            assertEquals("warning", events.get(1).at("/params/level").asText());
            assertEquals(7, events.get(2).get("id").asInt());
            assertEquals("done", events.get(2).at("/result/content/0/text").asText());
        }

        @Test
        void getStreamAnnouncesCatalogueChanges() throws Exception {
            String sid = initialize(TOKEN);
            HttpRequest get = HttpRequest.newBuilder(url)
                    .GET()
                    .header("Authorization", "Bearer " + TOKEN)
                    .header("Accept", "text/event-stream")
                    .header("Mcp-Session-Id", sid)
                    .build();
            HttpResponse<InputStream> stream = http.send(get, HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, stream.statusCode());
            CompletableFuture<Void> subscribed = new CompletableFuture<>();
            CompletableFuture<String> firstEvent = CompletableFuture.supplyAsync(() -> {
                try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.startsWith(":")) { // the server's first keep-alive: it listens now
                            subscribed.complete(null);
                        }
                        if (line.startsWith("data: ")) {
                            return line.substring(6);
                        }
                    }
                    return "eof";
                } catch (java.io.IOException e) {
                    return "io: " + e;
                }
            });
            subscribed.get(10, TimeUnit.SECONDS); // a signal, not a sleep
            gateway.deployApproved(ToolSource.js("newcomer.mjs", """
                    export const tool = { name: "newcomer", description: "new", inputSchema: { type: "object" } };
                    export default function () { return 1; }
                    """));
            String event = firstEvent.get(10, TimeUnit.SECONDS);
            assertEquals(
                    "notifications/tools/list_changed",
                    JSON.readTree(event).get("method").asText());
        }

        @Test
        void getStreamWithAnUnknownOrForeignSessionIs404WithoutAStackTrace() throws Exception {
            String sid = initialize(TOKEN);
            List<java.util.logging.LogRecord> withTrace = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.logging.Handler h = new java.util.logging.Handler() {
                @Override
                public void publish(java.util.logging.LogRecord r) {
                    if (r.getThrown() != null) {
                        withTrace.add(r);
                    }
                }

                @Override
                public void flush() {}

                @Override
                public void close() {}
            };
            java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
            root.addHandler(h);
            try {
                for (String[] c : new String[][] {{"0123456789abcdef0123456789abcdef", TOKEN}, {sid, TOKEN_B}}) {
                    HttpRequest get = HttpRequest.newBuilder(url)
                            .GET()
                            .header("Authorization", "Bearer " + c[1])
                            .header("Accept", "text/event-stream")
                            .header("Mcp-Session-Id", c[0])
                            .build();
                    HttpResponse<String> r = send(get);
                    assertEquals(404, r.statusCode(), r.body());
                    assertEquals(
                            JsonRpc.SESSION_NOT_FOUND,
                            JSON.readTree(r.body()).at("/error/code").asInt(),
                            r.body());
                }
            } finally {
                root.removeHandler(h);
            }
            assertTrue(
                    withTrace.isEmpty(),
                    "no stack trace logged: "
                            + withTrace.stream()
                                    .map(r -> r.getLoggerName() + ": " + r.getThrown())
                                    .toList());
        }
    }

    // ---------------------------------------------------------------------------------------------- guards

    @Nested
    class Guards {

        @Test
        void foreignOriginAndHostAreForbidden() throws Exception {
            HttpResponse<String> origin =
                    send(post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", "Origin", "http://evil.example")
                            .build());
            assertEquals(403, origin.statusCode());
            HttpResponse<String> local = send(post(
                            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}",
                            "Origin",
                            "http://localhost:3000")
                    .build());
            assertEquals(200, local.statusCode(), "a loopback origin is fine");
        }

        @Test
        void missingOrWrongTokenIs401WithChallenge() throws Exception {
            for (String auth : new String[] {null, "Bearer nope-nope-nope-nope", "Basic dXNlcjpwYXNz", "Bearer "}) {
                HttpResponse<String> r =
                        send(post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", "Authorization", auth)
                                .build());
                assertEquals(401, r.statusCode(), String.valueOf(auth));
                assertTrue(r.headers().firstValue("www-authenticate").orElse("").startsWith("Bearer"));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- fuzz

    /** One malformed request and what must come back. */
    record Bad(String name, String body, String contentType, int status, Integer code) {}

    static List<Bad> corpus() {
        String deep = "[".repeat(40) + "]".repeat(40);
        String deepObj = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":" + "{\"a\":".repeat(40)
                + "1" + "}".repeat(40) + "}}";
        List<Bad> c = new ArrayList<>();
        c.add(new Bad("empty body", "", "application/json", 400, JsonRpc.PARSE_ERROR));
        c.add(new Bad("whitespace only", "   \n ", "application/json", 400, JsonRpc.PARSE_ERROR));
        c.add(new Bad(
                "truncated object", "{\"jsonrpc\":\"2.0\",\"id\":1,", "application/json", 400, JsonRpc.PARSE_ERROR));
        c.add(new Bad("not json", "hello", "application/json", 400, JsonRpc.PARSE_ERROR));
        c.add(new Bad("single quotes", "{'jsonrpc':'2.0'}", "application/json", 400, JsonRpc.PARSE_ERROR));
        c.add(new Bad(
                "trailing garbage",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} x",
                "application/json",
                400,
                JsonRpc.PARSE_ERROR));
        c.add(new Bad("two objects", "{} {}", "application/json", 400, JsonRpc.PARSE_ERROR));
        c.add(new Bad(
                "comment",
                "/* c */ {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}",
                "application/json",
                400,
                JsonRpc.PARSE_ERROR));
        c.add(new Bad(
                "NaN",
                "{\"jsonrpc\":\"2.0\",\"id\":NaN,\"method\":\"ping\"}",
                "application/json",
                400,
                JsonRpc.PARSE_ERROR));
        c.add(new Bad(
                "duplicate keys",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"method\":\"tools/list\"}",
                "application/json",
                400,
                JsonRpc.PARSE_ERROR));
        c.add(new Bad(
                "lone high surrogate",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"\\ud800\"}}",
                "application/json",
                400,
                JsonRpc.PARSE_ERROR));
        c.add(new Bad(
                "lone low surrogate in key",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"\\udc00\":1}}",
                "application/json",
                400,
                JsonRpc.PARSE_ERROR));
        c.add(new Bad("deep array", deep, "application/json", 400, JsonRpc.PARSE_ERROR));
        c.add(new Bad("deep params", deepObj, "application/json", 400, JsonRpc.PARSE_ERROR));
        c.add(new Bad(
                "batch",
                "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]",
                "application/json",
                400,
                JsonRpc.INVALID_REQUEST));
        c.add(new Bad("empty batch", "[]", "application/json", 400, JsonRpc.INVALID_REQUEST));
        c.add(new Bad("string", "\"ping\"", "application/json", 400, JsonRpc.INVALID_REQUEST));
        c.add(new Bad("number", "42", "application/json", 400, JsonRpc.INVALID_REQUEST));
        c.add(new Bad("null", "null", "application/json", 400, JsonRpc.INVALID_REQUEST));
        c.add(new Bad("true", "true", "application/json", 400, JsonRpc.INVALID_REQUEST));
        c.add(new Bad(
                "no jsonrpc", "{\"id\":1,\"method\":\"ping\"}", "application/json", 400, JsonRpc.INVALID_REQUEST));
        c.add(new Bad(
                "jsonrpc 1.0",
                "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}",
                "application/json",
                400,
                JsonRpc.INVALID_REQUEST));
        c.add(new Bad(
                "jsonrpc number",
                "{\"jsonrpc\":2.0,\"id\":1,\"method\":\"ping\"}",
                "application/json",
                400,
                JsonRpc.INVALID_REQUEST));
        c.add(new Bad("no method", "{\"jsonrpc\":\"2.0\",\"id\":1}", "application/json", 400, JsonRpc.INVALID_REQUEST));
        c.add(new Bad(
                "method number",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}",
                "application/json",
                400,
                JsonRpc.INVALID_REQUEST));
        c.add(new Bad(
                "method empty",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}",
                "application/json",
                400,
                JsonRpc.INVALID_REQUEST));
        c.add(new Bad(
                "method object",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":{}}",
                "application/json",
                400,
                JsonRpc.INVALID_REQUEST));
        c.add(new Bad(
                "id null",
                "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
                "application/json",
                400,
                JsonRpc.INVALID_REQUEST));
        c.add(new Bad(
                "id object",
                "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}",
                "application/json",
                400,
                JsonRpc.INVALID_REQUEST));
        c.add(new Bad(
                "id array",
                "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"ping\"}",
                "application/json",
                400,
                JsonRpc.INVALID_REQUEST));
        c.add(new Bad(
                "id float",
                "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}",
                "application/json",
                400,
                JsonRpc.INVALID_REQUEST));
        c.add(new Bad(
                "id boolean",
                "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}",
                "application/json",
                400,
                JsonRpc.INVALID_REQUEST));
        c.add(new Bad(
                "params array",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":[1]}",
                "application/json",
                400,
                JsonRpc.INVALID_PARAMS));
        c.add(new Bad(
                "params string",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":\"x\"}",
                "application/json",
                400,
                JsonRpc.INVALID_PARAMS));
        c.add(new Bad(
                "result and method",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"result\":{}}",
                "application/json",
                400,
                JsonRpc.INVALID_REQUEST));
        c.add(new Bad(
                "response without session",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}",
                "application/json",
                400,
                JsonRpc.INVALID_REQUEST));
        c.add(new Bad(
                "initialize notification",
                "{\"jsonrpc\":\"2.0\",\"method\":\"initialize\",\"params\":{}}",
                "application/json",
                400,
                JsonRpc.INVALID_REQUEST));
        c.add(new Bad(
                "text/plain",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}",
                "text/plain",
                415,
                JsonRpc.INVALID_REQUEST));
        c.add(new Bad("form", "a=b", "application/x-www-form-urlencoded", 415, JsonRpc.INVALID_REQUEST));
        c.add(new Bad(
                "oversize",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"" + "a".repeat(70_000) + "\"}}",
                "application/json",
                413,
                JsonRpc.INVALID_REQUEST));
        c.add(new Bad(
                "invalid utf-8",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"\u00ff\"}}",
                "application/json;charset=latin1",
                400,
                JsonRpc.PARSE_ERROR));
        c.add(new Bad(
                "stateless without version header",
                stateless("tools/list", "1", ""),
                "application/json",
                400,
                JsonRpc.HEADER_MISMATCH));
        c.add(new Bad(
                "huge number",
                "{\"jsonrpc\":\"2.0\",\"id\":" + "9".repeat(500) + ",\"method\":\"ping\"}",
                "application/json",
                400,
                JsonRpc.PARSE_ERROR));
        return c;
    }

    @Test
    void malformedRequestsGetTheRightErrorAndTheServerKeepsServing() throws Exception {
        List<Bad> corpus = corpus();
        assertTrue(corpus.size() >= 40, "corpus size " + corpus.size());
        List<String> failures = new ArrayList<>();
        for (Bad bad : corpus) {
            byte[] bytes = bad.contentType().endsWith("latin1")
                    ? bad.body().getBytes(StandardCharsets.ISO_8859_1)
                    : bad.body().getBytes(StandardCharsets.UTF_8);
            HttpRequest req = HttpRequest.newBuilder(url)
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                    .header("Authorization", "Bearer " + TOKEN)
                    .header(
                            "Content-Type",
                            bad.contentType().endsWith("latin1") ? "application/json" : bad.contentType())
                    .header("Accept", "application/json, text/event-stream")
                    .build();
            HttpResponse<String> r = send(req);
            JsonNode b;
            try {
                b = JSON.readTree(r.body());
            } catch (Exception e) {
                failures.add(bad.name() + ": body is not JSON: " + r.body());
                continue;
            }
            if (r.statusCode() != bad.status()) {
                failures.add(bad.name() + ": status " + r.statusCode() + " (want " + bad.status() + ") " + r.body());
            } else if (bad.code() != null && b.at("/error/code").asInt() != bad.code()) {
                failures.add(bad.name() + ": code " + b.at("/error/code") + " (want " + bad.code() + ") " + r.body());
            }
            assertNotEquals(500, r.statusCode(), bad.name());
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        HttpResponse<String> ok = call26(
                "tools/call", "\"name\":\"slugify\",\"arguments\":{\"text\":\"Still Here\"}", "Mcp-Name", "slugify");
        assertEquals("still-here", body(ok).at("/result/structuredContent/slug").asText());
    }

    @Test
    void wrongVerbsAreRejectedCleanly() throws Exception {
        HttpResponse<String> put = send(HttpRequest.newBuilder(url)
                .PUT(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Authorization", "Bearer " + TOKEN)
                .build());
        assertEquals(405, put.statusCode());
        HttpResponse<String> getNoSession = send(HttpRequest.newBuilder(url)
                .GET()
                .header("Authorization", "Bearer " + TOKEN)
                .header("Accept", "text/event-stream")
                .build());
        assertEquals(405, getNoSession.statusCode());
    }
}
