package dev.atoll.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.audit.internal.AuditJson;
import dev.atoll.gateway.registry.Actor;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.RegistryConfig;
import dev.atoll.gateway.registry.testing.TestStore;
import dev.atoll.runtime.OutcomeKind;
import dev.atoll.runtime.Receipt;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hash chain against direct SQL tampering: editing, deleting, reordering or inserting any row
 * makes {@code verify} fail at that record; undoing the tampering makes it pass again.
 */
class AuditChainTest {

    /** The database under test: embedded H2; {@code AuditChainPostgresTest} runs the same tests on PostgreSQL. */
    RegistryConfig.Builder store(Path dir) {
        return TestStore.fresh(dir);
    }

    private static final Actor ADMIN = new Actor("token:tok_admin");

    @TempDir
    Path dir;

    RegistryConfig config;
    Registry registry;
    AuditLog audit;

    @BeforeEach
    void open() {
        config = store(dir).build();
        registry = Registry.open(config);
        audit = registry.audit();
    }

    @AfterEach
    void close() {
        if (registry != null) { // null when the set-up was skipped (no PostgreSQL for the variant)
            registry.close();
        }
    }

    /** A chain of {@code n} mixed records: registry mutations, calls and a config change. */
    private int chain(int calls) {
        registry.deploy(TestStore.tool("word_count", "Counts words"), ADMIN);
        registry.approve("word_count", 1, ADMIN);
        for (int i = 0; i < calls; i++) {
            audit.recordCall(
                    call("tenant" + (i % 3), "word_count", i % 4 == 0 ? OutcomeKind.TOOL_ERROR : OutcomeKind.OK));
        }
        audit.flush();
        ObjectNode d = JsonNodeFactory.instance
                .objectNode()
                .put("key", "atoll.pool.max-warm-total")
                .put("to", 64);
        audit.record(ADMIN.id(), AuditAction.CONFIG_CHANGE, "", "ok", d);
        return calls + 3;
    }

    private static CallRecord call(String tenant, String tool, OutcomeKind outcome) {
        return CallRecord.of(
                tenant,
                "tok_" + tenant,
                tool,
                1,
                "ab".repeat(32),
                outcome,
                new Receipt(Duration.ofMillis(3), Duration.ofMillis(5), 4096, 0),
                List.of("dlp.email"));
    }

    private VerifyResult.Broken broken() {
        VerifyResult r = audit.verify();
        return assertInstanceOf(VerifyResult.Broken.class, r, "expected a broken chain");
    }

