package dev.atoll.gateway.audit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.audit.CallRecord;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.RegistryConfig;
import dev.atoll.gateway.registry.testing.TestStore;
import dev.atoll.gateway.store.Database;
import dev.atoll.runtime.OutcomeKind;
import dev.atoll.runtime.Receipt;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit spool across a crash: a node that died after a drain committed part of its spool, but
 * before it removed the file, writes only the rest at its next start (exactly once, in order), and
 * a torn last line (an append cut by the crash, never acknowledged) is ignored.
 */
class SpoolTest {

    @TempDir
    Path dir;

    private static AuditEntry entry(int i) {
        return CallWriter.toEntry(CallRecord.of(
                "acme",
                "tok_1",
                "tool_" + i,
                1,
                "cd".repeat(32),
                OutcomeKind.OK,
                new Receipt(Duration.ofMillis(1), Duration.ofMillis(2), 1000 + i, 0),
                List.of()));
    }

    @Test
    void aDrainCutByACrashIsFinishedAtTheNextStartWithoutDuplicates() throws Exception {
        RegistryConfig config = TestStore.fresh(dir).build();
        Registry.open(config).close(); // the schema

        // What a node left while the database was down: seven spooled, fsync'd records...
        Spool spool = new Spool(dir, RegistryConfig.DEFAULT_AUDIT_SPOOL_MAX_BYTES);
        List<AuditEntry> spooled = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            spooled.add(entry(i));
        }
        assertTrue(spool.append(spooled.subList(0, 4)));
        assertTrue(spool.append(spooled.subList(4, 7)));
        spool.close();
        // ...and a drain that committed the first four before the node was killed.
        List<AuditEntry> firstChunk =
                spool.readAll().subList(0, 4).stream().map(Spool.Spooled::entry).toList();
        try (Database db = Database.open(config)) {
            db.inTransaction("a drain's first chunk", c -> AuditStore.append(c, db, firstChunk));
        }
        // An eighth append was cut by the crash: a torn line, never acknowledged.
        Files.writeString(
                dir.resolve(Spool.FILE_NAME),
                "{\"spool\":\"" + spool.id() + "\",\"n\":8,\"atMs\":17",
                StandardCharsets.US_ASCII,
                StandardOpenOption.APPEND);

        try (Registry registry = Registry.open(config)) {
            registry.audit().flush();
            assertTrue(
                    registry.audit().verify().intact(),
                    registry.audit().verify().toString());
        }
        List<String> tools = new ArrayList<>();
        try (Connection c = TestStore.connect(config);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT tool FROM audit_log WHERE action = 'tool.call' ORDER BY seq")) {
            while (rs.next()) {
                tools.add(rs.getString(1));
            }
        }
        assertEquals(
                List.of("tool_1", "tool_2", "tool_3", "tool_4", "tool_5", "tool_6", "tool_7"),
                tools,
                "every spooled record once, in order");
        assertTrue(Files.notExists(dir.resolve(Spool.FILE_NAME)), "the drained spool is removed");
    }

    /**
     * A batch whose commit was in doubt (sent when the connection broke, no outcome back) is spooled
     * and marked: if the database did store it, the drain does not write it again; if it did not, the
     * drain writes it. Either way each record is in the chain once, in order. On H2, and on
     * PostgreSQL when {@code ATOLL_TEST_PG_URL} is set.
     */
    @Test
    void aBatchWhoseCommitWasInDoubtIsWrittenOnlyIfTheDatabaseDidNotStoreIt() throws Exception {
        List<String> cases = new ArrayList<>(List.of("h2 stored", "h2 lost"));
        if (TestStore.postgres().isPresent()) {
            cases.addAll(List.of("pg stored", "pg lost"));
        }
        for (String name : cases) {
            boolean reachedTheDatabase = name.endsWith("stored");
            Path data = Files.createTempDirectory(dir, name.replace(' ', '-'));
            RegistryConfig config =
                    (name.startsWith("pg") ? TestStore.freshPostgres(data) : TestStore.fresh(data)).build();
            Registry.open(config).close(); // the schema
            List<AuditEntry> batch = List.of(entry(1), entry(2), entry(3));
            if (reachedTheDatabase) { // the commit went through; its acknowledgement did not come back
                try (Database db = Database.open(config)) {
                    db.inTransaction("the in-doubt commit", c -> AuditStore.append(c, db, batch));
                }
            }
            Spool spool = new Spool(data, RegistryConfig.DEFAULT_AUDIT_SPOOL_MAX_BYTES);
            assertTrue(spool.append(batch, true));
            assertTrue(spool.append(List.of(entry(4), entry(5))));
            spool.close();

            try (Registry registry = Registry.open(config)) {
                registry.audit().flush();
                assertTrue(
                        registry.audit().verify().intact(),
                        registry.audit().verify().toString());
            }
            List<String> tools = new ArrayList<>();
            try (Connection c = TestStore.connect(config);
                    Statement s = c.createStatement();
                    ResultSet rs =
                            s.executeQuery("SELECT tool FROM audit_log WHERE action = 'tool.call' ORDER BY seq")) {
                while (rs.next()) {
                    tools.add(rs.getString(1));
                }
            }
            assertEquals(
                    List.of("tool_1", "tool_2", "tool_3", "tool_4", "tool_5"),
                    tools,
                    "every record once, in order (" + name + ")");
            assertTrue(Files.notExists(data.resolve(Spool.FILE_NAME)), "the drained spool is removed");
        }
    }
}
