package dev.atoll.gateway.audit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.audit.AuditQuery;
import dev.atoll.gateway.audit.AuditRecord;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit journal of the embedded H2 registry (issue #25): call records are committed in memory
 * and journaled before their calls are answered, so a crash image of the data directory (the H2
 * file as it was on disk, plus the journal) holds every answered record once the next start has
 * replayed the journal, exactly once and in chain order. A torn last line is ignored; a journal
 * that does not continue the chain is kept aside, not written.
 */
class JournalTest {

    @TempDir
    Path dir;

    private static CallRecord call(int i) {
        return CallRecord.of(
                "acme",
                "tok_1",
                "tool_" + i,
                1,
                "cd".repeat(32),
                OutcomeKind.OK,
                new Receipt(Duration.ofMillis(1), Duration.ofMillis(2), 1000 + i, 0),
                List.of());
    }

    private static AuditEntry entry(int i) {
        return CallWriter.toEntry(call(i));
    }

    private static List<AuditEntry> entries(int from, int to) {
        List<AuditEntry> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(entry(i));
        }
        return out;
    }

    /** Copies the data directory as a crash would leave it: the files as they are now. */
    private static void crashImage(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f) && !f.getFileName().toString().endsWith(".lock.db")) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
    }

    private static List<AuditRecord> calls(Registry registry) {
        return registry.audit()
                .query(AuditQuery.builder()
                        .action(dev.atoll.gateway.audit.AuditAction.CALL)
                        .limit(1000)
                        .build());
    }

    @Test
    void theDefaultRegistryJournalsCallRecordsAndACrashImageHasThemAllAfterReplay() throws Exception {
        Path live = dir.resolve("live");
        RegistryConfig config = TestStore.fresh(live).build();
        try (Registry registry = Registry.open(config)) {
            // Answered calls: submitAndWait returns only once each record is journaled.
            for (int i = 1; i <= 40; i++) {
                try (var running = registry.audit().callStarted()) {
                    running.record(call(i));
                }
            }
            Path journal = live.resolve(Journal.FILE_NAME);
            // Journaled, unless a checkpoint (at most a second apart) has emptied it since: then the
            // database file holds the records. Either is a safe state for a crash image.
            List<AuditRecord> inJournal = new Journal(live).read();
            assertTrue(inJournal.size() <= 40, "the journal holds only records not yet checkpointed");
            crashImage(live, dir.resolve("image"));
            assertTrue(Files.exists(journal) || inJournal.isEmpty());
        }

        RegistryConfig image = TestStore.fresh(dir.resolve("image")).build();
        try (Registry registry = Registry.open(image)) {
            List<AuditRecord> calls = calls(registry);
            assertEquals(40, calls.size(), "every answered call has its record after the crash");
            assertEquals(40, calls.stream().map(AuditRecord::tool).distinct().count(), "each exactly once");
            assertTrue(
                    registry.audit().verify().intact(),
                    registry.audit().verify().toString());
        }
        assertFalse(Files.exists(dir.resolve("image").resolve(Journal.FILE_NAME)), "replayed, then removed");
    }

    @Test
    void recordsOnlyInTheJournalAreWrittenOnceWithTheirHashesAndATornLineIsIgnored() throws Exception {
        RegistryConfig config = TestStore.fresh(dir).build();
        Registry.open(config).close(); // the schema
        List<AuditRecord> committed;
        try (Database db = Database.open(config)) {
            assertTrue(db.journaled(), "the default embedded database is journaled");
            // Two batches committed; the first reached the file (a checkpoint), the second only
            // the journal: the journal holds both (the checkpoint after the first had not come).
            List<AuditRecord> first = db.inTransaction("first batch", c -> AuditStore.append(c, db, entries(1, 3)));
            List<AuditRecord> second = db.inTransaction("second batch", c -> AuditStore.append(c, db, entries(4, 7)));
            committed = new ArrayList<>(first);
            committed.addAll(second);
            // Roll the database file back to the first batch: drop the second (as a crash before
            // its checkpoint would), keeping its journal lines.
            db.update("forget the second batch", c -> {
                try (var st = c.createStatement()) {
                    st.execute("DELETE FROM audit_log WHERE seq > "
                            + first.getLast().seq());
                    st.execute("UPDATE audit_head SET seq = " + first.getLast().seq() + ", hash = '"
                            + first.getLast().hash() + "' WHERE id = 1");
                }
            });
            Journal journal = new Journal(dir);
            journal.append(first);
            journal.append(second);
            journal.close();
        }
        // An eighth append was cut by the crash inside a character: a torn line, never acknowledged.
        byte[] head = ("{\"seq\":" + (committed.getLast().seq() + 1) + ",\"atMs\":17,\"tool\":\"caf")
                .getBytes(StandardCharsets.UTF_8);
        byte[] torn = java.util.Arrays.copyOf(head, head.length + 1);
        torn[head.length] = (byte) 0xC3; // the first byte of "é"
        Files.write(dir.resolve(Journal.FILE_NAME), torn, StandardOpenOption.APPEND);

        try (Registry registry = Registry.open(config)) {
            List<AuditRecord> calls = calls(registry);
            assertEquals(7, calls.size(), "the three stored and the four journaled, once each");
            List<String> hashes = calls.stream()
                    .sorted(java.util.Comparator.comparingLong(AuditRecord::seq))
                    .map(AuditRecord::hash)
                    .toList();
            assertEquals(committed.stream().map(AuditRecord::hash).toList(), hashes, "verbatim, in order");
            assertTrue(
                    registry.audit().verify().intact(),
                    registry.audit().verify().toString());
        }
        assertFalse(Files.exists(dir.resolve(Journal.FILE_NAME)));
    }

    @Test
    void aJournalThatDoesNotContinueTheChainIsKeptAsideAndNotWritten() throws Exception {
        RegistryConfig config = TestStore.fresh(dir).build();
        Registry.open(config).close();
        List<AuditRecord> foreign;
        // Records of another chain (another data directory), as if a journal were copied in.
        Path other = dir.resolve("other");
        RegistryConfig otherConfig = TestStore.fresh(other).build();
        Registry.open(otherConfig).close();
        try (Database db = Database.open(otherConfig)) {
            db.inTransaction("padding", c -> AuditStore.append(c, db, entries(1, 5)));
            foreign = db.inTransaction("foreign", c -> AuditStore.append(c, db, entries(6, 8)));
        }
        Journal journal = new Journal(dir);
        journal.append(foreign);
        journal.close();

        try (Registry registry = Registry.open(config)) {
            assertEquals(0, calls(registry).size(), "nothing from a journal that does not continue the chain");
            assertTrue(registry.audit().verify().intact());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(
                    1,
                    files.filter(f -> f.getFileName().toString().endsWith(".unreplayed.jsonl"))
                            .count(),
                    "the journal is kept aside");
        }
    }

    @Test
    void whenTheJournalCannotBeWrittenEachBatchIsCheckpointedInsteadAndNothingIsLost() throws Exception {
        Path live = dir.resolve("live");
        RegistryConfig config = TestStore.fresh(live).build();
        Registry.open(config).close(); // the schema
        try (Registry registry = Registry.open(config)) {
            // A directory where the journal file would be: every append fails (at start, an
            // unreadable journal stops the registry from opening instead: it may hold records).
            Files.createDirectories(live.resolve(Journal.FILE_NAME));
            for (int i = 1; i <= 5; i++) {
                try (var running = registry.audit().callStarted()) {
                    running.record(call(i)); // answered: checkpointed instead of journaled
                }
            }
            assertEquals(java.util.Optional.empty(), registry.audit().storeFailure());
            crashImage(live, dir.resolve("image"));
        }
        try (Registry registry =
                Registry.open(TestStore.fresh(dir.resolve("image")).build())) {
            assertEquals(5, calls(registry).size(), "in the database file without a journal");
            assertTrue(registry.audit().verify().intact());
        }
    }

    @Test
    void aLineWhoseHashIsNotItsFieldsIsNotARecord() throws Exception {
        RegistryConfig config = TestStore.fresh(dir).build();
        Registry.open(config).close();
        try (Database db = Database.open(config)) {
            AuditRecord r = db.inTransaction("one", c -> AuditStore.append(c, db, entries(1, 1)))
                    .getFirst();
            String line = Journal.line(r);
            assertTrue(Journal.parse(line).isPresent());
            assertFalse(Journal.parse(line.replace("tool_1", "tool_9")).isPresent(), "a changed field");
            assertFalse(Journal.parse(line.substring(0, line.length() / 2)).isPresent(), "a torn line");
        }
    }
}
