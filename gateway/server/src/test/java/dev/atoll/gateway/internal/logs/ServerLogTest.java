package dev.atoll.gateway.internal.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.Gateway;
import dev.atoll.gateway.GatewayConfig;
import dev.atoll.gateway.LogFormat;
import dev.atoll.gateway.testing.LogCapture;
import dev.atoll.gateway.testing.StatelessCall;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server log over a real gateway driven through its admin API and MCP endpoint: one line per
 * admin mutation and per call ({@code log.calls: true}), in the text and the JSON format, and no
 * secret in any line (tokens, a configured secret value, call arguments).
 */
class ServerLogTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    static final String MCP_TOKEN = "atoll_mcp_serverlog_token_canary";
    static final String SECRET = "s3cr3t-value-canary-0042";
    static final String ARGUMENT = "argument-canary-0043";
    static final ObjectMapper JSON = new ObjectMapper();

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void adminMutationsAndCallsAreOneLineEachInBothFormatsWithoutSecrets() throws Exception {
        Path dir = Files.createTempDirectory(scratch, "atoll-serverlog");
        Path yaml = dir.resolve("atoll.yaml");
        Files.writeString(yaml, "secrets:\n  echo:\n    API_KEY: " + SECRET + "\n");
        GatewayConfig config = GatewayConfig.load(yaml)
                .with(Map.of(
                        "mcp.port",
                        "0",
                        "admin.port",
                        "0",
                        "data-dir",
                        dir.resolve("data").toString(),
                        "examples.deploy",
                        "false",
                        "log.calls",
                        "true",
                        "metrics.jvm",
                        "false",
                        "node.id",
                        "node-a"));
        List<String> secrets = new ArrayList<>(List.of(MCP_TOKEN, SECRET, ARGUMENT));
        try (LogCapture json = new LogCapture(ServerLog.LOGGER, LogFormat.JSON.formatter());
                LogCapture text = new LogCapture(ServerLog.LOGGER, LogFormat.TEXT.formatter());
                Gateway gateway = Gateway.builder()
                        .config(config)
                        .mcpToken(MCP_TOKEN, "acme", Set.of("*"))
                        .start()) {
            String admin = gateway.startupTokens().get("ADMIN");
            secrets.add(admin);
            if (gateway.startupTokens().containsKey("MCP")) {
                secrets.add(gateway.startupTokens().get("MCP"));
            }
            String code = """
                    export const tool = { name: "echo", description: "%s", inputSchema: { type: "object" } };
                    export default function (args) { return JSON.stringify(args); }
                    """;
            assertEquals(
                    201,
                    admin(gateway, admin, "POST", "/v1/tools?file=echo.mjs", code.formatted("v1"))
                            .statusCode());
            assertEquals(
                    200,
                    admin(gateway, admin, "POST", "/v1/tools/echo/approve", "{\"version\":1}")
                            .statusCode());
            assertEquals(
                    201,
                    admin(gateway, admin, "POST", "/v1/tools?file=echo.mjs", code.formatted("v2"))
                            .statusCode());
            assertEquals(
                    200,
                    admin(gateway, admin, "POST", "/v1/tools/echo/reject", "{\"version\":2}")
                            .statusCode());
            assertEquals(
                    201,
                    admin(gateway, admin, "POST", "/v1/tools?file=echo.mjs", code.formatted("v3"))
                            .statusCode());
            assertEquals(
                    200,
                    admin(gateway, admin, "POST", "/v1/tools/echo/approve", "{\"version\":3}")
                            .statusCode());
            assertEquals(
                    200,
                    admin(gateway, admin, "POST", "/v1/tools/echo/rollback", "{\"to\":1}")
                            .statusCode());
            assertEquals(
                    200,
                    StatelessCall.post(http, gateway.mcpUrl(), MCP_TOKEN, "echo", "{\"text\":\"" + ARGUMENT + "\"}")
                            .statusCode());
            assertEquals(
                    200,
                    admin(gateway, admin, "POST", "/v1/tools/echo/disable", "{}")
                            .statusCode());
            assertEquals(
                    200,
                    admin(gateway, admin, "POST", "/v1/tools/echo/enable", "{}").statusCode());
            HttpResponse<String> created = admin(
                    gateway,
                    admin,
                    "POST",
                    "/v1/tokens",
                    "{\"kind\":\"MCP\",\"tenant\":\"acme\",\"scopes\":[\"echo\"]}");
            assertEquals(200, created.statusCode(), created.body());
            JsonNode token = JSON.readTree(created.body());
            secrets.add(token.path("token").asText());
            assertEquals(
                    200,
                    admin(
                                    gateway,
                                    admin,
                                    "DELETE",
                                    "/v1/tokens/" + token.path("id").asText(),
                                    null)
                            .statusCode());
            assertEquals(
                    200, admin(gateway, admin, "DELETE", "/v1/tools/echo", null).statusCode());
            // A refused mutation is not logged as done.
            assertEquals(
                    404,
                    admin(gateway, admin, "POST", "/v1/tools/nosuch/disable", "{}")
                            .statusCode());

            List<JsonNode> events = new ArrayList<>();
            for (String line : json.lines()) {
                assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one line: " + line);
                JsonNode n = JSON.readTree(line);
                for (String k : List.of("time", "level", "logger", "message", "event", "action", "node")) {
                    assertTrue(n.hasNonNull(k), k + " in " + line);
                }
                assertEquals("node-a", n.path("node").asText());
                events.add(n);
            }
            Set<String> actions = new LinkedHashSet<>();
            events.forEach(n -> actions.add(n.path("action").asText()));
            assertTrue(
                    actions.containsAll(List.of(
                            "tool.deploy",
                            "tool.approve",
                            "tool.reject",
                            "tool.rollback",
                            "tool.disable",
                            "tool.enable",
                            "tool.delete",
                            "token.create",
                            "token.revoke",
                            "tool.call")),
                    actions.toString());
            assertEquals(
                    3,
                    events.stream()
                            .filter(n -> n.path("action").asText().equals("tool.deploy"))
                            .count());
            assertEquals(
                    1,
                    events.stream()
                            .filter(n -> n.path("action").asText().equals("tool.disable"))
                            .count(),
                    "the refused disable of an unknown tool is not logged");
            JsonNode approve = events.stream()
                    .filter(n -> n.path("action").asText().equals("tool.approve"))
                    .findFirst()
                    .orElseThrow();
            assertEquals("echo", approve.path("tool").asText());
            assertEquals(1, approve.path("version").asInt());
            assertTrue(approve.path("actor").asText().startsWith("token:"), approve.toString());
            JsonNode call = events.stream()
                    .filter(n -> n.path("event").asText().equals("call"))
                    .findFirst()
                    .orElseThrow();
            assertEquals("echo", call.path("tool").asText());
            assertEquals(1, call.path("version").asInt());
            assertEquals("acme", call.path("tenant").asText());
            assertEquals("ok", call.path("outcome").asText());
            assertEquals("isolate", call.path("backend").asText());
            assertTrue(call.path("ms").isNumber(), call.toString());
            JsonNode revoke = events.stream()
                    .filter(n -> n.path("action").asText().equals("token.revoke"))
                    .findFirst()
                    .orElseThrow();
            assertEquals(token.path("id").asText(), revoke.path("token").asText(), "a token is named by its id");

            assertEquals(json.lines().size(), text.lines().size(), "the same events in both formats");
            assertTrue(
                    text.lines().stream()
                            .anyMatch(l -> l.contains("admin tool.approve tool=echo version=1 actor=token:")),
                    text.lines().toString());
            assertTrue(
                    text.lines().stream()
                            .anyMatch(l -> l.contains("call tool.call tool=echo version=1 backend=isolate"
                                    + " tenant=acme outcome=ok ms=")),
                    text.lines().toString());

            List<String> all = new ArrayList<>(json.lines());
            all.addAll(text.lines());
            for (String secret : secrets) {
                assertFalse(secret.isBlank());
                for (String line : all) {
                    assertFalse(line.contains(secret), "a secret in the log: " + line);
                }
            }
        }
    }

    HttpResponse<String> admin(Gateway g, String token, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(g.adminUrl() + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
