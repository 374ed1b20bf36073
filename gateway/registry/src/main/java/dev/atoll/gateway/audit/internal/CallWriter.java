package dev.atoll.gateway.audit.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.audit.AuditAction;
import dev.atoll.gateway.audit.CallRecord;
import dev.atoll.gateway.registry.RegistryException;
import dev.atoll.gateway.store.Database;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Group commit for call records: callers put records on a bounded queue and wait for their commit;
 * one platform thread takes everything queued (up to the batch size) and appends it in one
 * transaction, then releases every caller of that batch. While one batch commits the next one
 * gathers, so under load many calls share one commit (as PostgreSQL's {@code commit_delay}) and an
 * idle writer commits a lone record at once. A failed write is retried with back-off, keeping the
 * batch in memory; while it fails, or while one write has taken longer than the enqueue timeout,
 * {@link #failure()} names the problem and callers time out, so
 * records are delayed, never dropped. {@link #close()} writes everything queued before it returns.
 */
public final class CallWriter implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CallWriter.class.getName());
    /** Longest wait for more records before a commit, when the last batch had several. */
    static final Duration LINGER = Duration.ofNanos(500_000);
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
    private volatile boolean closed;
    private volatile long closeDeadline;
    private volatile long written;
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
        this.db = db;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.batchSize = batchSize;
        this.enqueueTimeout = enqueueTimeout;
        this.closeTimeout = closeTimeout;
        this.thread = Thread.ofPlatform().name("atoll-audit-writer").daemon(true).unstarted(this::run);
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
            throw new RegistryException(RegistryException.Reason.UNAVAILABLE, "the call record of '" + call.tool()
                    + "' was not committed within " + enqueueTimeout.toMillis() + " ms"
                    + (why.isEmpty() ? "" : ": the audit store fails (" + why + ")"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(RegistryException.Reason.UNAVAILABLE,
                    "interrupted while waiting for the audit record's commit");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RegistryException r ? r
                    : RegistryException.storage("the audit writer failed", e.getCause());
        }
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
                throw new RegistryException(RegistryException.Reason.UNAVAILABLE,
                        "the audit queue stayed full for " + enqueueTimeout.toMillis() + " ms; the call record of '"
                                + call.tool() + "' was not accepted");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(RegistryException.Reason.UNAVAILABLE,
                    "interrupted while waiting for room in the audit queue");
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
        // A write that neither commits nor fails (a database that stopped answering without closing
        // the connection, a pool waiting for a connection) is a failing store too: every caller of
        // it times out, so calls are refused before they run instead of each waiting in vain.
        long since = writingSince;
        long stalled = since == 0 ? 0 : System.nanoTime() - since;
        if (stalled > Math.max(enqueueTimeout.toNanos(), STALLED_AFTER_AT_LEAST.toNanos())) {
            return java.util.Optional.of("the audit store has not answered a write for "
                    + TimeUnit.NANOSECONDS.toMillis(stalled) + " ms");
        }
        return java.util.Optional.empty();
    }

    private void putMarker(Item marker) {
        try {
            queue.put(marker);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(RegistryException.Reason.UNAVAILABLE, "interrupted while flushing the audit log");
        }
    }

    private static void await(CompletableFuture<Void> done) {
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(RegistryException.Reason.UNAVAILABLE, "interrupted while flushing the audit log");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RegistryException r ? r
                    : RegistryException.storage("the audit writer failed", e.getCause());
        }
    }

    private void run() {
        List<Item> items = new ArrayList<>(batchSize);
        List<Call> batch = new ArrayList<>(batchSize);
        boolean stop = false;
        int lastBatch = 1;
        while (!stop) {
            try {
                items.add(queue.take());
                queue.drainTo(items, batchSize - 1);
                linger(items, Math.min(lastBatch, batchSize));
            } catch (InterruptedException e) {
                // Not expected (close uses a marker); keep draining.
                if (items.isEmpty()) {
                    continue;
                }
            }
            lastBatch = Math.max(1, (int) items.stream().filter(i -> i instanceof Call).count());
            for (Item item : items) {
                switch (item) {
                    case Call call -> batch.add(call);
                    case Flush flush -> {
                        RuntimeException failed = write(batch);
                        batch.clear();
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
        }
    }

    /**
     * Group commit's linger (as Kafka's {@code linger.ms}): while fewer records are at hand than the
     * last batch had, wait up to {@link #LINGER} for more, so that concurrent callers share one
     * commit instead of each paying one. A lone caller (last batch of one) never waits.
     */
    private void linger(List<Item> items, int expected) throws InterruptedException {
        long until = System.nanoTime() + LINGER.toNanos();
        while (items.size() < expected && !(items.getLast() instanceof Stop) && !(items.getLast() instanceof Flush)) {
            long left = until - System.nanoTime();
            Item next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (next == null) {
                return;
            }
            items.add(next);
            queue.drainTo(items, batchSize - items.size());
        }
    }

    /**
     * Writes a batch, retrying until it commits or the close deadline passes, then completes the
     * batch's callers; returns the failure.
     */
    private RuntimeException write(List<Call> batch) {
        if (batch.isEmpty()) {
            return null;
        }
        List<AuditEntry> entries = new ArrayList<>(batch.size());
        batch.forEach(call -> entries.add(call.entry()));
        long backoffMs = 10;
        writingSince = System.nanoTime() | 1; // never 0
        while (true) {
            try {
                db.inTransaction("appending " + entries.size() + " audit call records",
                        c -> AuditStore.append(c, db, entries));
                written += entries.size();
                writingSince = 0;
                failure = "";
                batch.forEach(call -> call.done().complete(null));
                return null;
            } catch (RuntimeException e) {
                failedWrites++;
                failure = String.valueOf(e.getMessage());
                if (closed && System.nanoTime() - closeDeadline > 0) {
                    LOG.log(System.Logger.Level.ERROR, "audit writer gave up on " + batch.size()
                            + " call records after the close timeout", e);
                    batch.forEach(call -> call.done().completeExceptionally(e));
                    writingSince = 0;
                    return e;
                }
                LOG.log(System.Logger.Level.WARNING, "audit writer failed; retrying " + batch.size()
                        + " call records in " + backoffMs + " ms: " + e.getMessage());
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    // close() never interrupts this thread; keep retrying until the deadline
                }
                backoffMs = Math.min(backoffMs * 2, 1000);
            }
        }
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
        return new AuditEntry(call.at().toEpochMilli(), "token:" + call.tokenId(), call.tenant(),
                AuditAction.CALL.wireName(), call.tool(), call.version(), call.digest(), call.outcome(),
                AuditJson.detail(d));
    }

    /** For metrics/tests: records waiting. */
    public int queued() {
        return queue.size();
    }
}
