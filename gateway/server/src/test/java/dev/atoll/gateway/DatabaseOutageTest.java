package dev.atoll.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.audit.AuditQuery;
import dev.atoll.gateway.audit.AuditRecord;
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
 * without it): three real gateway nodes share the schema, each reaching the database through one
 * {@link LoopbackProxy} that the test takes down (connections reset, new ones refused) and brings back.
 *
 * <ol>
 *   <li>No load: the first admin mutation on a node after the database went away answers 503 within
 *       seconds ({@code registry.admin-timeout-ms}, 2 s), not after the connection timeout (set to
 *       30 s here), and changes nothing.</li>
 *   <li>Under a bounded load of real MCP calls on all three nodes the proxy goes down for 30 s: every
 *       call keeps succeeding, its record is spooled under its node's data directory, admin mutations
 *       answer 503 at once; once the database is back every spool is written to the chain: exactly one
 *       record per answered call (counted per node), and the chain verifies.</li>
 * </ol>
 */
class DatabaseOutageTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "atoll_mcp_database_outage_test_token";
    private static final Duration OUTAGE = Duration.ofSeconds(30);
    private static final int NODES = 3;
    /** The pool's connection timeout in this test: what the first admin mutation must not wait for. */
    private static final long CONNECTION_TIMEOUT_MS = 30_000;
    /** registry.admin-timeout-ms (the default): how long an admin mutation waits for a connection. */
    private static final long ADMIN_TIMEOUT_MS = 2_000;

    @BeforeEach
    void requirePostgres() {
        TestStore.assumePostgres();
    }

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES) // three gateway starts, two outages (30 s for the second), the drains
    void threeNodesFailAdminFastAndKeepServingThroughAnOutageAndEveryRecordReachesTheChainAfterIt() throws Exception {
        URI pg = URI.create(TestStore.postgres().orElseThrow().substring("jdbc:".length()));
        String query = URI.create(TestStore.freshPostgresUrl().substring("jdbc:".length()))
                .getRawQuery();
        String prefix = "outage" + Long.toHexString(System.nanoTime() & 0xffffff);
        List<Gateway> nodes = new ArrayList<>();
        List<Path> dataDirs = new ArrayList<>();
        List<Load> loads = new ArrayList<>();
        try (LoopbackProxy proxy = LoopbackProxy.start(pg.getHost(), pg.getPort() < 0 ? 5432 : pg.getPort())) {
            String viaProxy = "jdbc:postgresql://127.0.0.1:" + proxy.port() + pg.getRawPath() + "?" + query;
            for (int i = 1; i <= NODES; i++) {
                Path data = Files.createTempDirectory(scratch, "atoll-db-outage-" + i);
                dataDirs.add(data);
                nodes.add(Gateway.builder()
                        .config(GatewayConfig.defaults()
                                .with(Map.ofEntries(
                                        Map.entry("mcp.port", "0"),
                                        Map.entry("admin.port", "0"),
                                        Map.entry("data-dir", data.toString()),
                                        Map.entry("metrics.require-auth", "false"),
                                        Map.entry("metrics.jvm", "false"),
                                        Map.entry("registry.jdbc-url", "\"" + viaProxy + "\""),
                                        Map.entry("node.id", prefix + "-" + i),
                                        // node 1 deploys the examples (slugify); the others find them in the database
                                        Map.entry("examples.deploy", Boolean.toString(i == 1)),
                                        Map.entry(
                                                "registry.connection-timeout-ms", Long.toString(CONNECTION_TIMEOUT_MS)),
                                        // no heartbeat meets the first outage before the admin mutation does
                                        Map.entry("fleet.heartbeat-ms", "60000"),
                                        Map.entry("fleet.stale-after-ms", "120000"),
                                        // tokens checked once before the outage stay cached: the mutation itself meets
                                        // it
                                        Map.entry("fleet.token-cache-ttl-ms", "600000"))))
                        .mcpToken(TOKEN, "acme", Set.of("*"))
                        .start());
            }
            String admin = nodes.getFirst().startupTokens().get("ADMIN");
            for (Gateway g : nodes) {
                assertEquals(
                        200, adminGet(g, admin, "/v1/tools").statusCode(), "the admin token works on " + g.nodeId());
                await("slugify on " + g.nodeId())
                        .atMost(Duration.ofSeconds(60))
                        .until(() -> g.toolNames().contains("slugify"));
            }

            // 1. No load: the first admin mutation that meets the outage fails fast, on each node.
            proxy.down();
            for (int i = 0; i < 2; i++) {
                Gateway g = nodes.get(i);
                String path = i == 0 ? "/v1/tools/slugify/disable" : "/v1/tokens";
                long t0 = System.nanoTime();
                HttpResponse<String> r = adminPost(
                        g, admin, path, i == 0 ? "{}" : "{\"kind\":\"MCP\",\"tenant\":\"acme\",\"scopes\":[\"*\"]}");
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                System.out.printf(
                        "DatabaseOutageTest: first admin mutation on %s during the outage: %d in %d ms%n",
                        g.nodeId(), r.statusCode(), ms);
                assertEquals(503, r.statusCode(), path + ": " + r.body());
                assertTrue(r.body().contains("\"storage\"") && r.body().contains("database"), r.body());
                // Generous for a loaded machine; without the admin timeout it waits the 30 s connection timeout.
                assertTrue(
                        ms < 10_000,
                        path + " on " + g.nodeId() + " answered 503 after " + ms + " ms (admin timeout "
                                + ADMIN_TIMEOUT_MS + " ms, connection timeout " + CONNECTION_TIMEOUT_MS + " ms)");
            }
            proxy.up();
            for (Gateway g : nodes) {
                await("the registry of " + g.nodeId() + " reachable again")
                        .atMost(Duration.ofSeconds(60))
                        .until(() -> adminGet(g, admin, "/v1/tools").statusCode() == 200);
            }
            assertTrue(
                    nodes.getFirst().registry().tool("slugify").orElseThrow().enabled(),
                    "the refused disable changed nothing");

            // 2. Under load on all three nodes, the database goes away for 30 s.
            for (Gateway g : nodes) {
                Load load = new Load(g);
                loads.add(load);
                load.start(1);
            }
            for (Load load : loads) {
                await("calls before the outage").atMost(Duration.ofSeconds(60)).until(() -> load.ok.get() >= 20);
            }
            proxy.down();
            for (Gateway g : nodes) {
                await("call records of " + g.nodeId() + " to be spooled")
                        .atMost(Duration.ofSeconds(60))
                        .until(() -> audit(g).callsSpooled() > 0);
            }
            long[] okAtOutage = loads.stream().mapToLong(l -> l.ok.get()).toArray();
            // For the whole outage, calls keep succeeding on every node and no store is reported failing.
            await("calls to keep succeeding while the database is down")
                    .during(OUTAGE)
                    .atMost(OUTAGE.plusSeconds(30))
                    .untilAsserted(() -> {
                        for (int i = 0; i < NODES; i++) {
                            Load l = loads.get(i);
                            assertEquals(
                                    List.of(),
                                    List.copyOf(l.failures).subList(0, Math.min(3, l.failures.size())),
                                    l.failures.size() + " calls failed on node " + (i + 1));
                            assertEquals(Optional.empty(), audit(nodes.get(i)).storeFailure());
                        }
                    });
            for (int i = 0; i < NODES; i++) {
                assertTrue(
                        loads.get(i).ok.get() > okAtOutage[i] + 10,
                        "calls answered by node " + (i + 1) + " during the outage: "
                                + (loads.get(i).ok.get() - okAtOutage[i]));
                assertTrue(
                        Files.exists(dataDirs.get(i).resolve("audit-spool.jsonl")),
                        "the spool is under the data directory of node " + (i + 1));
            }
            // Admin mutations fail fast with a clear 503 (the circuit is open on every node by now).
            for (String path : List.of("/v1/tools/slugify/disable", "/v1/tokens")) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = adminPost(
                        nodes.get(2),
                        admin,
                        path,
                        path.endsWith("tokens") ? "{\"kind\":\"MCP\",\"tenant\":\"acme\",\"scopes\":[\"*\"]}" : "{}");
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertEquals(503, r.statusCode(), path + ": " + r.body());
                assertTrue(r.body().contains("\"storage\"") && r.body().contains("unreachable"), r.body());
                assertTrue(ms < 5_000, path + " answered 503 after " + ms + " ms");
            }

            proxy.up();
            for (Gateway g : nodes) {
                await("the spool of " + g.nodeId() + " to be written to the database")
                        .atMost(Duration.ofSeconds(90))
                        .until(() -> audit(g).callsSpooled() == 0);
            }
            for (Load load : loads) {
                load.stop();
            }
            long answered = 0;
            for (int i = 0; i < NODES; i++) {
                assertEquals(
                        List.of(), List.copyOf(loads.get(i).failures), "every call on node " + (i + 1) + " succeeded");
                answered += loads.get(i).ok.get();
                nodes.get(i).registry().audit().flush();
            }
            List<AuditRecord> calls = callRecords(nodes.getFirst());
            List<AuditRecord> duplicates = inDoubtDuplicates(calls);
            Map<String, Long> perNode = new java.util.TreeMap<>();
            calls.forEach(r -> perNode.merge(r.node(), 1L, Long::sum));
            System.out.printf(
                    "DatabaseOutageTest: %d calls answered, %d records, by node %s%n", answered, calls.size(), perNode);
            // A batch whose commit was in doubt when the connection broke is not written twice.
            assertEquals(List.of(), duplicates, "records written directly and again from the spool");
            for (int i = 0; i < NODES; i++) {
                assertEquals(
                        loads.get(i).ok.get(),
                        perNode.getOrDefault(nodes.get(i).nodeId(), 0L),
                        "exactly one record per call answered by node " + (i + 1) + ": " + perNode);
            }
            assertEquals(answered, calls.size(), perNode.toString());
            var verify = nodes.get(1).registry().audit().verify();
            assertTrue(verify.intact(), verify.toString());
            for (int i = 0; i < NODES; i++) {
                assertTrue(
                        Files.notExists(dataDirs.get(i).resolve("audit-spool.jsonl")),
                        "the drained spool of node " + (i + 1) + " is removed");
            }
        } finally {
            for (Load load : loads) {
                load.stop();
            }
            nodes.forEach(Gateway::close);
        }
    }

    private static AuditLogImpl audit(Gateway g) {
        return (AuditLogImpl) g.registry().audit();
    }

    private static HttpResponse<String> adminGet(Gateway g, String token, String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(
                    java.net.http.HttpRequest.newBuilder(URI.create(g.adminUrl() + path))
                            .header("Authorization", "Bearer " + token)
                            .timeout(Duration.ofSeconds(60))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    private static HttpResponse<String> adminPost(Gateway g, String token, String path, String body) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(
                    java.net.http.HttpRequest.newBuilder(URI.create(g.adminUrl() + path))
                            .header("Authorization", "Bearer " + token)
                            .header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(60))
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    /** The {@code tool.call} records of slugify in the chain, in chain order. */
    static List<AuditRecord> callRecords(Gateway g) {
        List<AuditRecord> out = new ArrayList<>();
        long after = 0;
        while (true) {
            var page = g.registry()
                    .audit()
                    .query(new AuditQuery(
                            Optional.of("slugify"),
                            Optional.empty(),
                            Optional.of("tool.call"),
                            Optional.empty(),
                            Optional.empty(),
                            after,
                            AuditQuery.MAX_LIMIT));
            if (page.isEmpty()) {
                return out;
            }
            out.addAll(page);
            after = page.getLast().seq();
        }
    }

    /**
     * The spooled records that repeat a record written directly by the same node (same time, actor,
     * tool, outcome and receipt): what a batch whose commit reached the database as the connection
     * broke, before its acknowledgement came back, would leave if the drain wrote it again
     * (docs/fleet.md, "Database outage": a batch in doubt is looked up first).
     */
    static List<AuditRecord> inDoubtDuplicates(List<AuditRecord> calls) {
        java.util.Set<String> direct = new java.util.HashSet<>();
        for (AuditRecord r : calls) {
            if (!r.detail().contains("\"spoolSeq\"")) {
                direct.add(key(r, r.detail()));
            }
        }
        List<AuditRecord> out = new ArrayList<>();
        for (AuditRecord r : calls) {
            if (r.detail().contains("\"spoolSeq\"")) {
                try {
                    com.fasterxml.jackson.databind.node.ObjectNode d =
                            (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(r.detail());
                    d.remove("spool");
                    d.remove("spoolSeq");
                    if (direct.contains(key(r, d.toString()))) {
                        out.add(r);
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    private static String key(AuditRecord r, String detail) {
        String canonical;
        try {
            canonical = JSON.readTree(detail).toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return String.join(
                "|", r.node(), r.at().toString(), r.actor(), r.tenant(), r.tool(), r.outcome(), r.digest(), canonical);
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
                                HttpResponse<String> r = StatelessCall.post(
                                        http,
                                        g.mcpUrl(),
                                        TOKEN,
                                        "slugify",
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
