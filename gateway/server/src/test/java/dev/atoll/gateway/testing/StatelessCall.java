package dev.atoll.gateway.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Test support: one 2026-07-28 (stateless) {@code tools/call} over real HTTP, headers matching the body. */
public final class StatelessCall {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StatelessCall() {}

    /**
     * Posts the call.
     *
     * @param http the client
     * @param mcpUrl the gateway's MCP URL
     * @param token the bearer token
     * @param tool the tool name (plain: no base64 sentinel needed)
     * @param argumentsJson the arguments object as JSON
     * @return the HTTP response
     */
    public static HttpResponse<String> post(
            HttpClient http, String mcpUrl, String token, String tool, String argumentsJson)
            throws IOException, InterruptedException {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + argumentsJson + ",\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":"
                + "\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}}}}";
        return http.send(
                HttpRequest.newBuilder(URI.create(mcpUrl))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .header("Accept", "application/json")
                        .header("MCP-Protocol-Version", "2026-07-28")
                        .header("Mcp-Method", "tools/call")
                        .header("Mcp-Name", tool)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Posts the call and returns its JSON-RPC {@code result}, failing unless the status is 200.
     *
     * @param http the client
     * @param mcpUrl the gateway's MCP URL
     * @param token the bearer token
     * @param tool the tool name
     * @param argumentsJson the arguments object as JSON
     * @return the {@code result} member (missing node if the answer was an error)
     */
    public static JsonNode result(HttpClient http, String mcpUrl, String token, String tool, String argumentsJson)
            throws IOException, InterruptedException {
        HttpResponse<String> r = post(http, mcpUrl, token, tool, argumentsJson);
        org.junit.jupiter.api.Assertions.assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body()).path("result");
    }
}
