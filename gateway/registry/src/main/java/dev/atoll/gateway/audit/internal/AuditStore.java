package dev.atoll.gateway.audit.internal;

import dev.atoll.gateway.audit.AuditQuery;
import dev.atoll.gateway.audit.AuditRecord;
import dev.atoll.gateway.audit.ChainHead;
import dev.atoll.gateway.audit.VerifyResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of the audit chain. Every append locks the single {@code audit_head} row with
 * {@code SELECT ... FOR UPDATE} (H2 and PostgreSQL alike), so appends from any thread or node are
 * serialised into one chain; the head row is updated in the same transaction as the inserts.
 */
public final class AuditStore {

    private static final String COLUMNS =
            "seq, at_ms, actor, tenant, action, tool, version, digest, outcome, detail, prev_hash, hash, node, region";
    private static final String INSERT =
            "INSERT INTO audit_log (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private AuditStore() {}

    /**
     * Appends records in the caller's transaction.
     *
     * @param c the connection (auto-commit off); the caller commits
     * @param db the database handle: its node and region are stamped on every record
     * @param entries the records, in order
     * @return the stored records
     * @throws SQLException on failure (the caller rolls back: neither change nor record remains)
     */
    public static List<AuditRecord> append(Connection c, dev.atoll.gateway.store.Database db, List<AuditEntry> entries)
            throws SQLException {
        if (entries.isEmpty()) {
            return List.of();
        }
        ChainHead head = lockHead(c);
        long seq = head.seq();
        String prev = head.hash();
        String node = db.node();
        String region = db.region();
        List<AuditRecord> out = new ArrayList<>(entries.size());
        try (PreparedStatement ins = c.prepareStatement(INSERT)) {
            for (AuditEntry e : entries) {
                seq++;
                String hash = AuditJson.hash(
                        seq,
                        e.atMs(),
                        e.actor(),
                        e.tenant(),
                        e.action(),
                        e.tool(),
                        e.version(),
                        e.digest(),
                        e.outcome(),
                        e.detail(),
                        node,
                        region,
                        prev);
                AuditRecord r = new AuditRecord(
                        seq,
                        AuditJson.instant(e.atMs()),
                        e.actor(),
                        e.tenant(),
                        e.action(),
                        e.tool(),
                        e.version(),
                        e.digest(),
                        e.outcome(),
                        e.detail(),
                        prev,
                        hash,
                        node,
                        region);
                bind(ins, r);
                out.add(r);
                prev = hash;
            }
            ins.executeBatch();
        }
        try (PreparedStatement up = c.prepareStatement("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1")) {
            up.setLong(1, seq);
            up.setString(2, prev);
            up.executeUpdate();
        }
        return out;
    }

