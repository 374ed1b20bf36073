package dev.atoll.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.audit.AuditQuery;
import dev.atoll.gateway.audit.AuditRecord;
import dev.atoll.gateway.audit.VerifyResult;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.RegistryConfig;
import dev.atoll.gateway.registry.testing.TestStore;
import dev.atoll.gateway.testing.ChildJvm;
import dev.atoll.gateway.testing.StatelessCall;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #21, "Database outage" and "Crashes": {@code kill -9} of a gateway node whose audit spool is
 * not empty loses nothing. A gateway JVM on PostgreSQL (a fresh schema of {@code ATOLL_TEST_PG_URL};
 * skipped without it) reaches the database through a {@link LoopbackProxy}; under a load of real MCP
 * calls the proxy goes down, the node spools its call records, and it is killed with SIGKILL while
 * the database is still down. It is started again on the same data directory (it waits for the
 * database), the proxy comes back, and the node writes the spool: every call answered before the kill
 * has its record exactly once (the calls in flight at the kill may have one: they were never
 * answered), the spooled records are in the chain once each and in spool order, and the chain verifies.
 */
class SpoolKillTest {

    /** Data dirs of this class's gateways, deleted after it. */
    @org.junit.jupiter.api.io.TempDir
    static Path scratch;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "atoll_mcp_spool_kill_test_token_00";
    private static final int CLIENTS = 2;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // two JVM starts (1-2 min each on a loaded 2-core machine)
    void killNineWithANonEmptySpoolLosesNoAnsweredCall() throws Exception {
        TestStore.assumePostgres();
        String direct = TestStore.freshPostgresUrl();
        URI pg = URI.create(direct.substring("jdbc:".length()));
        Path data = Files.createTempDirectory(scratch, "atoll-spool-kill");
        Path spool = data.resolve("audit-spool.jsonl");
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger answeredDuringOutage = new AtomicInteger();
        AtomicBoolean outage = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        Process gw = null;
        try (LoopbackProxy proxy = LoopbackProxy.start(pg.getHost(), pg.getPort() < 0 ? 5432 : pg.getPort());
                HttpClient http = HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(5))
                        .build()) {
            String viaProxy = "jdbc:postgresql://127.0.0.1:" + proxy.port() + pg.getRawPath() + "?" + pg.getRawQuery();
            List<String> output = new CopyOnWriteArrayList<>();
            gw = start(data, viaProxy, true, output);
            String url = awaitReady(gw, output);

            long end = System.nanoTime() + Duration.ofMinutes(4).toNanos(); // bound the load in time
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.add(Thread.ofPlatform()
                        .daemon()
                        .name("spool-kill-client-" + c)
                        .start(() -> {
                            for (int i = 0; i < 100_000 && System.nanoTime() < end; i++) { // and in count
                                try {
                                    HttpResponse<String> r = StatelessCall.post(
                                            http,
                                            url,
                                            TOKEN,
                                            "slugify",
                                            "{\"text\":\"Spool " + client + " " + i + "\"}");
                                    JsonNode body = JSON.readTree(r.body());
                                    // A tool result (even isError on a loaded machine) is an answered call with a
                                    // record.
                                    if (r.statusCode() == 200 && body.has("result")) {
                                        answered.incrementAndGet();
                                        if (outage.get()) {
                                            answeredDuringOutage.incrementAndGet();
                                        }
                                    }
                                } catch (IOException e) {
                                    return; // the gateway is gone
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        }));
            }
            await("calls before the outage").atMost(Duration.ofSeconds(120)).until(() -> answered.get() >= 50);
            proxy.down();
            outage.set(true);
            // Kill while calls are answered from the spool, once it holds a good number of them.
            await("calls answered (spooled) during the outage")
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> answeredDuringOutage.get() >= 100);
            gw.destroyForcibly(); // SIGKILL: no shutdown hook, no drain, no close()
            assertTrue(gw.waitFor(60, TimeUnit.SECONDS), "the killed gateway did not exit");
            for (Thread t : clients) {
                t.join(Duration.ofSeconds(60));
                assertFalse(t.isAlive(), "a client thread did not finish");
            }
            int answeredCalls = answered.get();
            long spooled = Files.readAllLines(spool, StandardCharsets.US_ASCII).stream()
                    .filter(l -> l.endsWith("}"))
                    .count(); // a torn last line was never acknowledged
            System.out.printf(
                    "SpoolKillTest: %d calls answered, %d during the outage; %d records in the spool at"
                            + " the kill%n",
                    answeredCalls, answeredDuringOutage.get(), spooled);
            // Calls answered during the outage are in the spool, except those (one per client at most)
            // whose records were committed just before the proxy went down and answered just after.
            assertTrue(
                    spooled >= answeredDuringOutage.get() - CLIENTS,
                    "calls answered during the outage are in" + " the spool: " + spooled + " < "
                            + answeredDuringOutage.get());

            // Started again on the same data directory while the database is still down: it waits.
            output.clear();
            gw = start(data, viaProxy, false, output);
            Process restarted = gw;
            await("the restarted node to say the database is unreachable")
                    .atMost(Duration.ofSeconds(180))
                    .failFast("the restarted node exited: " + output, () -> !restarted.isAlive())
                    .until(() -> output.stream().anyMatch(l -> l.contains("unreachable")));
            assertFalse(
                    output.stream().anyMatch(l -> l.startsWith("READY ")), "it does not serve without its database");
            assertTrue(Files.exists(spool), "the spool waits on disk");
            proxy.up();
            awaitReady(gw, output);
            await("the spool to be written to the database")
                    .atMost(Duration.ofSeconds(120))
                    .failFast("the restarted node exited: " + output, () -> !restarted.isAlive())
                    .until(() -> Files.notExists(spool));
            gw.destroyForcibly(); // what it wrote is committed: the spool is removed only after that
            gw.waitFor(60, TimeUnit.SECONDS);

            try (Registry reopened = Registry.open(RegistryConfig.builder()
                    .dataDir(Files.createTempDirectory(scratch, "atoll-spool-kill-check"))
                    .jdbcUrl(direct)
                    .build())) {
                VerifyResult v = reopened.audit().verify();
                assertTrue(v.intact(), v.toString());
                List<AuditRecord> calls = callRecords(reopened);
                List<Long> spoolSeqs = new ArrayList<>();
                List<String> spoolIds = new ArrayList<>();
                long firstSpooledAt = -1;
                long lastUnspooledAt = -1;
                for (AuditRecord r : calls) {
                    JsonNode d = JSON.readTree(r.detail());
                    if (d.has("spoolSeq")) {
                        spoolSeqs.add(d.path("spoolSeq").asLong());
                        if (!spoolIds.contains(d.path("spool").asText())) {
                            spoolIds.add(d.path("spool").asText());
                        }
                        firstSpooledAt = firstSpooledAt < 0 ? r.seq() : firstSpooledAt;
                    } else {
                        lastUnspooledAt = r.seq();
                    }
                }
                long records = calls.size();
                System.out.printf(
                        "SpoolKillTest: %d call records in the chain, %d from the spool%n", records, spoolSeqs.size());
                // A batch whose commit reached the database as the proxy went down, but whose
                // acknowledgement did not, is not written again from the spool.
                assertEquals(
                        List.of(),
                        DatabaseOutageTest.inDoubtDuplicates(calls),
                        "records written directly and again from the spool");
                // Every answered call has its record; at most the calls in flight at the kill (one per
                // client, never answered) have one without an answer.
                assertTrue(
                        records >= answeredCalls,
                        "answered " + answeredCalls + " calls but the chain has " + records
                                + " records: acknowledged calls were lost");
                assertTrue(
                        records <= answeredCalls + CLIENTS,
                        "records " + records + " > answered " + answeredCalls + " + in flight " + CLIENTS);
                // The spool was written exactly once and in its order: numbers first..n, each once,
                // ascending; first is 1 unless the spool's first batch was one whose commit was in
                // doubt and had reached the database (then its records are there, written directly).
                assertEquals(1, spoolIds.size(), "one spool: " + spoolIds);
                assertTrue(!spoolSeqs.isEmpty() && spoolSeqs.getFirst() <= 1 + CLIENTS, "spooled: " + spoolSeqs);
                List<Long> expected = new ArrayList<>();
                for (long n = spoolSeqs.getFirst(); n <= spooled; n++) {
                    expected.add(n);
                }
                assertEquals(expected, spoolSeqs, "the spooled records, in chain order");
                assertTrue(
                        lastUnspooledAt < firstSpooledAt,
                        "the spooled records follow the ones written before" + " the outage");
            }
        } finally {
            if (gw != null) {
                gw.destroyForcibly();
                gw.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static List<AuditRecord> callRecords(Registry registry) {
        List<AuditRecord> out = new ArrayList<>();
        long after = 0;
        while (true) {
            var page = registry.audit()
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

    private static Process start(Path data, String jdbc, boolean examples, List<String> output) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(
                java,
                "--sun-misc-unsafe-memory-access=allow",
                ChildJvm.NO_WARM_UP,
                "-Xmx512m",
                "-cp",
                ChildJvm.classPath(),
                AuditKillGatewayMain.class.getName(),
                data.toString(),
                TOKEN,
                "registry.jdbc-url=\"" + jdbc + "\"",
                "node.id=spool-kill",
                "examples.deploy=" + examples,
                // the token checked before the outage stays cached through it
                "fleet.token-cache-ttl-ms=600000",
                "metrics.jvm=false");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        return p;
    }

    private static String awaitReady(Process p, List<String> output) {
        await("the gateway to print READY")
                .atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(50))
                .failFast("the gateway exited: " + output, () -> !p.isAlive())
                .until(() -> output.stream().anyMatch(l -> l.startsWith("READY ")));
        return output.stream()
                .filter(l -> l.startsWith("READY "))
                .findFirst()
                .orElseThrow()
                .substring("READY ".length())
                .trim();
    }
}
