package dev.atoll.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.audit.AuditQuery;
import dev.atoll.gateway.audit.internal.AuditLogImpl;
import dev.atoll.gateway.registry.testing.TestStore;
import dev.atoll.gateway.testing.StatelessCall;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #21, "Database outage", on PostgreSQL (a fresh schema of {@code ATOLL_TEST_PG_URL}; skipped
 * without it): a real gateway whose database is reached through a {@link LoopbackProxy}, under a
 * bounded load of real MCP calls; the proxy goes down for 30 s (connections break, new ones are
 * refused). Every call keeps succeeding, its record is spooled under the data directory, and once
 * the database is back the spool is written to the chain: exactly one record per answered call,
 * and the chain verifies.
 */
class DatabaseOutageTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "atoll_mcp_database_outage_test_token";
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @BeforeEach
    void requirePostgres() {
        TestStore.assumePostgres();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // a gateway's start, 30 s of outage, the drain
    void callsSucceedDuringAnOutageAndEveryRecordReachesTheChainAfterIt() throws Exception {
        URI pg = URI.create(TestStore.postgres().orElseThrow().substring("jdbc:".length()));
        Path data = Files.createTempDirectory(scratch, "atoll-db-outage");
        String query = URI.create(TestStore.freshPostgresUrl().substring("jdbc:".length())).getRawQuery();
        try (LoopbackProxy proxy = LoopbackProxy.start(pg.getHost(), pg.getPort() < 0 ? 5432 : pg.getPort())) {
            String viaProxy = "jdbc:postgresql://127.0.0.1:" + proxy.port() + pg.getRawPath() + "?" + query;
            Gateway g = Gateway.builder().config(GatewayConfig.defaults().with(Map.of("mcp.port", "0",
                    "admin.port", "0", "data-dir", data.toString(), "metrics.require-auth", "false",
                    "metrics.jvm", "false", "registry.jdbc-url", "\"" + viaProxy + "\"",
                    // the admin token, checked once before the outage, stays cached: the mutation itself meets it
                    "fleet.token-cache-ttl-ms", "600000"))) // connection timeout 10 s
                    .mcpToken(TOKEN, "acme", Set.of("*")).start();
            AuditLogImpl audit = (AuditLogImpl) g.registry().audit();
            Load load = new Load(g);
            try (g) {
                String admin = g.startupTokens().get("ADMIN");
                try (HttpClient http = HttpClient.newHttpClient()) {
                    assertEquals(200, http.send(java.net.http.HttpRequest.newBuilder(URI.create(g.adminUrl() + "/v1/tools"))
                            .header("Authorization", "Bearer " + admin).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode());
                }
                load.start(2);
                await("calls before the outage").atMost(Duration.ofSeconds(60)).until(() -> load.ok.get() >= 20);

                proxy.down();
                await("call records to be spooled").atMost(Duration.ofSeconds(60)).until(() -> audit.callsSpooled() > 0);
                long okAtOutage = load.ok.get();
                // For the whole outage, calls keep succeeding and the store is not reported failing.
                await("calls to keep succeeding while the database is down").during(OUTAGE)
                        .atMost(OUTAGE.plusSeconds(30))
                        .untilAsserted(() -> {
                            assertEquals(List.of(), List.copyOf(load.failures).subList(0, Math.min(3, load.failures.size())),
                                    load.failures.size() + " calls failed");
                            assertEquals(Optional.empty(), audit.storeFailure());
                        });
                assertTrue(load.ok.get() > okAtOutage + 10, "calls answered during the outage: "
                        + (load.ok.get() - okAtOutage));
                assertTrue(Files.exists(data.resolve("audit-spool.jsonl")), "the spool is under the data directory");
                // Admin mutations fail fast with a clear 503 (not after the 10 s connection timeout).
                for (String path : List.of("/v1/tools/slugify/disable", "/v1/tokens")) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = adminPost(g, admin, path,
                            path.endsWith("tokens") ? "{\"kind\":\"MCP\",\"tenant\":\"acme\",\"scopes\":[\"*\"]}" : "{}");
                    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    assertEquals(503, r.statusCode(), path + ": " + r.body());
                    assertTrue(r.body().contains("\"storage\"") && r.body().contains("unreachable"), r.body());
                    assertTrue(ms < 5_000, path + " answered 503 after " + ms + " ms");
                }

                proxy.up();
                await("the spool to be written to the database").atMost(Duration.ofSeconds(90))
                        .until(() -> audit.callsSpooled() == 0);
                load.stop();
                assertEquals(List.of(), List.copyOf(load.failures), "every call succeeded");

                g.registry().audit().flush();
                long records = countCallRecords(g);
                assertEquals(load.ok.get(), records, "exactly one record per answered call");
                assertTrue(g.registry().audit().verify().intact(), g.registry().audit().verify().toString());
                assertTrue(Files.notExists(data.resolve("audit-spool.jsonl")), "the drained spool is removed");
            } finally {
                load.stop();
            }
        }
    }

    private static HttpResponse<String> adminPost(Gateway g, String token, String path, String body) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(java.net.http.HttpRequest.newBuilder(URI.create(g.adminUrl() + path))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    static long countCallRecords(Gateway g) {
        long n = 0;
        long after = 0;
        while (true) {
            var page = g.registry().audit().query(new AuditQuery(Optional.of("slugify"), Optional.empty(),
                    Optional.of("tool.call"), Optional.empty(), Optional.empty(), after, AuditQuery.MAX_LIMIT));
            if (page.isEmpty()) {
                return n;
            }
            n += page.size();
            after = page.getLast().seq();
        }
    }

    /** Closed-loop callers, bounded in time (the test's timeout) and in count. */
    static final class Load {
        private static final long MAX_CALLS = 200_000;
        final AtomicLong ok = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();
        private final Gateway g;

        Load(Gateway g) {
            this.g = g;
        }

        void start(int callers) {
            for (int i = 0; i < callers; i++) {
                int caller = i;
                threads.add(Thread.ofPlatform().name("outage-load-" + i).start(() -> {
                    try (HttpClient http = HttpClient.newHttpClient()) {
                        for (long k = 0; !stop.get() && ok.get() + failures.size() < MAX_CALLS; k++) {
                            try {
                                HttpResponse<String> r = StatelessCall.post(http, g.mcpUrl(), TOKEN, "slugify",
                                        "{\"text\":\"Call " + caller + " " + k + "\"}");
                                JsonNode body = JSON.readTree(r.body());
                                // A tool result (even isError, e.g. a CPU limit hit on a loaded machine)
                                // is an answered call with its record; a JSON-RPC error or another status
                                // is a failure of the gateway.
                                if (r.statusCode() == 200 && !body.has("error") && body.has("result")) {
                                    ok.incrementAndGet();
                                } else {
                                    failures.add(r.statusCode() + " " + r.body());
                                }
                            } catch (Exception e) {
                                failures.add(e.toString());
                            }
                        }
                    }
                }));
            }
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(60));
            }
        }
    }
}
