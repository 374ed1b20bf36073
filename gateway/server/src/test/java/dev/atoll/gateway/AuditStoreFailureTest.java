package dev.atoll.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.audit.AuditQuery;
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
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #25: when the audit store does not take records, calls fail with a clear error (or, with
 * {@code audit.fail-open}, are answered and counted), {@code /metrics} shows it, and the records
 * held in memory are written once the store takes records again. The store really refuses: a
 * constraint added to {@code audit_log} makes every insert fail, as a full disk would.
 */
class AuditStoreFailureTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "atoll_mcp_audit_failure_test_token";

    private static Gateway start(Path data, boolean failOpen) {
        return Gateway.builder()
                .config(GatewayConfig.defaults()
                        .with(Map.of(
                                "mcp.port",
                                "0",
                                "admin.port",
                                "0",
                                "data-dir",
                                data.toString(),
                                "metrics.require-auth",
                                "false",
                                "metrics.jvm",
                                "false",
                                "audit.fail-open",
                                Boolean.toString(failOpen),
                                // Without the spool (tested in DatabaseOutageTest): what happens when it is off or
                                // full.
                                "registry.audit-spool-max-bytes",
                                "0")))
                .mcpToken(TOKEN, "acme", Set.of("*"))
                .start();
    }

    private static void refuseAuditWrites(Path data, boolean refuse) throws Exception {
        try (Connection c = DriverManager.getConnection(RegistryConfig.defaultJdbcUrl(data), "", "");
                Statement s = c.createStatement()) {
            s.execute(
                    refuse
                            ? "ALTER TABLE audit_log ADD CONSTRAINT test_store_refuses CHECK (seq < 0) NOCHECK"
                            : "ALTER TABLE audit_log DROP CONSTRAINT test_store_refuses");
        }
    }

    private static JsonNode call(HttpClient http, Gateway g, String text) throws Exception {
        HttpResponse<String> r = StatelessCall.post(http, g.mcpUrl(), TOKEN, "slugify", "{\"text\":\"" + text + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static String metrics(HttpClient http, Gateway g) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(g.adminUrl() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static long records(Gateway g) {
        g.registry().audit().flush();
        return g.registry()
                .audit()
                .query(new AuditQuery(
                        Optional.of("slugify"),
                        Optional.empty(),
                        Optional.of("tool.call"),
                        Optional.empty(),
                        Optional.empty(),
                        0,
                        10_000))
                .size();
    }

    @Test
    void callsFailWithAClearErrorWhileTheStoreRefusesRecords() throws Exception {
        Path data = Files.createTempDirectory(scratch, "atoll-audit-refuse");
        try (Gateway g = start(data, false);
                HttpClient http = HttpClient.newHttpClient()) {
            assertEquals(
                    "hello-world",
                    call(http, g, "Hello World")
                            .path("result")
                            .path("structuredContent")
                            .path("slug")
                            .asText(),
                    "a call before the failure works");
            refuseAuditWrites(data, true);
            // The tool ran, but its record was not stored within the timeout: not answered as a success.
            JsonNode failed = call(http, g, "While Refused");
            assertTrue(failed.has("error"), failed.toString());
            assertTrue(
                    failed.path("error").path("message").asText().contains("Audit log unavailable"), failed.toString());
            // Now the gateway knows the store fails: the next call is refused before the tool runs.
            JsonNode refused = call(http, g, "Refused Early");
            assertTrue(
                    refused.path("error").path("message").asText().contains("Audit log unavailable"),
                    refused.toString());
            String m = metrics(http, g);
            assertTrue(m.contains("atoll_audit_store_failing 1.0"), m);
            assertTrue(m.matches("(?s).*atoll_audit_calls_refused_total [1-9].*"), m);

            refuseAuditWrites(data, false);
            await("the store to take records again")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> g.registry().audit().storeFailure().isEmpty());
            assertFalse(call(http, g, "After Recovery").has("error"));
            // The record of the call that ran during the failure was kept in memory and written:
            // before, while refused (it ran), after. The early-refused call never ran.
            assertEquals(3, records(g));
            assertTrue(metrics(http, g).contains("atoll_audit_store_failing 0.0"));
            assertTrue(g.registry().audit().verify().intact());
        }
    }

    @Test
    void callsAreRefusedWhileAnAuditWriteDoesNotReturn() throws Exception {
        // A store that hangs instead of failing: another session holds the chain head's row lock,
        // so the writer's append waits (H2's lock timeout is 10 s, and a lock timeout is retried).
        Path data = Files.createTempDirectory(scratch, "atoll-audit-hang");
        try (Gateway g = start(data, false);
                HttpClient http = HttpClient.newHttpClient()) {
            call(http, g, "Before");
            try (Connection lock = DriverManager.getConnection(RegistryConfig.defaultJdbcUrl(data), "", "")) {
                lock.setAutoCommit(false);
                try (Statement s = lock.createStatement()) {
                    s.executeQuery("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE")
                            .close();
                }
                JsonNode hung = call(http, g, "While Hung"); // ran; its record waits behind the lock
                assertTrue(
                        hung.path("error").path("message").asText().contains("Audit log unavailable"), hung.toString());
                // Well before the lock timeout and its retries (4 x 10 s) give up, the stalled write
                // counts as a failing store and calls are refused before they run.
                await("a stalled write to count as a failing store")
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> g.registry().audit().storeFailure().isPresent());
                assertTrue(
                        g.registry().audit().storeFailure().orElseThrow().contains("has not answered"),
                        g.registry().audit().storeFailure().toString());
                assertTrue(metrics(http, g).contains("atoll_audit_store_failing 1.0"));
                JsonNode refused = call(http, g, "Refused");
                assertTrue(
                        refused.path("error").path("message").asText().contains("Audit log unavailable"),
                        refused.toString());
                lock.rollback();
            }
            await("the store to take records again")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> g.registry().audit().storeFailure().isEmpty());
            assertFalse(call(http, g, "After").has("error"));
            assertEquals(3, records(g), "before, the call that ran while the write hung, after");
        }
    }

    @Test
    void failOpenAnswersCallsAndCountsThemWhileTheStoreRefusesRecords() throws Exception {
        Path data = Files.createTempDirectory(scratch, "atoll-audit-fail-open");
        try (Gateway g = start(data, true);
                HttpClient http = HttpClient.newHttpClient()) {
            call(http, g, "Before");
            refuseAuditWrites(data, true);
            JsonNode answered = call(http, g, "Fail Open");
            assertEquals(
                    "fail-open",
                    answered.path("result")
                            .path("structuredContent")
                            .path("slug")
                            .asText(),
                    answered.toString());
            String m = metrics(http, g);
            assertTrue(m.contains("atoll_audit_store_failing 1.0"), m);
            assertTrue(m.matches("(?s).*atoll_audit_calls_unrecorded_total [1-9].*"), m);
            refuseAuditWrites(data, false);
            await("the store to take records again")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> g.registry().audit().storeFailure().isEmpty());
            assertEquals(2, records(g), "the record kept in memory is written after recovery");
        }
    }
}
