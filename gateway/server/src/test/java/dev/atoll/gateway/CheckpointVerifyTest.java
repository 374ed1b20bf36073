package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.audit.AuditQuery;
import dev.atoll.gateway.audit.AuditRecord;
import dev.atoll.gateway.audit.Checkpoint;
import dev.atoll.gateway.audit.internal.AuditJson;
import dev.atoll.gateway.registry.RegistryConfig;
import dev.atoll.gateway.testing.StatelessCall;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #18 W10: signed checkpoints written outside the database catch what the chain alone cannot
 * (a truncated chain with a rewound head; an edited and re-hashed chain). Attacks the real H2
 * database of a running gateway by SQL and asks {@code POST /v1/audit/verify} with the checkpoint file.
 */
class CheckpointVerifyTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "atoll_mcp_checkpoint_test_token0";
    private Path data;
    private Gateway gateway;
    private String admin;
    private HttpClient http;

    @BeforeEach
    void start() throws Exception {
        data = Files.createTempDirectory(scratch, "atoll-checkpoint");
        // Checkpoints by hand (interval 0), so the test decides where they fall.
        gateway = Gateway.builder()
                .config(GatewayConfig.defaults()
                        .with(Map.of(
                                "mcp.port",
                                "0",
                                "admin.port",
                                "0",
                                "data-dir",
                                data.toString(),
                                "audit.checkpoint-interval-ms",
                                "0")))
                .mcpToken(TOKEN, "acme", Set.of("*"))
                .start();
        admin = gateway.startupTokens().get("ADMIN");
        http = HttpClient.newHttpClient();
    }

    @AfterEach
    void stop() {
        http.close();
        gateway.close();
    }

    private void calls(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            StatelessCall.result(http, gateway.mcpUrl(), TOKEN, "slugify", "{\"text\":\"Call " + i + "\"}");
        }
    }

    /** Two checkpoints with calls before, between and after them; returns the file's bytes. */
    private byte[] checkpointedChain() throws Exception {
        calls(3);
        Checkpoint first = gateway.registry().audit().checkpoint().orElseThrow();
        assertTrue(gateway.registry().audit().checkpoint().isEmpty(), "no new checkpoint while the head stays");
        calls(3);
        Checkpoint second = gateway.registry().audit().checkpoint().orElseThrow();
        assertTrue(second.seq() > first.seq());
        calls(2);
        return Files.readAllBytes(data.resolve("audit-checkpoints.jsonl"));
    }

    private JsonNode verify(byte[] body, String type) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(gateway.adminUrl() + "/v1/audit/verify"))
                        .header("Authorization", "Bearer " + admin)
                        .header("Content-Type", type)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return ((com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(r.body())).put("status", r.statusCode());
    }

    private JsonNode verifyGet() throws Exception {
        return JSON.readTree(http.send(
                        HttpRequest.newBuilder(URI.create(gateway.adminUrl() + "/v1/audit/verify"))
                                .header("Authorization", "Bearer " + admin)
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
    }

    private void sql(String statement, Object... args) throws Exception {
        try (Connection c = DriverManager.getConnection(RegistryConfig.defaultJdbcUrl(data), "", "");
                PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    private static long seqOfLine(byte[] file, int line) throws Exception {
        return JSON.readTree(new String(file, java.nio.charset.StandardCharsets.US_ASCII).split("\n")[line])
                .get("seq")
                .asLong();
    }

    @Test
    void anUntouchedChainMatchesItsCheckpoints() throws Exception {
        byte[] file = checkpointedChain();
        JsonNode r = verify(file, "application/x-ndjson");
        assertEquals(200, r.path("status").asInt(), r.toString());
        assertTrue(r.path("intact").asBoolean(), r.toString());
        assertEquals(2, r.path("checkpointsChecked").asInt(), r.toString());
        assertEquals(gateway.registry().audit().head().seq(), r.path("headSeq").asLong());
        assertEquals(r.path("headSeq").asLong(), r.path("checked").asLong());
    }

    @Test
    void deletedTailWithARewoundHeadIsCaught() throws Exception {
        byte[] file = checkpointedChain();
        long second = seqOfLine(file, 1);
        long keep = second - 2;
        AuditRecord kept = gateway.registry()
                .audit()
                .query(AuditQuery.builder().afterSeq(keep - 1).limit(1).build())
                .getFirst();
        sql("DELETE FROM audit_log WHERE seq > ?", keep);
        sql("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", keep, kept.hash());
        assertTrue(verifyGet().path("intact").asBoolean(), "the chain alone looks intact");
        JsonNode r = verify(file, "application/x-ndjson");
        assertEquals(false, r.path("intact").asBoolean(), r.toString());
        assertEquals("ROLLED_BACK", r.path("problem").asText(), r.toString());
        assertEquals(second, r.path("brokenAt").asLong(), r.toString());
        assertEquals(1, r.path("checkpointsChecked").asInt(), "the first checkpoint still matches: " + r);
        assertTrue(r.path("message").asText().contains("head rewound"), r.toString());
    }

    @Test
    void editedAndReHashedChainIsCaught() throws Exception {
        byte[] file = checkpointedChain();
        long first = seqOfLine(file, 0);
        // Edit an early call record's outcome and re-hash everything after it, head row included.
        List<AuditRecord> all = gateway.registry()
                .audit()
                .query(AuditQuery.builder().limit(10_000).build());
        AuditRecord target = all.stream()
                .filter(x -> x.action().equals("tool.call"))
                .findFirst()
                .orElseThrow();
        String prev = target.prevHash();
        for (AuditRecord x : all) {
            if (x.seq() < target.seq()) {
                continue;
            }
            String outcome = x.seq() == target.seq() ? "tool_error" : x.outcome();
            // (A gateway's records carry its node and region, under the hash.)
            String hash = AuditJson.hash(
                    x.seq(),
                    x.at().toEpochMilli(),
                    x.actor(),
                    x.tenant(),
                    x.action(),
                    x.tool(),
                    x.version(),
                    x.digest(),
                    outcome,
                    x.detail(),
                    x.node(),
                    x.region(),
                    prev);
            sql(
                    "UPDATE audit_log SET outcome = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                    outcome,
                    prev,
                    hash,
                    x.seq());
            prev = hash;
        }
        sql("UPDATE audit_head SET hash = ? WHERE id = 1", prev);
        assertTrue(verifyGet().path("intact").asBoolean(), "the re-hashed chain alone looks intact");
        JsonNode r = verify(file, "application/x-ndjson");
        assertEquals(false, r.path("intact").asBoolean(), r.toString());
        assertEquals("REWRITTEN", r.path("problem").asText(), r.toString());
        assertEquals(first, r.path("brokenAt").asLong(), r.toString());
        assertEquals(0, r.path("checkpointsChecked").asInt(), r.toString());
    }

    @Test
    void forgedOrMalformedCheckpointsAreRefused() throws Exception {
        byte[] file = checkpointedChain();
        String text = new String(file, java.nio.charset.StandardCharsets.US_ASCII);
        // A checkpoint moved to an earlier record keeps its old signature: not signed.
        String[] lines = text.split("\n");
        JsonNode line = JSON.readTree(lines[1]);
        String forged = lines[0] + "\n"
                + ((com.fasterxml.jackson.databind.node.ObjectNode) line)
                        .put("seq", line.get("seq").asLong() - 1)
                        .toString()
                + "\n";
        JsonNode r = verify(forged.getBytes(java.nio.charset.StandardCharsets.US_ASCII), "application/x-ndjson");
        assertEquals("BAD_CHECKPOINT", r.path("problem").asText(), r.toString());
        assertEquals(1, r.path("checkpointsChecked").asInt(), r.toString());

        JsonNode bad =
                verify("{\"format\":\"atoll-audit-checkpoint-v1\",\"seq\":1}\n".getBytes(), "application/x-ndjson");
        assertEquals(400, bad.path("status").asInt(), bad.toString());
        assertTrue(bad.path("error").path("message").asText().contains("line 1"), bad.toString());
        assertEquals(400, verify(file, "application/json").path("status").asInt(), "needs application/x-ndjson");
    }
}
