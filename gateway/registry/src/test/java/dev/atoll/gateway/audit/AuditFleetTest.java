package dev.atoll.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.RegistryConfig;
import dev.atoll.gateway.registry.testing.TestStore;
import dev.atoll.runtime.OutcomeKind;
import dev.atoll.runtime.Receipt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #21: the audit chain of a fleet. Every record names the node and region that wrote it, and
 * both are covered by its hash; several nodes appending to one database at once still make one
 * chain (appends are serialised on the {@code audit_head} row lock), which verifies, and in which a
 * changed, deleted or reordered record is found.
 */
class AuditFleetTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    private static final String DIGEST = "ab".repeat(32);

    @Test
    void recordsNameTheirNodeAndRegionUnderTheHash() throws Exception {
        Path dir = Files.createTempDirectory(scratch, "atoll-audit-node");
        RegistryConfig config = TestStore.fresh(dir).node("eu-1", "eu").build();
        try (Registry r = Registry.open(config)) {
            r.audit().recordCall(call("acme"));
            r.audit().flush();
            AuditRecord last = r.audit().tail(1).getFirst();
            assertEquals("eu-1", last.node());
            assertEquals("eu", last.region());
            assertTrue(
                    last.toJsonLine().contains("\"node\":\"eu-1\"")
                            && last.toJsonLine().contains("\"region\":\"eu\""),
                    last.toJsonLine());
            assertInstanceOf(VerifyResult.Intact.class, r.audit().verify());
            // Claiming another node for a record breaks its hash.
            sql(config, "UPDATE audit_log SET node = 'us-1' WHERE seq = " + last.seq());
            VerifyResult v = r.audit().verify();
            assertEquals(VerifyResult.Problem.HASH_MISMATCH, ((VerifyResult.Broken) v).problem(), v.toString());
        }
    }

    @Test
    void threeNodesAppendingAtOnceMakeOneChainThatVerifiesAndShowsTampering() throws Exception {
        TestStore.assumePostgres();
        String url = TestStore.freshPostgresUrl();
        List<Registry> nodes = new ArrayList<>();
        RegistryConfig first = null;
        int perWriter = 150;
        int writersPerNode = 2;
        try {
            for (int i = 1; i <= 3; i++) {
                RegistryConfig c = RegistryConfig.builder()
                        .dataDir(Files.createTempDirectory(scratch, "atoll-audit-fleet-" + i))
                        .jdbcUrl(url)
                        .node("node-" + i, i == 3 ? "us" : "eu")
                        .build();
                first = first == null ? c : first;
                nodes.add(Registry.open(c));
            }
            ExecutorService pool = Executors.newFixedThreadPool(nodes.size() * writersPerNode);
            List<Future<?>> writers = new ArrayList<>();
            for (Registry node : nodes) {
                for (int w = 0; w < writersPerNode; w++) {
                    int writer = w;
                    writers.add(pool.submit(() -> {
                        for (int k = 0; k < perWriter; k++) {
                            if (writer == 0) { // group-committed call records
                                node.audit().recordCall(call("t" + k % 3));
                            } else { // one transaction each
                                node.audit()
                                        .record(
                                                "system",
                                                AuditAction.CONFIG_CHANGE,
                                                "",
                                                "ok",
                                                JsonNodeFactory.instance
                                                        .objectNode()
                                                        .put("k", k));
                            }
                        }
                        node.audit().flush();
                        return null;
                    }));
                }
            }
            for (Future<?> f : writers) {
                f.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            Registry reader = nodes.getFirst();
            VerifyResult v = reader.audit().verify();
            assertInstanceOf(VerifyResult.Intact.class, v, v.toString());
            // Every append of every node is in the one chain: counted per node.
            Map<String, Integer> perNode = new HashMap<>();
            long after = 0;
            int total = 0;
            for (List<AuditRecord> page;
                    !(page = reader.audit()
                                    .query(new AuditQuery(
                                            Optional.empty(),
                                            Optional.empty(),
                                            Optional.empty(),
                                            Optional.empty(),
                                            Optional.empty(),
                                            after,
                                            1000)))
                            .isEmpty(); ) {
                for (AuditRecord r : page) {
                    perNode.merge(r.node() + "@" + r.region(), 1, Integer::sum);
                    total++;
                }
                after = page.getLast().seq();
            }
            int each = perWriter * writersPerNode;
            assertEquals(Map.of("node-1@eu", each, "node-2@eu", each, "node-3@us", each), perNode);
            assertEquals(total, v.checked());
            assertEquals(total, reader.audit().head().seq());

            // Tampering, each undone before the next: an edit, a reorder (two records swap places),
            // a deletion.
            long mid = total / 2;
            sql(first, "UPDATE audit_log SET outcome = 'forged' WHERE seq = " + mid);
            assertEquals(VerifyResult.Problem.HASH_MISMATCH, problem(reader));
            sql(first, "UPDATE audit_log SET outcome = 'ok' WHERE seq = " + mid);
            assertInstanceOf(VerifyResult.Intact.class, reader.audit().verify());

            sql(first, "UPDATE audit_log SET seq = -1 WHERE seq = " + mid);
            sql(first, "UPDATE audit_log SET seq = " + mid + " WHERE seq = " + (mid + 1));
            sql(first, "UPDATE audit_log SET seq = " + (mid + 1) + " WHERE seq = -1");
            assertEquals(VerifyResult.Problem.LINK_MISMATCH, problem(reader));
            sql(first, "UPDATE audit_log SET seq = -1 WHERE seq = " + mid);
            sql(first, "UPDATE audit_log SET seq = " + mid + " WHERE seq = " + (mid + 1));
            sql(first, "UPDATE audit_log SET seq = " + (mid + 1) + " WHERE seq = -1");
            assertInstanceOf(VerifyResult.Intact.class, reader.audit().verify());

            sql(first, "DELETE FROM audit_log WHERE seq = " + (mid + 1));
            assertEquals(VerifyResult.Problem.MISSING, problem(reader));
        } finally {
            nodes.forEach(Registry::close);
        }
    }

    private static VerifyResult.Problem problem(Registry r) {
        VerifyResult v = r.audit().verify();
        return assertInstanceOf(VerifyResult.Broken.class, v, v.toString()).problem();
    }

    private static CallRecord call(String tenant) {
        return CallRecord.of(
                tenant,
                "tok_" + tenant,
                "word_count",
                1,
                DIGEST,
                OutcomeKind.OK,
                new Receipt(Duration.ofMillis(1), Duration.ofMillis(2), 1024, 0),
                List.of());
    }

    private static void sql(RegistryConfig config, String statement) throws Exception {
        try (Connection c = TestStore.connect(config);
                Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            s.executeUpdate(statement);
        }
    }
}
