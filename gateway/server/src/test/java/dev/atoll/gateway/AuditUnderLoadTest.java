package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.audit.AuditQuery;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.RegistryConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Under concurrent load through MCP, every answered tools/call has exactly one audit record. */
class AuditUnderLoadTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    @Test
    void noCallRecordIsLost() throws Exception {
        Path data = Files.createTempDirectory(scratch, "atoll-audit-load");
        String token = "atoll_mcp_audit_load_test_token_0";
        int clients = 16;
        int callsEach = 40;
        AtomicInteger answered = new AtomicInteger();
        try (Gateway gateway = Gateway.builder()
                        .config(GatewayConfig.defaults()
                                .with(Map.of("mcp.port", "0", "admin.port", "0", "data-dir", data.toString())))
                        .mcpToken(token, "load", Set.of("*"))
                        .start();
                HttpClient http = HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(5))
                        .build();
                ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"slugify\","
                    + "\"arguments\":{\"text\":\"Audit Me\"},\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":"
                    + "\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}}}}";
            HttpRequest req = HttpRequest.newBuilder(URI.create(gateway.mcpUrl()))
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .header("MCP-Protocol-Version", "2026-07-28")
                    .header("Mcp-Method", "tools/call")
                    .header("Mcp-Name", "slugify")
                    .build();
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < callsEach; i++) {
                        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) { // a result, or a load_shed error: both are audited
                            answered.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        assertTrue(answered.get() > clients * callsEach * 9 / 10, "most calls answered: " + answered.get());
        try (Registry reopened =
                Registry.open(RegistryConfig.builder().dataDir(data).build())) {
            int rows = reopened.audit()
                    .query(new AuditQuery(
                            Optional.of("slugify"),
                            Optional.empty(),
                            Optional.of("tool.call"),
                            Optional.empty(),
                            Optional.empty(),
                            0,
                            10_000))
                    .size();
            assertEquals(answered.get(), rows, "one audit record per answered call, none lost");
            assertTrue(reopened.audit().verify().intact());
        }
    }
}