    private void sql(String statement, Object... args) throws Exception {
        try (Connection c = TestStore.connect(config);
                PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    @Test
    void anUntouchedChainVerifiesAndEndsAtTheHead() {
        int n = chain(10);
        VerifyResult r = audit.verify();
        VerifyResult.Intact ok = assertInstanceOf(VerifyResult.Intact.class, r);
        assertEquals(n, ok.checked());
        assertEquals(n, ok.head().seq());
        List<AuditRecord> all = audit.tail(100);
        assertEquals(n, all.size());
        assertEquals(all.getLast().hash(), audit.head().hash());
        assertEquals(AuditJson.GENESIS, all.getFirst().prevHash());
        for (int i = 1; i < all.size(); i++) {
            assertEquals(all.get(i - 1).hash(), all.get(i).prevHash());
            assertEquals(i + 1, all.get(i).seq());
        }
    }

    @Test
    void editingAnyFieldOfAnyRecordBreaksTheChainAtThatRecord() throws Exception {
        int n = chain(6);
        List<AuditRecord> all = audit.tail(100);
        String[] columns = {"actor", "tenant", "action", "tool", "digest", "outcome", "detail"};
        for (AuditRecord r : all) {
            String column = columns[(int) (r.seq() % columns.length)];
            sql("UPDATE audit_log SET " + column + " = ? WHERE seq = ?", "tampered", r.seq());
            VerifyResult.Broken b = broken();
            assertEquals(r.seq(), b.seq(), "edit of " + column + " at " + r.seq());
            assertEquals(VerifyResult.Problem.HASH_MISMATCH, b.problem());
            assertEquals(r.seq() - 1, b.checked());
            String original = switch (column) {
                case "actor" -> r.actor();
                case "tenant" -> r.tenant();
                case "action" -> r.action();
                case "tool" -> r.tool();
                case "digest" -> r.digest();
                case "outcome" -> r.outcome();
                default -> r.detail();
            };
            sql("UPDATE audit_log SET " + column + " = ? WHERE seq = ?", original, r.seq());
            assertTrue(audit.verify().intact(), "restored " + r.seq());
        }
        // Time and version are hashed too.
        sql("UPDATE audit_log SET at_ms = at_ms + 1 WHERE seq = 2");
        assertEquals(2, broken().seq());
        sql("UPDATE audit_log SET at_ms = at_ms - 1 WHERE seq = 2");
        sql("UPDATE audit_log SET version = 7 WHERE seq = 2");
        assertEquals(2, broken().seq());
        sql("UPDATE audit_log SET version = 1 WHERE seq = 2");
        // Rewriting the stored hash alone is caught at that record, the link at the next one.
        sql("UPDATE audit_log SET hash = ? WHERE seq = 3", "f".repeat(64));
        assertEquals(3, broken().seq());
        sql("UPDATE audit_log SET hash = ? WHERE seq = 3", all.get(2).hash());
        assertTrue(audit.verify().intact());
        assertEquals(n, audit.head().seq());
    }

    @Test
    void deletingAnyRecordBreaksTheChainAtThatRecord() throws Exception {
        int n = chain(5);
        List<AuditRecord> all = audit.tail(100);
        for (AuditRecord r : all) {
            sql("DELETE FROM audit_log WHERE seq = ?", r.seq());
            VerifyResult.Broken b = broken();
            assertEquals(r.seq(), b.seq(), "deleted " + r.seq());
            assertEquals(VerifyResult.Problem.MISSING, b.problem());
            reinsert(r);
            assertTrue(audit.verify().intact(), "reinserted " + r.seq());
        }
        assertEquals(n, all.size());
    }

    @Test
    void reorderingAnyTwoAdjacentRecordsBreaksTheChainAtTheFirst() throws Exception {
        chain(5);
        List<AuditRecord> all = audit.tail(100);
        for (int i = 0; i + 1 < all.size(); i++) {
            long a = all.get(i).seq();
            long b = a + 1;
            swap(a, b);
            VerifyResult.Broken broken = broken();
            assertEquals(a, broken.seq(), "swapped " + a + " and " + b);
            assertEquals(VerifyResult.Problem.LINK_MISMATCH, broken.problem());
            swap(a, b);
            assertTrue(audit.verify().intact());
        }
    }

    private void swap(long a, long b) throws Exception {
        sql("UPDATE audit_log SET seq = -1 WHERE seq = ?", a);
        sql("UPDATE audit_log SET seq = ? WHERE seq = ?", a, b);
        sql("UPDATE audit_log SET seq = ? WHERE seq = -1", b);
    }

    @Test
    void insertingARecordIsCaughtWhereverItGoes() throws Exception {
        int n = chain(4);
        List<AuditRecord> all = audit.tail(100);
        AuditRecord last = all.getLast();

        // Appended after the head, even with a correctly computed hash.
        long next = n + 1;
        String forgedHash = AuditJson.hash(
                next,
                last.at().toEpochMilli(),
                "system",
                "",
                "tool.approve",
                "evil",
                Optional.of(1),
                "",
                "ok",
                "{}",
                last.hash());
        insert(next, last.at().toEpochMilli(), "system", "tool.approve", "evil", last.hash(), forgedHash);
        VerifyResult.Broken b = broken();
        assertEquals(next, b.seq());
        assertEquals(VerifyResult.Problem.UNEXPECTED, b.problem());
        sql("DELETE FROM audit_log WHERE seq = ?", next);
        assertTrue(audit.verify().intact());

        // In the middle, shifting the later records up: a garbage hash is caught at the insert, a
        // correctly computed one at the next record, which no longer links to its predecessor.
        for (boolean computed : new boolean[] {false, true}) {
            long at = 3;
            for (long s = n; s >= at; s--) {
                sql("UPDATE audit_log SET seq = ? WHERE seq = ?", s + 1, s);
            }
            String prev = all.get((int) at - 2).hash();
            String hash = computed
                    ? AuditJson.hash(at, 0, "system", "", "tool.approve", "evil", Optional.of(1), "", "ok", "{}", prev)
                    : "0".repeat(63) + "1";
            insert(at, 0, "system", "tool.approve", "evil", prev, hash);
            b = broken();
            assertEquals(computed ? at + 1 : at, b.seq(), "computed=" + computed);
            sql("DELETE FROM audit_log WHERE seq = ?", at);
            for (long s = at + 1; s <= n + 1; s++) {
                sql("UPDATE audit_log SET seq = ? WHERE seq = ?", s - 1, s);
            }
            assertTrue(audit.verify().intact());
        }
    }

    @Test
    void deletingTheTailAndRewindingTheHeadIsCaughtByTheAnchoredHead() throws Exception {
        chain(3);
        ChainHead anchored = audit.head();
        AuditRecord last = audit.tail(1).getFirst();
        sql("DELETE FROM audit_log WHERE seq = ?", last.seq());
        VerifyResult.Broken b = broken();
        assertEquals(last.seq(), b.seq());
        // A forger who also rewinds the head row gets an intact chain, but not the anchored head.
        sql("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", last.seq() - 1, last.prevHash());
        assertTrue(audit.verify().intact());
        assertFalse(audit.head().equals(anchored));
    }

    private void insert(long seq, long at, String actor, String action, String tool, String prev, String hash)
            throws Exception {
        sql(
                "INSERT INTO audit_log (seq, at_ms, actor, tenant, action, tool, version, digest, outcome, detail,"
                        + " prev_hash, hash) VALUES (?, ?, ?, '', ?, ?, 1, '', 'ok', '{}', ?, ?)",
                seq,
                at,
                actor,
                action,
                tool,
                prev,
                hash);
    }

    private void reinsert(AuditRecord r) throws Exception {
        sql(
                "INSERT INTO audit_log (seq, at_ms, actor, tenant, action, tool, version, digest, outcome, detail,"
                        + " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                r.seq(),
                r.at().toEpochMilli(),
                r.actor(),
                r.tenant(),
                r.action(),
                r.tool(),
                r.version().orElse(null),
                r.digest(),
                r.outcome(),
                r.detail(),
                r.prevHash(),
                r.hash());
    }

    @Test
    void theChainContinuesAcrossAReopen() {
        int n = chain(3);
        ChainHead head = audit.head();
        registry.close();
        registry = Registry.open(config);
        audit = registry.audit();
        assertEquals(head, audit.head());
        registry.disable("word_count", ADMIN);
        AuditRecord next = audit.tail(1).getFirst();
        assertEquals(n + 1, next.seq());
        assertEquals(head.hash(), next.prevHash());
        assertTrue(audit.verify().intact());
    }

    @Test
    void controlCharactersInNamesAndDetailsCannotForgeLines() throws Exception {
        String evil = "x\r\n{\"seq\":1,\"action\":\"tool.approve\"}\u001b[2J\u001b]0;pwned\u0007\u009b31m\u202e\u2028";
        ObjectNode d = JsonNodeFactory.instance.objectNode().put("note", evil);
        audit.record("system", AuditAction.CONFIG_CHANGE, "", "ok", d);
        audit.recordCall(new CallRecord(
                Instant.now(), "acme", "tok_x", evil, Optional.empty(), "", "unknown_tool", Receipt.none(), List.of()));
        audit.flush();
        for (AuditRecord r : audit.tail(2)) {
            String line = r.toJsonLine();
            assertTrue(line.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f), line);
            assertTrue(r.detail().chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f), r.detail());
            assertEquals(r.seq(), new ObjectMapper().readTree(line).get("seq").asLong());
        }
        assertEquals(evil, audit.tail(1).getFirst().tool(), "the stored value is exact; only printing escapes");
        assertEquals(evil, audit.tail(2).getFirst().detailJson().get("note").asText());
        StringWriter out = new StringWriter();
        long written = audit.exportJsonl(out, 0);
        assertEquals(2, written);
        assertEquals(2, out.toString().split("\n", -1).length - 1, "one line per record");
        assertTrue(audit.verify().intact());
    }

