package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.audit.AuditQuery;
import dev.atoll.gateway.audit.AuditRecord;
import dev.atoll.gateway.testing.Scrape;
import dev.atoll.gateway.testing.StatelessCall;
import dev.atoll.runtime.ToolSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code retrieve_tools} end to end over MCP (2026-07-28, real HTTP): listed when
 * {@code mcp.tool-search.enabled} (that it is not listed by default, McpEndpointTest checks); ranks the relevant tool first with its schema; a scoped token never
 * gets a tool outside its scope; bad arguments are a tool error; a call passes the pipeline (audited,
 * metered, DLP-scanned); the index follows a deployment.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetrieveToolsTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    static final String ALL = "atoll_mcp_retrieve_all_token";
    static final String SCOPED = "atoll_mcp_retrieve_scoped_token";
    static final ObjectMapper JSON = new ObjectMapper();
    Gateway enabled;
    final HttpClient http = HttpClient.newHttpClient();

    static ToolSource tool(String name, String description, String param) {
        return ToolSource.js(name + ".mjs", """
                export const tool = { name: "%s", description: "%s", inputSchema: { type: "object",
                  properties: { %s: { type: "string" } } } };
                export default function () { return "ok"; }
                """.formatted(name, description, param));
    }

    @BeforeAll
    void start() throws Exception {
        enabled = Gateway.builder()
                .config(GatewayConfig.defaults()
                        .with(Map.of(
                                "mcp.port",
                                "0",
                                "admin.port",
                                "0",
                                "data-dir",
                                Files.createTempDirectory(scratch, "atoll-search")
                                        .toString(),
                                "examples.deploy",
                                "false",
                                "mcp.tool-search.enabled",
                                "true",
                                "mcp.tool-search.max-results",
                                "3",
                                "mcp.tool-search.default-results",
                                "2")))
                .mcpToken(ALL, "acme", Set.of("*"))
                .mcpToken(SCOPED, "acme", Set.of("weather_forecast", "send_invoice"))
                .start();
        enabled.deployApproved(tool("create_ticket", "Open a support ticket in the helpdesk queue.", "summary"));
        enabled.deployApproved(tool("weather_forecast", "Forecast temperature and rain for a city.", "city"));
        enabled.deployApproved(tool("send_invoice", "E-mail an invoice to a customer.", "customerId"));
        enabled.deployApproved(tool("delete_ticket", "Delete a helpdesk ticket for good.", "ticketId"));
    }

    @AfterAll
    void stop() {
        if (enabled != null) {
            enabled.close();
        }
    }

    List<String> listed(Gateway g, String token) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":{"
                + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}}}}";
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(g.mcpUrl()))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .header("Accept", "application/json")
                        .header("MCP-Protocol-Version", "2026-07-28")
                        .header("Mcp-Method", "tools/list")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        List<String> names = new ArrayList<>();
        JSON.readTree(r.body())
                .at("/result/tools")
                .forEach(t -> names.add(t.path("name").asText()));
        return names;
    }

    JsonNode retrieve(String token, String args) throws Exception {
        return StatelessCall.result(http, enabled.mcpUrl(), token, "retrieve_tools", args);
    }

    static List<String> found(JsonNode result) {
        assertFalse(result.path("isError").asBoolean(), result.toString());
        List<String> names = new ArrayList<>();
        result.at("/structuredContent/tools")
                .forEach(t -> names.add(t.path("name").asText()));
        return names;
    }

    @Test
    void listedWhenEnabled() throws Exception {
        assertEquals("retrieve_tools", listed(enabled, ALL).getFirst());
        assertTrue(listed(enabled, SCOPED).contains("retrieve_tools"), "a scoped token may search its own tools");
        assertFalse(listed(enabled, SCOPED).contains("create_ticket"));
    }

    @Test
    void ranksTheRelevantToolFirstWithItsSchema() throws Exception {
        JsonNode r = retrieve(ALL, "{\"query\":\"open a support ticket\"}");
        List<String> names = found(r);
        assertEquals("create_ticket", names.getFirst(), names.toString());
        JsonNode first = r.at("/structuredContent/tools/0");
        assertEquals("string", first.at("/inputSchema/properties/summary/type").asText(), first.toString());
        assertEquals(
                r.at("/structuredContent"),
                JSON.readTree(r.at("/content/0/text").asText()),
                "text mirrors it");
        assertEquals(
                List.of("weather_forecast"),
                found(retrieve(ALL, "{\"query\":\"rain tomorrow in the city\",\"limit\":1}")));
    }

    @Test
    void aScopedTokenNeverGetsAToolOutsideItsScope() throws Exception {
        for (String q : List.of(
                "open a new helpdesk ticket",
                "delete ticket",
                "ticket summary",
                "forecast",
                "invoice",
                "ticket weather invoice helpdesk")) {
            List<String> names = found(retrieve(SCOPED, "{\"query\":\"" + q + "\",\"limit\":3}"));
            assertTrue(Set.of("weather_forecast", "send_invoice").containsAll(names), q + " -> " + names);
        }
        assertEquals(List.of(), found(retrieve(SCOPED, "{\"query\":\"helpdesk ticket\"}")));
    }

    @Test
    void badArgumentsAreAToolError() throws Exception {
        for (String args : List.of(
                "{}",
                "{\"query\":\"   \"}",
                "{\"query\":7}",
                "{\"query\":\"x\",\"limit\":4}",
                "{\"query\":\"x\",\"limit\":0}",
                "{\"query\":\"x\",\"limit\":1.5}",
                "{\"query\":\"x\",\"extra\":1}",
                "{\"query\":\"" + "q".repeat(1001) + "\"}")) {
            JsonNode r = retrieve(ALL, args);
            assertTrue(r.path("isError").asBoolean(), args + " -> " + r);
            assertTrue(r.at("/content/0/text").asText().startsWith("retrieve_tools: "), r.toString());
        }
    }

    @Test
    void aCallPassesThePipelineAuditedMeteredAndScanned() throws Exception {
        String admin = enabled.startupTokens().get("ADMIN");
        double before = Scrape.of(enabled, admin)
                .sum("atoll_tool_calls_seconds_count", "tool", "retrieve_tools", "backend", "gateway", "outcome", "ok");
        assertEquals(
                "create_ticket",
                found(retrieve(ALL, "{\"query\":\"open a support ticket\"}")).getFirst());
        assertEquals(
                before + 1,
                Scrape.of(enabled, admin)
                        .sum(
                                "atoll_tool_calls_seconds_count",
                                "tool",
                                "retrieve_tools",
                                "backend",
                                "gateway",
                                "outcome",
                                "ok"),
                "the call's meter moved");
        enabled.registry().audit().flush();
        List<AuditRecord> records = enabled.registry()
                .audit()
                .query(AuditQuery.builder().tool("retrieve_tools").build());
        assertTrue(records.stream().anyMatch(r -> r.outcome().equals("ok")), records.toString());
        // DLP scans the query like any arguments: a secret in it blocks the call before the search runs.
        JsonNode blocked = retrieve(ALL, "{\"query\":\"ticket AKIAIOSFODNN7EXAMPLE\"}");
        assertTrue(
                blocked.path("isError").asBoolean()
                        && blocked.at("/content/0/text").asText().contains("Blocked by data loss prevention"),
                blocked.toString());
        assertFalse(blocked.toString().contains("create_ticket"), blocked.toString());
    }

    @Test
    void theIndexFollowsADeployment() throws Exception {
        assertEquals(List.of(), found(retrieve(ALL, "{\"query\":\"tide harbour\"}")));
        enabled.deployApproved(tool("tide_times", "High and low water for a harbour.", "harbour"));
        assertEquals(
                "tide_times",
                found(retrieve(ALL, "{\"query\":\"tide harbour\"}")).getFirst());
    }
}
