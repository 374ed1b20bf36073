package dev.atoll.gateway.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.Gateway;
import dev.atoll.gateway.GatewayConfig;
import dev.atoll.gateway.upstream.testing.UpstreamTestSupport;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** A real gateway on loopback ports for upstream tests, driven through its admin API and MCP endpoint. */
public final class UpstreamGateway implements AutoCloseable {

    public static final String MCP_TOKEN = "atoll_mcp_upstream_test_token_0123";

    public final Path dataDir;
    public final Gateway gateway;
    public final String adminToken;
    /** Whether {@link #dataDir} was made here (then {@link #close()} deletes it). */
    private final boolean ownsDataDir;

    /** A gateway on a new data directory of its own, deleted on {@link #close()}. */
    public UpstreamGateway(Map<String, String> overrides) throws IOException {
        this(Files.createTempDirectory("atoll-up"), overrides, true);
    }

    /** A gateway on {@code dataDir}, which the caller owns (it stays after {@link #close()}). */
    public UpstreamGateway(Path dataDir, Map<String, String> overrides) {
        this(dataDir, overrides, false);
    }

    private UpstreamGateway(Path dataDir, Map<String, String> overrides, boolean ownsDataDir) {
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        Map<String, String> all = new HashMap<>(Map.of(
                "mcp.port",
                "0",
                "admin.port",
                "0",
                "data-dir",
                dataDir.toString(),
                "examples.deploy",
                "false",
                "upstreams.health-interval-ms",
                "500",
                "upstreams.restart-backoff-min-ms",
                "100",
                "upstreams.restart-backoff-max-ms",
                "1000",
                "upstreams.stop-grace-ms",
                "500"));
        all.putAll(overrides);
        try {
            this.gateway = Gateway.builder()
                    .config(GatewayConfig.defaults().with(all))
                    .mcpToken(MCP_TOKEN, "tests", Set.of("*"))
                    .start();
        } catch (RuntimeException e) {
            if (ownsDataDir) {
                UpstreamTestSupport.deleteTree(dataDir);
            }
            throw e;
        }
        this.adminToken = gateway.startupTokens().containsKey("ADMIN")
                ? gateway.startupTokens().get("ADMIN")
                : gateway.registry()
                        .tokens()
                        .create(
                                dev.atoll.gateway.registry.TokenKind.ADMIN,
                                "default",
                                Set.of("*"),
                                "upstream tests",
                                dev.atoll.gateway.registry.Actor.SYSTEM)
                        .plaintext();
    }

    public JsonNode admin(String method, String path, Object body) throws IOException, InterruptedException {
        return UpstreamTestSupport.admin(gateway.adminUrl(), adminToken, method, path, body);
    }

    /** Adds an upstream (bubblewrap) and waits until it listed its tools; returns the admin reply body. */
    public JsonNode addAndWait(
            String name, List<String> command, Map<String, String> env, List<Map<String, String>> volumes)
            throws IOException, InterruptedException {
        JsonNode r = admin(
                "POST",
                "/v1/upstreams",
                Map.of("name", name, "kind", "bubblewrap", "command", command, "env", env, "volumes", volumes));
        assertEquals(201, r.path("status").asInt(), r.toString());
        UpstreamTestSupport.await(
                name + " to list its tools",
                Duration.ofSeconds(60),
                () -> upstream(name).path("tools").size() > 0 && "running".equals(state(name)));
        return upstream(name);
    }

    public JsonNode upstream(String name) {
        try {
            return admin("GET", "/v1/upstreams/" + name, null).path("body");
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    public String state(String name) {
        return upstream(name).path("status").path("state").asText();
    }

    public JsonNode approve(String name) throws IOException, InterruptedException {
        JsonNode r = admin("POST", "/v1/upstreams/" + name + "/approve", Map.of());
        assertEquals(200, r.path("status").asInt(), r.toString());
        return r.path("body");
    }

    /** The pid of the upstream's bwrap process. */
    public long bwrapPid(String name) {
        String p = upstream(name).path("status").path("process").asText();
        return Long.parseLong(p.replaceAll("\\D+", ""));
    }

    public McpSyncClient client(
            Consumer<McpSchema.ProgressNotification> progress, Consumer<McpSchema.LoggingMessageNotification> logs) {
        var transport = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + gateway.mcpPort())
                .endpoint("/mcp")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + MCP_TOKEN))
                .build();
        McpSyncClient c = McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(60))
                .progressConsumer(progress)
                .loggingConsumer(logs)
                .build();
        c.initialize();
        return c;
    }

    public McpSyncClient client() {
        return client(p -> {}, l -> {});
    }

    @Override
    public void close() {
        gateway.close();
        if (ownsDataDir) {
            UpstreamTestSupport.deleteTree(dataDir);
        }
    }
}
