package dev.atoll.gateway.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * The append-only, hash-chained audit log (docs/registry.md, "Audit chain"). Registry and token
 * mutations write their records themselves, in the transaction of the change. Obtained from
 * {@code Registry.audit()}; thread-safe.
 */
public interface AuditLog {

    /**
     * Records one {@code tools/call} and returns once the record is durable (committed; see
     * docs/registry.md, "Durability"). A single writer thread appends queued records in batches (one
     * transaction per batch, group commit), so concurrent calls share a commit. The caller waits up
     * to {@code auditEnqueueTimeout} in all; a record that was not committed in time stays queued
     * and is committed when the store recovers. Records are never dropped silently.
     *
     * @param call the call
     * @throws dev.atoll.gateway.registry.RegistryException {@code UNAVAILABLE} if the record was
     *     not committed within the timeout (the store fails or is too slow) or the log is closed
     */
    void recordCall(CallRecord call);

    /**
     * Announces a {@code tools/call} that has started and whose record will follow. Group commit
     * waits a little for the records of announced calls before it commits (longer the more are
     * running, never when none is: docs/registry.md, "Calls"), so that under load one commit serves
     * many calls. Record the call through the returned announcement, and close it when the call ends,
     * recorded or not.
     *
     * @return the announcement; closing it twice, or after {@link RunningCall#record}, does nothing
     */
    default RunningCall callStarted() {
        return new RunningCall() {
            @Override
            public void record(CallRecord call) {
                recordCall(call);
            }

            @Override
            public void close() {}
        };
    }

    /** A {@code tools/call} announced by {@link #callStarted()}; not thread-safe (one per call). */
    interface RunningCall extends AutoCloseable {

        /**
         * Records the call, as {@link AuditLog#recordCall}, and ends the announcement.
         *
         * @param call the call
         * @throws dev.atoll.gateway.registry.RegistryException as {@link AuditLog#recordCall}
         */
        void record(CallRecord call);

        /** Ends the announcement of a call that was not recorded (no effect once recorded). */
        @Override
        void close();
    }

    /**
     * Why the store does not take call records now (the writer's last attempt failed and none has
     * succeeded since, or its current write has not returned within {@code audit-enqueue-timeout}),
     * for refusing calls before they run and for health metrics.
     *
     * @return the failure, empty while the store takes records
     */
    java.util.Optional<String> storeFailure();

    /**
     * Appends one record now, in its own transaction (e.g. a configuration change by the server).
     *
     * @param actor who acted
     * @param action what happened (not {@link AuditAction#CALL}: use {@link #recordCall})
     * @param tenant the tenant concerned, or empty
     * @param outcome {@code ok} or a failure kind
     * @param detail further detail (no secret values)
     * @return the stored record
     */
    AuditRecord record(String actor, AuditAction action, String tenant, String outcome, ObjectNode detail);

    /** Blocks until every call record queued before this call is committed. */
    void flush();

    /**
     * Walks the whole chain (streaming, constant memory) and names the first broken record.
     *
     * @return intact, or the first broken record
     */
    VerifyResult verify();

    /** The chain head, for anchoring. */
    ChainHead head();

    /**
     * Writes a signed checkpoint of the chain head outside the database: appended (and synced) to
     * {@code <data-dir>/audit-checkpoints.jsonl} and logged, unless the head has not moved since
     * the last checkpoint this log wrote. The key is {@code <data-dir>/audit-checkpoint.key},
     * created on first use.
     *
     * @return the checkpoint written, empty if the head had not moved (or the log is empty)
     * @throws java.io.UncheckedIOException if the file or key cannot be written
     */
    java.util.Optional<Checkpoint> checkpoint();

    /**
     * Verifies the chain, then every checkpoint line: each must carry a valid signature, and the
     * record at its {@code seq} must exist and have its hash.
     *
     * @param checkpointLines the contents of a checkpoint file (JSON lines; blank lines ignored)
     * @return the result and how many checkpoints matched
     * @throws IllegalArgumentException naming the line if a line is not a checkpoint
     */
    CheckpointVerification verifyAgainst(java.io.InputStream checkpointLines);

    /**
     * The last records.
     *
     * @param n how many, 1-10 000
     * @return up to {@code n} records, oldest first
     */
    List<AuditRecord> tail(int n);

    /**
     * Records matching a query.
     *
     * @param query the filter
     * @return matching records in sequence order
     */
    List<AuditRecord> query(AuditQuery query);

    /**
     * Writes every record (from {@code afterSeq + 1}) as JSON lines of printable ASCII.
     *
     * @param out where to write
     * @param afterSeq export records after this sequence number (0: all)
     * @return records written
     * @throws IOException if writing fails
     */
    long exportJsonl(Writer out, long afterSeq) throws IOException;
}
