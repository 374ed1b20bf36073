package dev.atoll.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.Gateway;
import dev.atoll.gateway.GatewayConfig;
import dev.atoll.gateway.testing.StatelessCall;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Test support for CLI tests: a real gateway on 127.0.0.1 with no example tools, its admin token, a
 * scratch directory, the CLI run in-process against it, and stateless MCP calls to it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CliFixture {

    static final String MCP = "atoll_mcp_cli_fixture_token_0123456789";
    /** The scratch directory's parent, deleted after each test class. */
    @TempDir
    static Path scratch;

    Gateway gateway;
    String admin;
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    record Run(int code, String out, String err) {}

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory(scratch, "atoll-cli");
        gateway = Gateway.builder()
                .config(GatewayConfig.defaults()
                        .with(Map.of(
                                "mcp.port",
                                "0",
                                "admin.port",
                                "0",
                                "data-dir",
                                dir.resolve("data").toString(),
                                "examples.deploy",
                                "false")))
                .mcpToken(MCP, "cli", Set.of("*"))
                .start();
        admin = gateway.startupTokens().get("ADMIN");
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    /** Runs {@code atoll ARGS --admin-url URL --token ADMIN} in-process. */
    Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--admin-url", gateway.adminUrl(), "--token", admin));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(
                all.toArray(String[]::new),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A stateless {@code tools/call}; the whole JSON-RPC response. */
    JsonNode call(String tool, String argumentsJson) throws Exception {
        return new ObjectMapper()
                .readTree(StatelessCall.post(http, gateway.mcpUrl(), MCP, tool, argumentsJson)
                        .body());
    }
}