    @Test
    void queriesFilterByToolTenantActionAndTime() {
        chain(9);
        Instant before = Instant.now().minusSeconds(60);
        assertEquals(
                3, audit.query(AuditQuery.builder().tenant("tenant1").build()).size());
        assertEquals(
                9,
                audit.query(AuditQuery.builder().action(AuditAction.CALL).build())
                        .size());
        assertEquals(
                11, audit.query(AuditQuery.builder().tool("word_count").build()).size());
        assertEquals(0, audit.query(AuditQuery.builder().to(before).build()).size());
        assertEquals(12, audit.query(AuditQuery.builder().from(before).build()).size());
        List<AuditRecord> page =
                audit.query(AuditQuery.builder().afterSeq(4).limit(3).build());
        assertEquals(List.of(5L, 6L, 7L), page.stream().map(AuditRecord::seq).toList());
        AuditRecord call = audit.query(
                        AuditQuery.builder().action(AuditAction.CALL).limit(1).build())
                .getFirst();
        assertEquals("tool_error", call.outcome());
        assertEquals("token:tok_tenant0", call.actor());
        assertEquals(4096, call.detailJson().get("allocatedBytes").asLong());
        assertEquals("dlp.email", call.detailJson().get("dlp").get(0).asText());
        assertEquals(3.0, call.detailJson().get("cpuMs").asDouble());
        assertEquals(
                List.of(10L, 11L, 12L),
                audit.tail(3).stream().map(AuditRecord::seq).toList());
    }

    @Test
    void jsonlExportHasEveryRecordInOrder() throws Exception {
        int n = chain(4);
        StringWriter out = new StringWriter();
        assertEquals(n, audit.exportJsonl(out, 0));
        String[] lines = out.toString().split("\n");
        assertEquals(n, lines.length);
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < n; i++) {
            assertEquals(i + 1, json.readTree(lines[i]).get("seq").asLong());
        }
        assertEquals(
                audit.head().hash(), json.readTree(lines[n - 1]).get("hash").asText());
        StringWriter tail = new StringWriter();
        assertEquals(2, audit.exportJsonl(tail, n - 2));
    }

    @Test
    void anEditOfTheFirstRecordIsCaughtBeforeAnyIsChecked() throws Exception {
        chain(2);
        try (Connection c = TestStore.connect(config);
                Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE audit_log SET tenant = 'someone-else' WHERE seq = 1");
        }
        VerifyResult.Broken b = broken();
        assertEquals(1, b.seq());
        assertEquals(0, b.checked());
        assertTrue(b.message().contains("record 1"), b.message());
    }
}
