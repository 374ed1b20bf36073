package dev.atoll.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.audit.AuditQuery;
import dev.atoll.gateway.registry.RegistryConfig;
import dev.atoll.gateway.registry.testing.TestStore;
import dev.atoll.gateway.testing.StatelessCall;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #25 on PostgreSQL: a real gateway whose registry is a PostgreSQL database (a fresh schema
 * of {@code ATOLL_TEST_PG_URL}, which {@code scripts/test.sh} sets; skipped without it).
 *
 * <ul>
 *   <li>kill -9 of a gateway JVM under load: every answered call has its record, the chain verifies
 *       ({@link AuditKillTest#killUnderLoadAndCount});</li>
 *   <li>the database goes down (its connections break, new ones are refused) or stops answering
 *       (nothing closes, nothing comes back) while the gateway runs: calls fail with "Audit log
 *       unavailable" instead of running unrecorded, {@code /metrics} shows it, and once the
 *       database is back calls work again without a restart, with the records of every call that
 *       ran.</li>
 * </ul>
 */
class AuditPostgresTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "atoll_mcp_audit_postgres_test_token";

    @BeforeEach // per test, so each is reported skipped with the reason
    void requirePostgres() {
        TestStore.assumePostgres();
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // a gateway JVM's start and 1,500 calls on a loaded machine
    void everyAnsweredCallHasItsRecordAfterKillNine() throws Exception {
        Path data = Files.createTempDirectory(scratch, "atoll-audit-kill-pg");
        String url = TestStore.freshPostgresUrl();
        AuditKillTest.killUnderLoadAndCount(
                data,
                List.of("registry.jdbc-url=\"" + url + "\""),
                RegistryConfig.builder().dataDir(data).jdbcUrl(url).build());
    }

    /** How the database goes away in a scenario, and comes back. */
    private enum Outage {
        /** Connections break and new ones are refused (the server stopped). */
        DOWN,
        /** Nothing answers and nothing closes (the server hangs, the network drops packets). */
        SILENT
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // a gateway's start, the outage and the recovery's waits
    void callsFailWhileTheDatabaseIsDownAndWorkAgainWhenItIsBack() throws Exception {
        outageAndRecovery(Outage.DOWN);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void callsFailWhileTheDatabaseDoesNotAnswerAndWorkAgainWhenItDoes() throws Exception {
        outageAndRecovery(Outage.SILENT);
    }

    /**
     * A gateway whose database is reached through a {@link LoopbackProxy}: a call works, the
     * database goes away, calls fail with "Audit log unavailable" (the first may have run; then its
     * record is kept in memory), the gateway reports the failing store and refuses calls before
     * they run, the database comes back, and calls work again without a restart.
     */
    private static void outageAndRecovery(Outage outage) throws Exception {
        URI pg = URI.create(TestStore.postgres().orElseThrow().substring("jdbc:".length()));
        Path data = Files.createTempDirectory(
                scratch, "atoll-audit-pg-" + outage.name().toLowerCase(java.util.Locale.ROOT));
        String query = URI.create(TestStore.freshPostgresUrl().substring("jdbc:".length()))
                .getRawQuery();
        try (LoopbackProxy proxy = LoopbackProxy.start(pg.getHost(), pg.getPort() < 0 ? 5432 : pg.getPort())) {
            String viaProxy = "jdbc:postgresql://127.0.0.1:" + proxy.port() + pg.getRawPath() + "?" + query;
            Gateway g = Gateway.builder()
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
                                    "registry.jdbc-url",
                                    "\"" + viaProxy + "\"",
                                    // Without the spool (DatabaseOutageTest covers it): calls are refused as when it is
                                    // full.
                                    "registry.audit-spool-max-bytes",
                                    "0")))
                    .mcpToken(TOKEN, "acme", Set.of("*"))
                    .start();
            try (g;
                    HttpClient http = HttpClient.newHttpClient()) {
                assertEquals("before", slug(call(http, g, "Before")), "a call before the outage works");
                // A token that lives in the database (as ATOLL_MCP_TOKEN's and every created one), not
                // used yet, so not in the token cache: checking it needs the database.
                String stored = g.registry()
                        .tokens()
                        .create(
                                dev.atoll.gateway.registry.TokenKind.MCP,
                                "acme",
                                Set.of("*"),
                                "outage test",
                                new dev.atoll.gateway.registry.Actor("cli:test"))
                        .plaintext();

                switch (outage) {
                    case DOWN -> proxy.down();
                    case SILENT -> proxy.pause();
                }
                // The first call after the outage either ran and then waited in vain for its commit,
                // or was refused before running: both answer the same error, neither is a success.
                JsonNode during = call(http, g, "During");
                assertTrue(
                        during.path("error").path("message").asText().contains("Audit log unavailable"),
                        during.toString());
                await("the gateway to see the audit store fail")
                        .atMost(Duration.ofSeconds(60))
                        .until(() -> g.registry().audit().storeFailure().isPresent());
                JsonNode refused = call(http, g, "Refused");
                assertTrue(
                        refused.path("error").path("message").asText().contains("Audit log unavailable"),
                        refused.toString());
                // An uncached token cannot be checked: a clear 503, not a bare 500 or a 401.
                HttpResponse<String> unchecked =
                        StatelessCall.post(http, g.mcpUrl(), stored, "slugify", "{\"text\":\"Unchecked\"}");
                assertEquals(503, unchecked.statusCode(), unchecked.body());
                assertTrue(unchecked.body().contains("Token store unavailable"), unchecked.body());
                String m = metrics(http, g);
                assertTrue(m.contains("atoll_audit_store_failing 1.0"), m);
                assertTrue(m.matches("(?s).*atoll_audit_calls_refused_total [1-9].*"), m);

                switch (outage) {
                    case DOWN -> proxy.up();
                    case SILENT -> proxy.resume();
                }
                await("the audit store to take records again, without a restart")
                        .atMost(Duration.ofSeconds(90))
                        .until(() -> g.registry().audit().storeFailure().isEmpty());
                assertEquals("after", slug(call(http, g, "After")), "a call after the outage works");
                assertTrue(metrics(http, g).contains("atoll_audit_store_failing 0.0"));
                HttpResponse<String> checked =
                        StatelessCall.post(http, g.mcpUrl(), stored, "slugify", "{\"text\":\"Checked\"}");
                assertEquals(200, checked.statusCode(), checked.body());
                assertEquals("checked", slug(JSON.readTree(checked.body())), "the stored token works again");

                // Every answered success (before, after, checked) has its record; a call that ran during
                // the outage has one too (kept in memory and written on recovery); a call refused before
                // running has none.
                g.registry().audit().flush();
                long records = g.registry()
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
                assertTrue(records >= 3 && records <= 4, "records of slugify calls: " + records);
                assertTrue(g.registry().audit().verify().intact());
            }
        }
    }

    private static String slug(JsonNode answer) {
        assertFalse(answer.has("error"), answer.toString());
        return answer.path("result").path("structuredContent").path("slug").asText();
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
}
