package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.testing.StatelessCall;
import dev.atoll.runtime.ToolSource;
import io.helidon.webserver.WebServer;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code secrets:} section of a {@code --config} YAML file, as docs/configuration.md documents it,
 * was refused as an unknown key. Here it is loaded from a file and its value reaches the bound host
 * through a Python tool's {@code env.secrets.NAME}, as the README writes it.
 */
class SecretsConfigTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    static final String TOKEN = "atoll_mcp_secrets_config_test_token";
    static final String SECRET = "yaml-secret-value-0042";

    @Test
    void theSecretsSectionOfAConfigFileLoadsAndReachesTheBoundHost() throws Exception {
        ConcurrentLinkedQueue<String> auth = new ConcurrentLinkedQueue<>();
        WebServer api = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(r -> r.any("/*", (req, res) -> {
                    auth.add(req.headers()
                            .first(io.helidon.http.HeaderNames.AUTHORIZATION)
                            .orElse(""));
                    res.send("ok");
                }))
                .build()
                .start();
        try {
            Path dir = Files.createTempDirectory(scratch, "atoll-secrets-config");
            Path file = dir.resolve("atoll.yaml");
            Files.writeString(file, """
                    data-dir: %s
                    mcp: {port: 0}
                    admin: {port: 0}
                    examples: {deploy: false}
                    fetch: {allow-http: true, http-ports: [%d], allow-addresses: [127.0.0.1]}
                    secrets:
                      caller:
                        API_KEY: %s
                    """.formatted(dir.resolve("data"), api.port(), SECRET));
            GatewayConfig config = GatewayConfig.load(file);
            assertEquals(Map.of("caller", Map.of("API_KEY", SECRET)), config.secrets());
            try (Gateway gateway = Gateway.builder()
                    .config(config)
                    .mcpToken(TOKEN, "acme", Set.of("*"))
                    .start()) {
                gateway.deployApproved(
                        ToolSource.python("caller.py", """
                        TOOL = {'name': 'caller', 'description': 'calls the API', 'inputSchema': {'type': 'object'},
                                'egress': ['localhost:%d'], 'secrets': {'API_KEY': ['localhost:%d']},
                                'limits': {'wallMs': 30000}}

                        def main(args, env):
                            r = env.fetch('http://localhost:%d/', headers={'authorization': 'Bearer ' + env.secrets.API_KEY})
                            return 'status ' + str(r.status)
                        """.formatted(api.port(), api.port(), api.port())));
                JsonNode r = StatelessCall.result(HttpClient.newHttpClient(), gateway.mcpUrl(), TOKEN, "caller", "{}");
                assertEquals("status 200", r.at("/content/0/text").asText(), r.toString());
                assertEquals("Bearer " + SECRET, auth.peek());
            }
        } finally {
            api.stop();
        }
    }

    @Test
    void otherUnknownKeysAreStillRefused() throws Exception {
        Path file = Files.createTempDirectory(scratch, "atoll-secrets-config").resolve("atoll.yaml");
        Files.writeString(file, "mcp: {prot: 1}\n");
        GatewayException e = assertThrows(GatewayException.class, () -> GatewayConfig.load(file));
        assertTrue(e.getMessage().contains("mcp.prot"), e.getMessage());
    }
}
