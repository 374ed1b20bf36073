package dev.atoll.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.Gateway;
import dev.atoll.gateway.GatewayConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

/** A Python tool end to end: deploy the .py file through the admin API, approve it, call it over MCP HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PythonDeployTest {

    static final String MCP = "atoll_mcp_py_test_token_0123456789";
    Gateway gateway;
    String admin;
    Path dir;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("atoll-py-deploy");
        gateway = Gateway.builder().config(GatewayConfig.defaults().with(Map.of("mcp.port", "0", "admin.port", "0",
                "data-dir", dir.resolve("data").toString(), "examples.deploy", "false")))
                .mcpToken(MCP, "py", Set.of("*")).start();
        admin = gateway.startupTokens().get("ADMIN");
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    record Run(int code, String out, String err) {
    }

    Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--admin-url", gateway.adminUrl(), "--token", admin));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    JsonNode call(String name, String arguments) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"" + name
                + "\",\"arguments\":" + arguments + ",\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":"
                + "\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}}}}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.mcpUrl()))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Authorization", "Bearer " + MCP)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call")
                .header("Mcp-Name", name).build(), HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(r.body());
    }

    @Test
    void deployApproveAndCallAPythonTool() throws Exception {
        Path file = dir.resolve("shout.py");
        Files.writeString(file, """
                TOOL = {
                    'name': 'shout',
                    'description': 'Upper-cases a text',
                    'inputSchema': {'type': 'object', 'properties': {'text': {'type': 'string'}}, 'required': ['text']},
                    'limits': {'cpuMs': 2000, 'wallMs': 5000},
                }

                def main(args, env):
                    if args['text'] == 'boom':
                        raise ValueError('no booms')
                    print('shouting', len(args['text']))
                    return args['text'].upper() + '!'
                """);
        Run d = cli("deploy", file.toString());
        assertEquals(0, d.code(), d.err());
        assertTrue(d.out().contains("shout v1 QUARANTINED"), d.out());
        assertEquals("Unknown tool: shout", call("shout", "{\"text\":\"hi\"}").at("/error/message").asText());

        Run a = cli("tools", "approve", "shout");
        assertEquals(0, a.code(), a.err());
        JsonNode ok = call("shout", "{\"text\":\"hello\"}");
        assertEquals("HELLO!", ok.at("/result/content/0/text").asText(), ok.toString());
        assertTrue(!ok.at("/result/isError").asBoolean(), ok.toString());

        JsonNode failed = call("shout", "{\"text\":\"boom\"}");
        assertTrue(failed.at("/result/isError").asBoolean(), failed.toString());
        assertTrue(failed.at("/result/content/0/text").asText().contains("ValueError: no booms"), failed.toString());

        JsonNode invalid = call("shout", "{\"text\":7}");
        assertTrue(invalid.toString().contains("inputSchema") || invalid.at("/result/isError").asBoolean()
                || invalid.has("error"), invalid.toString());
    }

    @Test
    void aBrokenPythonFileIsRefusedWithAClearError() throws Exception {
        Path broken = dir.resolve("broken.py");
        Files.writeString(broken, "TOOL = {'name': 'x'\ndef main(args, env):\n    return 1\n");
        Run bad = cli("deploy", broken.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("refused (422)"), bad.err());
        Path other = dir.resolve("tool.rb");
        Files.writeString(other, "puts 1");
        Run unknown = cli("deploy", other.toString());
        assertTrue(unknown.code() != 0, unknown.out());
    }
}
