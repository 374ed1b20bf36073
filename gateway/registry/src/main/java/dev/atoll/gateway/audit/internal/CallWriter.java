package dev.atoll.gateway.audit.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.audit.AuditAction;
import dev.atoll.gateway.audit.AuditLog;
import dev.atoll.gateway.audit.CallRecord;
import dev.atoll.gateway.registry.RegistryException;
import dev.atoll.gateway.store.Database;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Group commit for call records: callers put records on a bounded queue and wait for their commit;
 * one platform thread takes everything queued (up to the batch size) and appends it in one
 * transaction, then releases every caller of that batch. While one batch commits the next one
 * gathers, and the writer lingers for the records of calls that are still running ({@link
 * #callStarted()}; as PostgreSQL's {@code commit_delay} with {@code commit_siblings}), so under load
 * many calls share one commit, and a lone call's record is committed at once. A failed write is retried with back-off, keeping the
 * batch in memory; while it fails, or while one write has taken longer than the enqueue timeout,
 * {@link #failure()} names the problem and callers time out, so
 * records are delayed, never dropped. {@link #close()} writes everything queued before it returns.
 *
 * <p>With a {@link Spool} (docs/fleet.md, "Database outage"), a batch the database does not commit
 * within {@link #spoolAfter} (or whose write fails) is appended to the spool file and forced to disk
 * instead, and its callers are answered; while the spool holds records every new batch goes there
 * too (so records reach the chain in the order they were acknowledged), and the writer drains the
 * spool into the database with back-off, then removes it. An attempt the writer gave up on is rolled
 * back, never committed later: its transaction checks, before its commit, that it was not abandoned.
 * Only when the spool is full (or cannot be written) does the writer fall back to retrying in memory
 * and {@link #failure()} reports the store as failing, so calls are refused as without a spool.
 *
 * <p>On the embedded H2 database ({@link Database#journaled()}) a batch is committed in memory and
 * its records appended to the {@link Journal} before its callers are answered; the writer
 * checkpoints the database file about once a second and empties the journal, and the next start
 * replays a journal a crash left behind.
 */
public final class CallWriter implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CallWriter.class.getName());
    /**
     * Longest wait for more records before a commit, when the last batch had several, for records
     * whose calls were not announced.
     */
    static final Duration LINGER = Duration.ofNanos(500_000);
    /** The linger for announced calls: this long per call still running, up to {@link #LINGER_MAX}. */
    static final Duration LINGER_PER_RUNNING_CALL = Duration.ofNanos(200_000);
    /** Longest linger for announced calls. */
    static final Duration LINGER_MAX = Duration.ofMillis(3);
    /** A write counts as stalled after the enqueue timeout, but never before this. */
    static final Duration STALLED_AFTER_AT_LEAST = Duration.ofSeconds(1);

    private sealed interface Item permits Call, Flush, Stop {}

    private record Call(AuditEntry entry, CompletableFuture<Void> done) implements Item {}

    private record Flush(CompletableFuture<Void> done) implements Item {}

    private record Stop() implements Item {}

    private final Database db;
    private final BlockingQueue<Item> queue;
    private final int batchSize;
    private final Duration enqueueTimeout;
    private final Duration closeTimeout;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final Thread thread;
    private final java.util.Optional<Spool> spool;
    /**
     * Present on an H2 file database ({@link Database#journaled()}): batches are committed in memory
     * and journaled, and checkpointed about once a second. Without it every commit is on disk when
     * it returns (PostgreSQL; H2 without a data directory or with its own {@code WRITE_DELAY}).
     */
    private final java.util.Optional<Journal> journal;
    /** The records the last {@link #attempt} committed (writer thread only). */
    private List<dev.atoll.gateway.audit.AuditRecord> attempted = List.of();
    /** Why the last checkpoint failed, empty after one succeeds (writer thread only). */
    private String checkpointProblem = "";
    /** After a failed checkpoint, when the next may be tried (System.nanoTime; writer thread only). */
    private long checkpointRetryAt;

    private final Duration spoolAfter;
    /** When the writer next tries to drain a non-empty spool (System.nanoTime). */
    private long nextDrainAt;

    private long drainBackoffMs = 100;
    private volatile long spooledTotal;
    private volatile long spoolCount;
    private volatile String spoolProblem = "";
    private volatile boolean closed;
    private volatile long closeDeadline;
    private volatile long written;
    private volatile long commits;
    /** Announced calls whose record has not been submitted yet. */
    private final AtomicInteger running = new AtomicInteger();

    private volatile boolean announced;
    private volatile long failedWrites;
    private volatile String failure = "";
    /** When the batch being written was first tried (System.nanoTime), 0 while not writing. */
    private volatile long writingSince;

    /**
     * Starts the writer thread.
     *
     * @param db the database
     * @param capacity queue capacity
     * @param batchSize most records per transaction
     * @param enqueueTimeout how long a caller waits for queue space
     * @param closeTimeout how long close keeps retrying failed writes
     */
    public CallWriter(Database db, int capacity, int batchSize, Duration enqueueTimeout, Duration closeTimeout) {
        this(
                db,
                capacity,
                batchSize,
                enqueueTimeout,
                closeTimeout,
                java.util.Optional.empty(),
                java.util.Optional.empty());
    }

    /**
     * Starts the writer thread, spooling to {@code <dataDir>/audit-spool.jsonl} while the database
     * does not take records. A spool left by an earlier run is written to the database first.
     *
     * @param db the database
     * @param capacity queue capacity
     * @param batchSize most records per transaction
     * @param enqueueTimeout how long a caller waits for queue space
     * @param closeTimeout how long close keeps retrying failed writes
     * @param dataDir the node's data directory
     * @param spoolMaxBytes largest size of the spool file (0: no spool)
     */
    public CallWriter(
            Database db,
            int capacity,
            int batchSize,
            Duration enqueueTimeout,
            Duration closeTimeout,
            java.nio.file.Path dataDir,
            long spoolMaxBytes) {
        this(
                db,
                capacity,
                batchSize,
                enqueueTimeout,
                closeTimeout,
                spoolMaxBytes > 0 || java.nio.file.Files.exists(dataDir.resolve(Spool.FILE_NAME))
                        ? java.util.Optional.of(new Spool(dataDir, spoolMaxBytes))
                        : java.util.Optional.empty(),
                db.journaled() ? java.util.Optional.of(new Journal(dataDir)) : java.util.Optional.empty());
    }

    private CallWriter(
            Database db,
            int capacity,
            int batchSize,
            Duration enqueueTimeout,
            Duration closeTimeout,
            java.util.Optional<Spool> spool,
            java.util.Optional<Journal> journal) {
        this.db = db;
        this.spool = spool;
        this.journal = journal;
        // Before any record is taken: what an earlier run journaled and H2 had not written yet.
        journal.ifPresent(j -> j.replay(db));
        this.spoolCount = spool.map(Spool::count).orElse(0L);
        // A commit normally takes milliseconds; wait long enough for a slow one, but leave the
        // callers most of their enqueue timeout.
        this.spoolAfter = Duration.ofNanos(Math.max(
                Duration.ofMillis(50).toNanos(),
                Math.min(Duration.ofSeconds(1).toNanos(), enqueueTimeout.toNanos() / 4)));
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.batchSize = batchSize;
        this.enqueueTimeout = enqueueTimeout;
        this.closeTimeout = closeTimeout;
        this.thread =
                Thread.ofPlatform().name("atoll-audit-writer").daemon(true).unstarted(this::run);
        thread.start();
    }

    /**
     * Queues one call record and waits until it is committed, up to the enqueue timeout in all
     * (waiting for room in the queue, then for the commit). A record whose caller timed out stays
     * queued and is committed when the store recovers.
     *
     * @param call the record
     * @throws RegistryException {@code UNAVAILABLE} if the record was not committed in time or the
     *     log is closed; {@code STORAGE} if the writer gave up on it at close
     */
    public void submitAndWait(CallRecord call) {
        long deadline = System.nanoTime() + enqueueTimeout.toNanos();
        CompletableFuture<Void> done = submit(call);
        try {
            done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            String why = failure;
            throw new RegistryException(
                    RegistryException.Reason.UNAVAILABLE,
                    "the call record of '" + call.tool()
                            + "' was not committed within " + enqueueTimeout.toMillis() + " ms"
                            + (why.isEmpty() ? "" : ": the audit store fails (" + why + ")"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(
                    RegistryException.Reason.UNAVAILABLE, "interrupted while waiting for the audit record's commit");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RegistryException r
                    ? r
                    : RegistryException.storage("the audit writer failed", cause(e));
        }
    }

    /**
     * Announces a call whose record will follow: until it is recorded or closed, the writer lingers
     * a little before each commit for it (see {@link #linger}).
     *
     * @return the announcement
     */
    public AuditLog.RunningCall callStarted() {
        if (!announced) { // written once: a volatile store on every call would bounce the cache line
            announced = true;
        }
        running.incrementAndGet();
        return new AuditLog.RunningCall() {
            private boolean ended;

            @Override
            public void record(CallRecord call) {
                close();
                submitAndWait(call);
            }

            @Override
            public void close() {
                if (!ended) {
                    ended = true;
                    running.decrementAndGet();
                }
            }
        };
    }

    /**
     * Queues one call record, waiting up to the enqueue timeout for space.
     *
     * @param call the record
     * @return completes when the record is committed
     */
    public CompletableFuture<Void> submit(CallRecord call) {
        AuditEntry entry = toEntry(call);
        CompletableFuture<Void> done = new CompletableFuture<>();
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new RegistryException(RegistryException.Reason.UNAVAILABLE, "the audit log is closed");
            }
            if (!queue.offer(new Call(entry, done), enqueueTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new RegistryException(
                        RegistryException.Reason.UNAVAILABLE,
                        "the audit queue stayed full for " + enqueueTimeout.toMillis() + " ms; the call record of '"
                                + call.tool() + "' was not accepted");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(
                    RegistryException.Reason.UNAVAILABLE, "interrupted while waiting for room in the audit queue");
        } finally {
            lifecycle.readLock().unlock();
        }
        return done;
    }

    /** Blocks until everything queued before it is committed. */
    public void flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        lifecycle.readLock().lock();
        try {
            if (closed) {
                return;
            }
            putMarker(new Flush(done));
        } finally {
            lifecycle.readLock().unlock();
        }
        await(done);
    }

    /** Call records committed since start. */
    public long written() {
        return written;
    }

    /** Transactions that committed call records since start ({@link #written()} / this: records per commit). */
    public long commits() {
        return commits;
    }

    /** Call records in the spool now, waiting for the database (0 without a spool). */
    public long spooled() {
        return spoolCount;
    }

    /** Call records appended to the spool since start. */
    public long spooledTotal() {
        return spooledTotal;
    }

    /** Failed write attempts since start (each is retried). */
    public long failedWrites() {
        return failedWrites;
    }

    /**
     * Why the store does not take records now: the last write attempt failed and none has
     * succeeded since.
     *
     * @return the failure, empty while writes succeed
     */
    public java.util.Optional<String> failure() {
        String f = failure;
        if (!f.isEmpty()) {
            return java.util.Optional.of(f);
        }
        if (spool.isPresent()) {
            // Spooling: the store does not take records, but the spool does; calls go on.
            return java.util.Optional.empty();
        }
        // A write that neither commits nor fails (a database that stopped answering without closing
        // the connection, a pool waiting for a connection) is a failing store too: every caller of
        // it times out, so calls are refused before they run instead of each waiting in vain.
        long since = writingSince;
        long stalled = since == 0 ? 0 : System.nanoTime() - since;
        if (stalled > Math.max(enqueueTimeout.toNanos(), STALLED_AFTER_AT_LEAST.toNanos())) {
            return java.util.Optional.of(
                    "the audit store has not answered a write for " + TimeUnit.NANOSECONDS.toMillis(stalled) + " ms");
        }
        return java.util.Optional.empty();
    }

    private void putMarker(Item marker) {
        try {
            queue.put(marker);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(
                    RegistryException.Reason.UNAVAILABLE, "interrupted while flushing the audit log");
        }
    }

    /** The failure a {@link CompletableFuture}'s {@link ExecutionException} carries (it always has one). */
    private static Throwable cause(ExecutionException e) {
        return Objects.requireNonNull(e.getCause(), "cause");
    }

    private static void await(CompletableFuture<Void> done) {
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(
                    RegistryException.Reason.UNAVAILABLE, "interrupted while flushing the audit log");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RegistryException r
                    ? r
                    : RegistryException.storage("the audit writer failed", cause(e));
        }
    }

    private void run() {
        List<Item> items = new ArrayList<>(batchSize);
        List<Call> batch = new ArrayList<>(batchSize);
        boolean stop = false;
        int lastBatch = 1;
        while (!stop) {
            try {
                if (spool.isPresent() && !spool.get().isEmpty()) {
                    long wait = Math.min(nextDrainAt - System.nanoTime(), untilCheckpoint());
                    Item first = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
                    if (first == null) {
                        checkpointIfDue(false);
                        if (System.nanoTime() - nextDrainAt >= 0) {
                            drain(spool.get());
                        }
                        continue;
                    }
                    items.add(first);
                } else if (journal.isPresent() && !journal.get().isEmpty()) {
                    Item first = queue.poll(untilCheckpoint(), TimeUnit.NANOSECONDS);
                    if (first == null) {
                        checkpointIfDue(false);
                        continue;
                    }
                    items.add(first);
                } else {
                    items.add(queue.take());
                }
                queue.drainTo(items, batchSize - 1);
                linger(items, Math.min(lastBatch, batchSize));
            } catch (InterruptedException e) {
                // Not expected (close uses a marker); keep draining.
                if (items.isEmpty()) {
                    continue;
                }
            }
            lastBatch = Math.max(
                    1, (int) items.stream().filter(i -> i instanceof Call).count());
            for (Item item : items) {
                switch (item) {
                    case Call call -> batch.add(call);
                    case Flush flush -> {
                        RuntimeException failed = write(batch);
                        batch.clear();
                        if (failed == null && spool.isPresent() && !spool.get().isEmpty()) {
                            nextDrainAt = System.nanoTime();
                            drain(spool.get());
                            if (!spool.get().isEmpty()) {
                                failed = new RegistryException(
                                        RegistryException.Reason.UNAVAILABLE,
                                        spool.get().count()
                                                + " call records are spooled: the database does not take them ("
                                                + spoolProblem + ")");
                            }
                        }
                        if (failed == null) {
                            flush.done().complete(null);
                        } else {
                            flush.done().completeExceptionally(failed);
                        }
                    }
                    case Stop s -> stop = true;
                }
            }
            items.clear();
            write(batch);
            batch.clear();
            checkpointIfDue(stop);
        }
        journal.ifPresent(j -> {
            checkpointIfDue(true);
            if (!j.isEmpty()) {
                LOG.log(
                        Level.WARNING,
                        "the audit journal keeps call records the database file may not hold (" + checkpointProblem
                                + "); the next start writes them");
            }
            j.close();
        });
        spool.ifPresent(sp -> {
            if (!sp.isEmpty()) {
                nextDrainAt = System.nanoTime();
                drain(sp);
                if (!sp.isEmpty()) {
                    LOG.log(
                            Level.WARNING,
                            sp.count() + " call records stay in the audit spool; "
                                    + "the next start writes them to the database");
                }
            }
            sp.close();
        });
    }

    /**
     * Group commit's linger (as Kafka's {@code linger.ms}, or PostgreSQL's {@code commit_delay} with
     * {@code commit_siblings}). While announced calls are still running, wait for their records up
     * to {@link #LINGER_PER_RUNNING_CALL} per running call (at most {@link #LINGER_MAX}) from the
     * first record at hand: the more calls run, the more records one commit can take, and a call's
     * wait matters less next to the CPU the others share with it; with none running, commit at once.
     * A commit costs the same CPU however many records it holds (measured on H2: ~560 µs per record
     * alone, ~60 µs per record in batches of 8), so under load this is throughput. For records
     * whose calls were not announced: while fewer are at hand than the last batch had, wait up to
     * {@link #LINGER}.
     */
    private void linger(List<Item> items, int expected) throws InterruptedException {
        long start = System.nanoTime();
        while (items.size() < batchSize && !(items.getLast() instanceof Stop) && !(items.getLast() instanceof Flush)) {
            long window;
            if (announced) {
                int others = running.get();
                if (others <= 0) {
                    return;
                }
                window = Math.min(LINGER_MAX.toNanos(), others * LINGER_PER_RUNNING_CALL.toNanos());
            } else {
                if (items.size() >= expected) {
                    return;
                }
                window = LINGER.toNanos();
            }
            long left = start + window - System.nanoTime();
            // Wake at least every 200 µs to see whether the calls still running ended without a record.
            Item next = left > 0 ? queue.poll(Math.min(left, 200_000), TimeUnit.NANOSECONDS) : null;
            if (next == null) {
                if (left <= 0) {
                    return;
                }
                continue;
            }
            items.add(next);
            queue.drainTo(items, batchSize - items.size());
        }
    }

    /**
     * Writes a batch, retrying until it commits or the close deadline passes, then completes the
     * batch's callers; returns the failure, null once the batch is committed or spooled.
     */
    @SuppressWarnings("NonAtomicVolatileUpdate") // only the writer thread updates the counters; volatile is for readers
    private @Nullable RuntimeException write(List<Call> batch) {
        if (batch.isEmpty()) {
            return null;
        }
        List<AuditEntry> entries = new ArrayList<>(batch.size());
        batch.forEach(call -> entries.add(call.entry()));
        if (spool.isPresent() && spooled(batch, entries, spool.get())) {
            return null;
        }
        long backoffMs = 10;
        writingSince = System.nanoTime() | 1; // never 0
        while (true) {
            try {
                List<dev.atoll.gateway.audit.AuditRecord> rows = commit(
                        "appending " + entries.size() + " audit call records", c -> AuditStore.append(c, db, entries));
                written += entries.size();
                commits++;
                writingSince = 0;
                return answer(batch, rows);
            } catch (RuntimeException e) {
                failedWrites++;
                failure = String.valueOf(e.getMessage());
                if (closed && System.nanoTime() - closeDeadline > 0) {
                    LOG.log(
                            Level.SEVERE,
                            "audit writer gave up on " + batch.size() + " call records after the close timeout",
                            e);
                    batch.forEach(call -> call.done().completeExceptionally(e));
                    writingSince = 0;
                    return e;
                }
                LOG.log(
                        Level.WARNING,
                        "audit writer failed; retrying " + batch.size() + " call records in " + backoffMs + " ms: "
                                + e.getMessage());
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    // close() never interrupts this thread; keep retrying until the deadline
                }
                backoffMs = Math.min(backoffMs * 2, 1000);
            }
        }
    }

    /**
     * Answers the callers of a committed batch: once its records are journaled (or, if the journal
     * cannot be written, once a checkpoint has written them to the database file), or at once
     * without a journal, where the commit itself is durable. Returns the failure, null once
     * answered.
     */
    private @Nullable RuntimeException answer(List<Call> batch, List<dev.atoll.gateway.audit.AuditRecord> rows) {
        if (journal.isPresent()) {
            try {
                journal.get().append(rows);
            } catch (java.io.UncheckedIOException e) {
                try {
                    db.checkpoint(); // the records, committed, go to the database file instead
                } catch (RuntimeException c) {
                    // Committed in memory only: never written again (that would duplicate them); a
                    // later checkpoint writes them. Their calls are not answered as recorded.
                    String why = "the audit journal cannot be written (" + e.getMessage()
                            + ") and neither can the database file (" + c.getMessage() + ")";
                    failure = why;
                    RegistryException failed = RegistryException.storage(why, c);
                    batch.forEach(call -> call.done().completeExceptionally(failed));
                    return failed;
                }
            }
        }
        failure = "";
        batch.forEach(call -> call.done().complete(null));
        return null;
    }

    /** Checkpoints the journal when due; a failure keeps the journal and is retried when due again. */
    private void checkpointIfDue(boolean now) {
        if (journal.isEmpty() || journal.get().isEmpty()) {
            return;
        }
        Journal j = journal.get();
        if (!now && untilCheckpoint() > 0) {
            return;
        }
        try {
            j.checkpoint(db);
            if (!checkpointProblem.isEmpty()) {
                LOG.log(Level.INFO, "the audit journal is checkpointed again");
                checkpointProblem = "";
            }
        } catch (RuntimeException e) {
            if (checkpointProblem.isEmpty()) {
                LOG.log(
                        Level.WARNING,
                        "checkpointing the audit journal failed; its records stay in it until a checkpoint succeeds: "
                                + e.getMessage());
            }
            checkpointProblem = String.valueOf(e.getMessage());
            checkpointRetryAt = System.nanoTime() + Journal.CHECKPOINT_EVERY_NANOS;
        }
    }

    /**
     * One transaction of call records: with a journal, committed in memory (the caller journals
     * what it wrote, or checkpoints); without one, durable when it returns.
     */
    private <T> T commit(String what, Database.Work<T> work) {
        return journal.isPresent() ? db.inJournaledTransaction(what, work) : db.inTransaction(what, work);
    }

    /** How long the writer may wait for a record before a journal checkpoint is due. */
    private long untilCheckpoint() {
        if (journal.isEmpty() || journal.get().isEmpty()) {
            return Long.MAX_VALUE;
        }
        long now = System.nanoTime();
        long due = journal.get().nanosToCheckpoint(now);
        if (!checkpointProblem.isEmpty()) {
            due = Math.max(due, checkpointRetryAt - now); // not again at once after a failure
        }
        return Math.max(0, due);
    }

    /** Outcomes of one bounded write attempt. */
    private enum Attempt {
        COMMITTED,
        FAILED,
        ABANDONED,
        /** The commit was sent and no outcome came back (the connection broke): it may be stored. */
        IN_DOUBT
    }

    /**
     * Writes a batch through the spool: to the database when the spool is empty and the database
     * commits in time, else to the spool. Returns false when neither took it (spool full or
     * unwritable) and the spool has been drained since, so that the caller's retry loop keeps the
     * order.
     */
    @SuppressWarnings("NonAtomicVolatileUpdate") // only the writer thread updates the counters; volatile is for readers
    private boolean spooled(List<Call> batch, List<AuditEntry> entries, Spool s) {
        if (!s.isEmpty() && System.nanoTime() - nextDrainAt >= 0) {
            drain(s);
        }
        boolean inDoubt = false;
        if (s.isEmpty()) {
            Attempt a = attempt("appending " + entries.size() + " audit call records", entries);
            if (a == Attempt.COMMITTED) {
                written += entries.size();
                commits++;
                answer(batch, attempted);
                return true;
            }
            inDoubt = a == Attempt.IN_DOUBT;
            nextDrainAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainBackoffMs);
        }
        try {
            if (s.append(entries, inDoubt)) {
                if (s.count() == entries.size()) {
                    LOG.log(
                            Level.WARNING,
                            "the audit store does not take records (" + spoolProblem + "); spooling call records to "
                                    + Spool.FILE_NAME + " until it does");
                }
                spooledTotal += entries.size();
                spoolCount = s.count();
                batch.forEach(call -> call.done().complete(null));
                return true;
            }
            failure = "the audit spool is full (" + s.bytes() + " bytes) and the database does not take records ("
                    + spoolProblem + ")";
        } catch (java.io.UncheckedIOException e) {
            // UncheckedIOException requires its cause.
            failure = "the audit spool cannot be written ("
                    + Objects.requireNonNull(e.getCause()).getMessage() + ") and the database does not take records ("
                    + spoolProblem + ")";
        }
        // Neither takes the batch: callers are refused (failure() is set) until the spool drains;
        // this batch is written after the spool, in order.
        while (!s.isEmpty()) {
            if (closed && System.nanoTime() - closeDeadline > 0) {
                return false; // the caller's loop gives up on the batch after the close timeout
            }
            long wait = nextDrainAt - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(Duration.ofNanos(wait));
                } catch (InterruptedException ie) {
                    // close() never interrupts this thread
                }
            }
            drain(s);
        }
        return false;
    }

    /**
     * Writes the spool to the database in chunks, skipping records a drain before a crash already
     * stored, then removes it; on a failure it stops and schedules the next try with back-off.
     */
    @SuppressWarnings("NonAtomicVolatileUpdate") // only the writer thread updates the counters; volatile is for readers
    private void drain(Spool s) {
        String id = s.id();
        // Calls end in about the order they are queued; a minute's margin covers the rest.
        long minAt = s.firstAtMs() - 60_000;
        java.util.Optional<Long> stored = bounded("reading the audit spool's progress", c -> {
            try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT detail FROM audit_log WHERE at_ms >= ?"
                    + " AND node = ? AND detail LIKE ? ORDER BY seq DESC FETCH FIRST 1 ROWS ONLY")) {
                ps.setLong(1, minAt);
                ps.setString(2, db.node());
                ps.setString(3, "%\"spool\":\"" + id + "\"%");
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Spool.spoolSeq(rs.getString(1)).orElse(0L) : 0L;
                }
            }
        });
        if (stored.isEmpty()) {
            retryDrainLater();
            return;
        }
        List<Spool.Spooled> all = s.readAll(); // only once the database answers: up to the size limit
        // Only a spool's first batch can be in doubt (while the spool holds records no batch goes to
        // the database); once a chunk of it is stored, the progress above covers that batch.
        int stillStored = 0;
        if (stored.get() == 0
                && !all.isEmpty()
                && all.getFirst().inDoubtDetail().isPresent()) {
            Spool.Spooled first = all.getFirst();
            java.util.Optional<Boolean> committed =
                    bounded("checking a batch whose commit was in doubt", c -> storedDirectly(c, first));
            if (committed.isEmpty()) {
                retryDrainLater();
                return;
            }
            if (committed.get()) {
                while (stillStored < all.size()
                        && all.get(stillStored).inDoubtDetail().isPresent()) {
                    stillStored++;
                }
                LOG.log(
                        java.util.logging.Level.INFO,
                        "the " + stillStored + " call records whose commit was in doubt"
                                + " when the database went away had been stored; they are not written again");
            }
        }
        List<AuditEntry> chunk = new ArrayList<>(batchSize);
        for (int i = stillStored; i < all.size(); ) {
            chunk.clear();
            while (i < all.size() && chunk.size() < batchSize) {
                Spool.Spooled r = all.get(i++);
                if (r.n() > stored.get()) {
                    chunk.add(r.entry());
                }
            }
            if (chunk.isEmpty()) {
                continue;
            }
            if (attempt("writing " + chunk.size() + " spooled audit call records", chunk) != Attempt.COMMITTED) {
                retryDrainLater();
                return;
            }
            written += chunk.size();
            commits++;
        }
        // The spool is removed only once what it held is in the database file.
        try {
            db.checkpoint();
        } catch (RuntimeException e) {
            spoolProblem = String.valueOf(e.getMessage());
            retryDrainLater();
            return;
        }
        LOG.log(Level.INFO, "wrote " + all.size() + " spooled call records to the audit log");
        s.clear();
        spoolCount = 0;
        failure = "";
        spoolProblem = "";
        drainBackoffMs = 100;
    }

    /**
     * Whether the first record of a batch whose commit was in doubt is in the chain as it was sent
     * (the batch committed as a whole or not at all): this node's record with the same time,
     * actor, action, tool, outcome, digest and detail (its receipt: CPU and wall time, bytes).
     */
    private boolean storedDirectly(java.sql.Connection c, Spool.Spooled first) throws java.sql.SQLException {
        AuditEntry e = first.entry();
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT 1 FROM audit_log WHERE at_ms = ? AND node = ?"
                + " AND actor = ? AND action = ? AND tool = ? AND outcome = ? AND digest = ? AND detail = ?"
                + " FETCH FIRST 1 ROWS ONLY")) {
            ps.setLong(1, e.atMs());
            ps.setString(2, db.node());
            ps.setString(3, e.actor());
            ps.setString(4, e.action());
            ps.setString(5, e.tool());
            ps.setString(6, e.outcome());
            ps.setString(7, e.digest());
            ps.setString(8, first.inDoubtDetail().orElseThrow());
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @SuppressWarnings("NonAtomicVolatileUpdate") // only the writer thread updates the counters; volatile is for readers
    private void retryDrainLater() {
        failedWrites++;
        nextDrainAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainBackoffMs);
        drainBackoffMs = Math.min(drainBackoffMs * 2, 2000);
    }

    /**
     * Appends in a transaction on another thread and waits up to {@link #spoolAfter}. An attempt
     * not done by then is abandoned: its transaction rolls back when it gets to its end, unless it
     * already passed the point of no return (then the writer waits for its outcome).
     */
    @SuppressWarnings("NonAtomicVolatileUpdate") // only the writer thread updates the counters; volatile is for readers
    private Attempt attempt(String what, List<AuditEntry> entries) {
        java.util.concurrent.atomic.AtomicInteger state =
                new java.util.concurrent.atomic.AtomicInteger(); // 0 run, 1 abandoned, 2 committing
        CompletableFuture<List<dev.atoll.gateway.audit.AuditRecord>> f = new CompletableFuture<>();
        Thread.ofVirtual().name("atoll-audit-attempt").start(() -> {
            try {
                f.complete(commit(what, c -> {
                    List<dev.atoll.gateway.audit.AuditRecord> rows = AuditStore.append(c, db, entries);
                    if (state.compareAndExchange(0, 2) == 1) {
                        throw new RegistryException(
                                RegistryException.Reason.UNAVAILABLE, "abandoned: the records were spooled");
                    }
                    return rows;
                }));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            try {
                attempted = f.get(spoolAfter.toNanos(), TimeUnit.NANOSECONDS);
                return Attempt.COMMITTED;
            } catch (java.util.concurrent.TimeoutException e) {
                if (state.compareAndSet(0, 1)) {
                    failedWrites++;
                    spoolProblem = "no answer within " + spoolAfter.toMillis() + " ms";
                    return Attempt.ABANDONED;
                }
                attempted = f.get();
                return Attempt.COMMITTED;
            }
        } catch (ExecutionException e) {
            failedWrites++;
            spoolProblem = String.valueOf(cause(e).getMessage());
            // Failed after the work was done (state 2: the commit was next, or sent): the database
            // may hold the batch; the drain looks it up before writing it again.
            return state.get() == 2 ? Attempt.IN_DOUBT : Attempt.FAILED;
        } catch (InterruptedException e) {
            // close() never interrupts this thread; treat as not written
            state.compareAndSet(0, 1);
            return Attempt.ABANDONED;
        }
    }

    /** A read on another thread, given up after {@link #spoolAfter}. */
    private <T> java.util.Optional<T> bounded(String what, Database.Work<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofVirtual().name("atoll-audit-read").start(() -> {
            try {
                f.complete(db.read(what, work));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return java.util.Optional.of(f.get(spoolAfter.toNanos(), TimeUnit.NANOSECONDS));
        } catch (java.util.concurrent.TimeoutException e) {
            spoolProblem = "no answer within " + spoolAfter.toMillis() + " ms";
        } catch (ExecutionException e) {
            spoolProblem = String.valueOf(cause(e).getMessage());
        } catch (InterruptedException e) {
            spoolProblem = "interrupted";
        }
        return java.util.Optional.empty();
    }

    /** Stops accepting records, writes everything queued, and stops the thread. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closeDeadline = System.nanoTime() + closeTimeout.toNanos();
            closed = true;
            putMarker(new Stop());
        } finally {
            lifecycle.writeLock().unlock();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static AuditEntry toEntry(CallRecord call) {
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        d.put("cpuMs", call.receipt().cpu().toNanos() / 1e6);
        d.put("wallMs", call.receipt().wall().toNanos() / 1e6);
        d.put("allocatedBytes", call.receipt().allocatedBytes());
        if (call.receipt().droppedLogs() > 0) {
            d.put("droppedLogs", call.receipt().droppedLogs());
        }
        if (!call.dlpRuleIds().isEmpty()) {
            call.dlpRuleIds().forEach(d.putArray("dlp")::add);
        }
        return new AuditEntry(
                call.at().toEpochMilli(),
                "token:" + call.tokenId(),
                call.tenant(),
                AuditAction.CALL.wireName(),
                call.tool(),
                call.version(),
                call.digest(),
                call.outcome(),
                AuditJson.detail(d));
    }

    /** For metrics/tests: records waiting. */
    public int queued() {
        return queue.size();
    }
}
