package dev.atoll.gateway.audit.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.audit.AuditAction;
import dev.atoll.gateway.audit.AuditLog;
import dev.atoll.gateway.audit.AuditQuery;
import dev.atoll.gateway.audit.AuditRecord;
import dev.atoll.gateway.audit.CallRecord;
import dev.atoll.gateway.audit.ChainHead;
import dev.atoll.gateway.audit.Checkpoint;
import dev.atoll.gateway.audit.CheckpointVerification;
import dev.atoll.gateway.audit.VerifyResult;
import dev.atoll.gateway.registry.RegistryConfig;
import dev.atoll.gateway.store.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/** The audit log over the registry database, with the group-commit writer for call records. */
public final class AuditLogImpl implements AuditLog, AutoCloseable {

    private static final Pattern OUTCOME = Pattern.compile("[a-z_]{1,32}");

    private final Database db;
    private final CallWriter writer;
    private final Checkpoints checkpoints;

    /**
     * Starts the call writer.
     *
     * @param db the database
     * @param config queue and batch settings
     */
    public AuditLogImpl(Database db, RegistryConfig config) {
        this.db = db;
        this.writer = new CallWriter(
                db,
                config.auditQueueCapacity(),
                config.auditBatchSize(),
                config.auditEnqueueTimeout(),
                config.auditCloseTimeout(),
                config.dataDir(),
                config.auditSpoolMaxBytes());
        this.checkpoints = new Checkpoints(config.dataDir());
    }

    @Override
    public Optional<Checkpoint> checkpoint() {
        return checkpoints.write(head());
    }

    @Override
    public CheckpointVerification verifyAgainst(java.io.InputStream checkpointLines) {
        Objects.requireNonNull(checkpointLines, "checkpointLines");
        writer.flush();
        return db.read(
                "verifying the audit chain against checkpoints",
                c -> checkpoints.verify(checkpointLines, AuditStore.verify(c), seq -> AuditStore.hashAt(c, seq)));
    }

    @Override
    public RunningCall callStarted() {
        return writer.callStarted();
    }

    @Override
    public void recordCall(CallRecord call) {
        writer.submitAndWait(Objects.requireNonNull(call, "call"));
    }

    @Override
    public Optional<String> storeFailure() {
        return writer.failure();
    }

    @Override
    public AuditRecord record(String actor, AuditAction action, String tenant, String outcome, ObjectNode detail) {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(detail, "detail");
        if (action == AuditAction.CALL) {
            throw new IllegalArgumentException("tool.call records go through recordCall");
        }
        if (!OUTCOME.matcher(outcome).matches()) {
            throw new IllegalArgumentException("outcome must match [a-z_]{1,32}, got '" + outcome + "'");
        }
        if (actor.isEmpty() || actor.length() > 200 || tenant.length() > 128) {
            throw new IllegalArgumentException("actor must be 1-200 characters and tenant at most 128");
        }
        AuditEntry e = new AuditEntry(
                System.currentTimeMillis(),
                actor,
                tenant,
                action.wireName(),
                "",
                Optional.empty(),
                "",
                outcome,
                AuditJson.detail(detail));
        return db.inTransaction("recording " + action.wireName(), c -> AuditStore.append(c, db, List.of(e)))
                .getFirst();
    }

    @Override
    public void flush() {
        writer.flush();
    }

    @Override
    public VerifyResult verify() {
        return db.read("verifying the audit chain", AuditStore::verify);
    }

    @Override
    public ChainHead head() {
        return db.read("reading the audit head", AuditStore::head);
    }

    @Override
    public List<AuditRecord> tail(int n) {
        if (n < 1 || n > AuditQuery.MAX_LIMIT) {
            throw new IllegalArgumentException("n must be 1-" + AuditQuery.MAX_LIMIT + ", got " + n);
        }
        return db.read("reading the audit tail", c -> AuditStore.tail(c, n));
    }

    @Override
    public List<AuditRecord> query(AuditQuery query) {
        Objects.requireNonNull(query, "query");
        return db.read("querying the audit log", c -> AuditStore.query(c, query));
    }

    @Override
    public long exportJsonl(Writer out, long afterSeq) throws IOException {
        Objects.requireNonNull(out, "out");
        try {
            return db.read("exporting the audit log", c -> AuditStore.export(c, out, afterSeq));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Call records committed by the writer since start (for metrics). */
    public long callsWritten() {
        return writer.written();
    }

    /** Transactions that committed call records since start (records per commit: {@link #callsWritten()} / this). */
    public long callCommits() {
        return writer.commits();
    }

    /** Call records in the spool now, waiting for the database (for metrics and tests). */
    public long callsSpooled() {
        return writer.spooled();
    }

    /** Call records appended to the spool since start (for metrics). */
    public long callsSpooledTotal() {
        return writer.spooledTotal();
    }

    /** Failed write attempts of the call writer since start (for metrics; each is retried). */
    public long failedWrites() {
        return writer.failedWrites();
    }

    /** Drains the writer. */
    @Override
    public void close() {
        writer.close();
    }
}
