package dev.atoll.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.testing.UpstreamGateway;
import dev.atoll.gateway.upstream.testing.UpstreamTestSupport;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #17: an uploaded tool named like an approved upstream tool ({@code mem__echo}) was accepted
 * and served in its place, while {@code upstream list} still said the upstream tool was serving. A
 * name belongs to one source: {@code NAME__*} belongs to upstream {@code NAME}, in both directions,
 * over the real admin API and MCP endpoint.
 */
class NameConflictTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    @BeforeAll
    static void needsBwrap() {
        UpstreamTestSupport.assumeBwrap();
    }

    private static String uploadCode(String name) {
        return "export const tool = { name: \"" + name + "\", description: \"An uploaded tool\","
                + " inputSchema: { type: \"object\", properties: { text: { type: \"string\" } } },"
                + " limits: { cpuMs: 200, memoryMb: 16, wallMs: 5000 } };\n"
                + "export default async function (args) { return { said: \"upload says \" + args.text }; }\n";
    }

    private static JsonNode upload(UpstreamGateway g, String name) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(g.gateway.adminUrl() + "/v1/tools?file=" + name + ".mjs"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + g.adminToken)
                .POST(HttpRequest.BodyPublishers.ofString(uploadCode(name), StandardCharsets.UTF_8))
                .build();
        try (HttpClient c = HttpClient.newHttpClient()) {
            HttpResponse<byte[]> r = c.send(req, HttpResponse.BodyHandlers.ofByteArray());
            return UpstreamTestSupport.JSON
                    .createObjectNode()
                    .put("status", r.statusCode())
                    .set("body", UpstreamTestSupport.JSON.readTree(r.body()));
        }
    }

    private static void uploadAndApprove(UpstreamGateway g, String name) throws Exception {
        JsonNode r = upload(g, name);
        assertEquals(201, r.path("status").asInt(), r.toString());
        JsonNode a = g.admin("POST", "/v1/tools/" + name + "/approve", Map.of());
        assertEquals(200, a.path("status").asInt(), a.toString());
    }

    private static String text(McpSchema.CallToolResult r) {
        return r.content().stream()
                .filter(c -> c instanceof McpSchema.TextContent)
                .map(c -> ((McpSchema.TextContent) c).text())
                .reduce("", String::concat);
    }

    private static JsonNode tool(JsonNode upstream, String name) {
        for (JsonNode t : upstream.path("tools")) {
            if (t.path("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no tool " + name + " in " + upstream);
    }

    private static void addHostile(UpstreamGateway g, String name) throws Exception {
        g.addAndWait(
                name, List.of(UpstreamTestSupport.node(), UpstreamTestSupport.hostileServer()), Map.of(), List.of());
    }

    @Test
    void anUploadCannotTakeANameInAnUpstreamsNamespace() throws Exception {
        try (UpstreamGateway g = new UpstreamGateway(Map.of())) {
            addHostile(g, "mem");
            g.approve("mem");
            for (String name : List.of("mem__echo", "mem__not_yet_listed")) {
                JsonNode r = upload(g, name);
                assertEquals(409, r.path("status").asInt(), r.toString());
                assertEquals(
                        "conflict", r.path("body").path("error").path("code").asText(), r.toString());
                assertTrue(
                        r.path("body").path("error").path("message").asText().contains("belong to upstream 'mem'"),
                        r.toString());
            }
            assertEquals(
                    404,
                    g.admin("GET", "/v1/tools/mem__echo", null).path("status").asInt(),
                    "nothing registered");
            try (McpSyncClient c = g.client()) {
                assertEquals("hi", text(c.callTool(new McpSchema.CallToolRequest("mem__echo", Map.of("text", "hi")))));
            }
            JsonNode up = g.upstream("mem");
            assertTrue(up.path("serving").asBoolean(), up.toString());
            JsonNode echo = tool(up, "echo");
            assertTrue(echo.path("serving").asBoolean(), echo.toString());
            assertTrue(echo.path("pin").asText().matches("[0-9a-f]{64}"), echo.toString());
        }
    }

    @Test
    void anUpstreamCannotBeAddedOverUploadedNames() throws Exception {
        try (UpstreamGateway g = new UpstreamGateway(Map.of())) {
            uploadAndApprove(g, "mem__echo");
            JsonNode r = g.admin(
                    "POST",
                    "/v1/upstreams",
                    Map.of(
                            "name",
                            "mem",
                            "kind",
                            "bubblewrap",
                            "command",
                            List.of(UpstreamTestSupport.node(), UpstreamTestSupport.hostileServer())));
            assertEquals(409, r.path("status").asInt(), r.toString());
            String m = r.path("body").path("error").path("message").asText();
            assertTrue(m.contains("cannot add upstream 'mem'") && m.contains("mem__echo"), m);
            assertEquals(
                    404,
                    g.admin("GET", "/v1/upstreams/mem", null).path("status").asInt());
            try (McpSyncClient c = g.client()) {
                McpSchema.CallToolResult res =
                        c.callTool(new McpSchema.CallToolRequest("mem__echo", Map.of("text", "x")));
                assertTrue(res.toString().contains("upload says x"), res.toString());
            }
        }
    }

    /**
     * A registry written before names were checked: upload {@code mem__echo} and upstream {@code mem}
     * both approved (made here by renaming upstream {@code mex} in the database while the gateway is
     * down). The upload keeps the name; the upstream's echo is reported not served, with the reason;
     * approving the upstream again is refused.
     */
    @Test
    void aShadowLeftByAnOlderRegistryIsReportedAndApprovalIsRefused() throws Exception {
        Path data = Files.createTempDirectory(scratch, "atoll-shadow");
        try (UpstreamGateway g = new UpstreamGateway(data, Map.of())) {
            uploadAndApprove(g, "mem__echo");
            addHostile(g, "mex");
            g.approve("mex");
        }
        try (Connection c = DriverManager.getConnection(
                        "jdbc:h2:file:" + data.toAbsolutePath().resolve("registry"));
                Statement s = c.createStatement()) {
            s.execute("SET REFERENTIAL_INTEGRITY FALSE");
            s.executeUpdate(
                    "UPDATE upstream SET name = 'mem', spec = REPLACE(spec, '\"name\":\"mex\"', '\"name\":\"mem\"')"
                            + " WHERE name = 'mex'");
            s.executeUpdate("UPDATE upstream_tool SET upstream = 'mem' WHERE upstream = 'mex'");
            s.execute("SET REFERENTIAL_INTEGRITY TRUE");
        }
        try (UpstreamGateway g = new UpstreamGateway(data, Map.of())) {
            UpstreamTestSupport.await("mem to run", Duration.ofSeconds(60), () -> "running".equals(g.state("mem")));
            JsonNode up = g.upstream("mem");
            JsonNode echo = tool(up, "echo");
            assertEquals("APPROVED", echo.path("state").asText(), echo.toString());
            assertFalse(echo.path("serving").asBoolean(), "the upload holds the name: " + echo);
            assertTrue(echo.path("notServedReason").asText().contains("upload"), echo.toString());
            assertTrue(tool(up, "mutate").path("serving").asBoolean(), up.toString());
            try (McpSyncClient c = g.client()) {
                McpSchema.CallToolResult res =
                        c.callTool(new McpSchema.CallToolRequest("mem__echo", Map.of("text", "x")));
                assertTrue(res.toString().contains("upload says x"), res.toString());
            }
            JsonNode r = g.admin("POST", "/v1/upstreams/mem/approve", Map.of());
            assertEquals(409, r.path("status").asInt(), r.toString());
            assertTrue(r.path("body").path("error").path("message").asText().contains("mem__echo"), r.toString());
        }
    }
}
