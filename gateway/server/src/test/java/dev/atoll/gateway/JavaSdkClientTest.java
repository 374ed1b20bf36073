package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The official MCP Java SDK client lists and calls tools on a real gateway over Streamable HTTP. */
class JavaSdkClientTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    @Test
    void listsAndCallsTools() throws Exception {
        String token = "atoll_mcp_java_sdk_client_test_token";
        GatewayConfig config = GatewayConfig.defaults()
                .with(Map.of(
                        "mcp.port",
                        "0",
                        "admin.port",
                        "0",
                        "data-dir",
                        Files.createTempDirectory(scratch, "atoll-sdk").toString()));
        try (Gateway gateway = Gateway.builder()
                .config(config)
                .mcpToken(token, "sdk", Set.of("*"))
                .start()) {
            var transport = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + gateway.mcpPort())
                    .endpoint("/mcp")
                    .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
                    .build();
            try (McpSyncClient client = McpClient.sync(transport)
                    .requestTimeout(Duration.ofSeconds(30))
                    .build()) {
                McpSchema.InitializeResult init = client.initialize();
                assertEquals("atoll", init.serverInfo().name());
                var tools = client.listTools().tools();
                assertTrue(tools.stream().anyMatch(t -> t.name().equals("word_count")), tools.toString());
                McpSchema.CallToolResult r = client.callTool(
                        new McpSchema.CallToolRequest("word_count", Map.of("text", "one two three four five")));
                assertFalse(Boolean.TRUE.equals(r.isError()), r.toString());
                assertEquals(5, ((Number) ((Map<?, ?>) r.structuredContent()).get("words")).intValue());
                McpSchema.CallToolResult bad = client.callTool(new McpSchema.CallToolRequest("slugify", Map.of()));
                assertTrue(bad.isError(), "missing required argument is a tool error");
            }
        }
    }
}
