package dev.atoll.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.RegistryConfig;
import dev.atoll.gateway.registry.RegistryException;
import dev.atoll.gateway.registry.testing.TestStore;
import dev.atoll.runtime.OutcomeKind;
import dev.atoll.runtime.Receipt;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Group-committed call records: none lost under concurrency, back-pressure, close and reopen. */
class CallRecordingTest {

    /** The database under test: embedded H2; {@code CallRecordingPostgresTest} runs the same tests on PostgreSQL. */
    RegistryConfig.Builder store(Path dir) {
        return TestStore.fresh(dir);
    }

    @TempDir
    Path dir;

    private static CallRecord call(int thread, int i) {
        return CallRecord.of(
                "tenant" + thread,
                "tok_" + thread,
                "tool_" + (i % 5),
                1,
                "cd".repeat(32),
                OutcomeKind.OK,
                new Receipt(Duration.ofNanos(1234567), Duration.ofMillis(2), 1000 + i, 0),
                List.of());
    }

    private static long count(RegistryConfig config, String where) throws Exception {
        try (Connection c = TestStore.connect(config);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM audit_log WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void callsFromManyThreadsAreAllPersistedByClose() throws Exception {
        // A small queue so callers really wait for the writer (back-pressure, not drops).
        RegistryConfig config = store(dir)
                .auditQueueCapacity(64)
                .auditBatchSize(50)
                .auditEnqueueTimeout(Duration.ofSeconds(60))
                .build();
        int threads = 16;
        int perThread = 1500;
        Registry registry = Registry.open(config);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    registry.audit().recordCall(call(thread, i));
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        registry.close();
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                "recorded %d calls from %d threads in %.2f s (%.0f/s)%n",
                threads * perThread, threads, seconds, threads * perThread / seconds);

        assertEquals((long) threads * perThread, count(config, "action = 'tool.call'"));
        for (int t = 0; t < threads; t++) {
            assertEquals(perThread, count(config, "tenant = 'tenant" + t + "'"), "tenant" + t);
        }
        try (Registry reopened = Registry.open(config)) {
            VerifyResult r = reopened.audit().verify();
            assertTrue(r.intact(), r.toString());
            assertEquals((long) threads * perThread, r.checked());
        }
    }

    @Test
    void flushMakesQueuedCallsVisible() {
        try (Registry registry = Registry.open(store(dir).build())) {
            for (int i = 0; i < 250; i++) {
                registry.audit().recordCall(call(0, i));
            }
            registry.audit().flush();
            assertEquals(250, registry.audit().head().seq());
            assertEquals(
                    250,
                    registry.audit()
                            .query(AuditQuery.builder()
                                    .tenant("tenant0")
                                    .limit(1000)
                                    .build())
                            .size());
        }
    }

    @Test
    void aClosedLogRefusesRecordsLoudly() {
        Registry registry = Registry.open(store(dir).build());
        AuditLog audit = registry.audit();
        registry.close();
        RegistryException e = assertThrows(RegistryException.class, () -> audit.recordCall(call(0, 0)));
        assertEquals(RegistryException.Reason.UNAVAILABLE, e.reason());
    }

    @Test
    void twoRegistriesOnOneDatabaseKeepOneChain() throws Exception {
        RegistryConfig config = store(dir).auditBatchSize(20).build();
        try (Registry a = Registry.open(config);
                Registry b = Registry.open(config)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> futures = new ArrayList<>();
            for (Registry r : List.of(a, b)) {
                for (int t = 0; t < 2; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < 500; i++) {
                            r.audit().recordCall(call(thread, i));
                        }
                        return null;
                    }));
                }
            }
            for (Future<?> f : futures) {
                f.get();
            }
            pool.shutdown();
            a.audit().flush();
            b.audit().flush();
            VerifyResult v = a.audit().verify();
            assertTrue(v.intact(), v.toString());
            assertEquals(2000, v.checked());
        }
    }

    /**
     * Announced calls ({@code callStarted}) are recorded like any other, share commits under
     * concurrency, and the writer's wait for announced calls is bounded: a call that stays announced
     * and never records (a hung tool) does not hold back anyone else's commit, and announcements
     * closed without a record do not make the writer wait for ever either.
     */
    @Test
    void announcedCallsShareCommitsAndNoneHoldsBackTheOthers() throws Exception {
        RegistryConfig config =
                store(dir).auditEnqueueTimeout(Duration.ofSeconds(60)).build();
        try (Registry registry = Registry.open(config)) {
            AuditLog audit = registry.audit();
            AuditLog.RunningCall hung = audit.callStarted(); // never recorded while the others run
            for (int i = 0; i < 20; i++) {
                audit.callStarted().record(call(0, i)); // each returns: the linger for `hung` is bounded
            }
            int threads = 16;
            int perThread = 300;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 1; t <= threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    int recorded = 0;
                    for (int i = 0; i < perThread; i++) {
                        try (AuditLog.RunningCall running = audit.callStarted()) {
                            if (i % 10 != 0) { // every tenth call ends without a record (refused, say)
                                running.record(call(thread, i));
                                recorded++;
                            }
                        }
                    }
                    return recorded;
                }));
            }
            int recorded = 20;
            for (Future<Integer> f : done) {
                recorded += f.get();
            }
            pool.shutdown();
            hung.close();
            hung.close(); // twice: no effect
            dev.atoll.gateway.audit.internal.AuditLogImpl impl = (dev.atoll.gateway.audit.internal.AuditLogImpl) audit;
            assertEquals(recorded, impl.callsWritten());
            assertEquals(recorded, count(config, "action = 'tool.call'"));
            assertTrue(
                    impl.callCommits() < recorded,
                    impl.callCommits() + " commits for " + recorded
                            + " records from 16 threads: concurrent calls share commits");
            assertTrue(audit.verify().intact());
        }
    }
}