    /**
     * Writes records that were appended before, verbatim (their sequence numbers and hashes), and
     * moves the head to the last: for the audit journal's replay, which has checked that they
     * continue the chain from the head.
     *
     * @param c the connection (auto-commit off); the caller commits
     * @param records the records, continuing the chain from the head, in order
     * @throws SQLException on failure
     */
    static void restore(Connection c, List<AuditRecord> records) throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        lockHead(c);
        try (PreparedStatement ins = c.prepareStatement(INSERT)) {
            for (AuditRecord r : records) {
                bind(ins, r);
            }
            ins.executeBatch();
        }
        AuditRecord last = records.getLast();
        try (PreparedStatement up = c.prepareStatement("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1")) {
            up.setLong(1, last.seq());
            up.setString(2, last.hash());
            up.executeUpdate();
        }
    }

    /** Adds one record, as it is, to a batch of the {@code INSERT} over {@link #COLUMNS}. */
    private static void bind(PreparedStatement ins, AuditRecord r) throws SQLException {
        ins.setLong(1, r.seq());
        ins.setLong(2, r.at().toEpochMilli());
        ins.setString(3, r.actor());
        ins.setString(4, r.tenant());
        ins.setString(5, r.action());
        ins.setString(6, r.tool());
        if (r.version().isPresent()) {
            ins.setInt(7, r.version().get());
        } else {
            ins.setNull(7, Types.INTEGER);
        }
        ins.setString(8, r.digest());
        ins.setString(9, r.outcome());
        ins.setString(10, r.detail());
        ins.setString(11, r.prevHash());
        ins.setString(12, r.hash());
        ins.setString(13, r.node());
        ins.setString(14, r.region());
        ins.addBatch();
    }

    private static ChainHead lockHead(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE");
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("audit_head row is missing", "55000");
            }
            return new ChainHead(rs.getLong(1), rs.getString(2).trim());
        }
    }

    /**
     * The chain head.
     *
     * @param c a connection
     * @return the head row
     * @throws SQLException on failure
     */
    public static ChainHead head(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("audit_head row is missing", "55000");
            }
            return new ChainHead(rs.getLong(1), rs.getString(2).trim());
        }
    }

    /**
     * Walks the chain up to the head and names the first broken record.
     *
     * @param c a connection
     * @return the result
     * @throws SQLException on failure
     */
    public static VerifyResult verify(Connection c) throws SQLException {
        ChainHead head = head(c);
        long expected = 1;
        long checked = 0;
        String prev = AuditJson.GENESIS;
        try (PreparedStatement ps =
                c.prepareStatement("SELECT " + COLUMNS + " FROM audit_log WHERE seq <= ? ORDER BY seq")) {
            ps.setFetchSize(1000);
            ps.setLong(1, head.seq());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    AuditRecord r = read(rs);
                    if (r.seq() != expected) {
                        return new VerifyResult.Broken(
                                checked,
                                expected,
                                VerifyResult.Problem.MISSING,
                                "record " + expected + " is missing (the next stored record is " + r.seq()
                                        + "): records were deleted");
                    }
                    if (!r.prevHash().equals(prev)) {
                        return new VerifyResult.Broken(
                                checked,
                                r.seq(),
                                VerifyResult.Problem.LINK_MISMATCH,
                                "record " + r.seq() + " does not link to record " + (r.seq() - 1)
                                        + ": records were reordered, replaced or inserted");
                    }
                    String actual = AuditJson.hashOf(r);
                    if (!actual.equals(r.hash())) {
                        return new VerifyResult.Broken(
                                checked,
                                r.seq(),
                                VerifyResult.Problem.HASH_MISMATCH,
                                "record " + r.seq() + " does not match its hash: it was edited");
                    }
                    prev = r.hash();
                    expected++;
                    checked++;
                }
            }
        }
        if (expected - 1 < head.seq()) {
            return new VerifyResult.Broken(
                    checked,
                    expected,
                    VerifyResult.Problem.MISSING,
                    "records " + expected + ".." + head.seq() + " are missing: the tail was deleted");
        }
        if (!prev.equals(head.hash())) {
            return new VerifyResult.Broken(
                    checked,
                    head.seq(),
                    VerifyResult.Problem.HEAD_MISMATCH,
                    "record " + head.seq() + " is not the chain head recorded in audit_head");
        }
        try (PreparedStatement ps = c.prepareStatement(
                        "SELECT MIN(l.seq) FROM audit_log l, audit_head h WHERE h.id = 1 AND l.seq > h.seq");
                ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                long extra = rs.getLong(1);
                if (!rs.wasNull()) {
                    return new VerifyResult.Broken(
                            checked,
                            extra,
                            VerifyResult.Problem.UNEXPECTED,
                            "record " + extra + " lies beyond the chain head: it was appended outside Atoll");
                }
            }
        }
        return new VerifyResult.Intact(checked, head);
    }

    /**
     * The stored hash of one record.
     *
     * @param c a connection
     * @param seq the record
     * @return its hash, empty if there is no such record
     * @throws SQLException on failure
     */
    public static Optional<String> hashAt(Connection c, long seq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT hash FROM audit_log WHERE seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1).trim()) : Optional.empty();
            }
        }
    }

    /**
     * The last records.
     *
     * @param c a connection
     * @param n how many
     * @return oldest first
     * @throws SQLException on failure
     */
    public static List<AuditRecord> tail(Connection c, int n) throws SQLException {
        List<AuditRecord> out = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement("SELECT " + COLUMNS + " FROM audit_log ORDER BY seq DESC FETCH FIRST ? ROWS ONLY")) {
            ps.setInt(1, n);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
        }
        Collections.reverse(out);
        return out;
    }

    /**
     * Records matching a query.
     *
     * @param c a connection
     * @param q the query
     * @return matching records in sequence order
     * @throws SQLException on failure
     */
    public static List<AuditRecord> query(Connection c, AuditQuery q) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_log WHERE seq > ?");
        List<Object> args = new ArrayList<>();
        args.add(q.afterSeq());
        q.tool().ifPresent(t -> {
            sql.append(" AND tool = ?");
            args.add(t);
        });
        q.tenant().ifPresent(t -> {
            sql.append(" AND tenant = ?");
            args.add(t);
        });
        q.action().ifPresent(a -> {
            sql.append(" AND action = ?");
            args.add(a);
        });
        q.from().ifPresent(f -> {
            sql.append(" AND at_ms >= ?");
            args.add(f.toEpochMilli());
        });
        q.to().ifPresent(t -> {
            sql.append(" AND at_ms < ?");
            args.add(t.toEpochMilli());
        });
        sql.append(" ORDER BY seq FETCH FIRST ? ROWS ONLY");
        args.add(q.limit());
        List<AuditRecord> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                Object a = args.get(i);
                if (a instanceof Long l) {
                    ps.setLong(i + 1, l);
                } else if (a instanceof Integer n) {
                    ps.setInt(i + 1, n);
                } else {
                    ps.setString(i + 1, (String) a);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
        }
        return out;
    }

    /**
     * Streams records as JSON lines.
     *
     * @param c a connection
     * @param out where to write
     * @param afterSeq first record exported is the one after this
     * @return records written
     * @throws SQLException on failure
     */
    public static long export(Connection c, Writer out, long afterSeq) throws SQLException {
        long n = 0;
        try (PreparedStatement ps =
                c.prepareStatement("SELECT " + COLUMNS + " FROM audit_log WHERE seq > ? ORDER BY seq")) {
            ps.setFetchSize(1000);
            ps.setLong(1, afterSeq);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.write(read(rs).toJsonLine());
                    out.write('\n');
                    n++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    private static AuditRecord read(ResultSet rs) throws SQLException {
        int v = rs.getInt(7);
        Optional<Integer> version = rs.wasNull() ? Optional.empty() : Optional.of(v);
        return new AuditRecord(
                rs.getLong(1),
                AuditJson.instant(rs.getLong(2)),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                version,
                rs.getString(8),
                rs.getString(9),
                rs.getString(10),
                rs.getString(11).trim(),
                rs.getString(12).trim(),
                rs.getString(13),
                rs.getString(14));
    }
}
