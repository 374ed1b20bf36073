package dev.atoll.gateway.audit.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.audit.AuditAction;
import dev.atoll.gateway.audit.CallRecord;
import dev.atoll.gateway.registry.RegistryException;
import dev.atoll.gateway.registry.internal.Database;
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
 * Group commit for call records: callers put records on a bounded queue; one platform thread takes
 * everything queued (up to the batch size) and appends it in one transaction. A failed write is
 * retried with back-off, keeping the batch in memory; while it fails the queue fills and callers
 * wait (up to the enqueue timeout), so records are delayed, never dropped. {@link #close()} writes
 * everything queued before it returns.
 */
public final class CallWriter implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CallWriter.class.getName());

    private sealed interface Item permits Call, Flush, Stop {}

    private record Call(AuditEntry entry) implements Item {}

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
     * Queues one call record, waiting up to the enqueue timeout for space.
     *
     * @param call the record
     */
    public void submit(CallRecord call) {
        AuditEntry entry = toEntry(call);
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new RegistryException(RegistryException.Reason.UNAVAILABLE, "the audit log is closed");
            }
            if (!queue.offer(new Call(entry), enqueueTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
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
        List<AuditEntry> batch = new ArrayList<>(batchSize);
        boolean stop = false;
        while (!stop) {
            try {
                items.add(queue.take());
            } catch (InterruptedException e) {
                // Not expected (close uses a marker); keep draining.
                continue;
            }
            queue.drainTo(items, batchSize - 1);
            for (Item item : items) {
                switch (item) {
                    case Call call -> batch.add(call.entry());
                    case Flush flush -> {
                        RuntimeException failure = write(batch);
                        batch.clear();
                        if (failure == null) {
                            flush.done().complete(null);
                        } else {
                            flush.done().completeExceptionally(failure);
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

    /** Writes a batch, retrying until it commits or the close deadline passes; returns the failure. */
    private RuntimeException write(List<AuditEntry> batch) {
        if (batch.isEmpty()) {
            return null;
        }
        long backoffMs = 10;
        while (true) {
            try {
                db.inTransaction("appending " + batch.size() + " audit call records",
                        c -> AuditStore.append(c, batch));
                written += batch.size();
                return null;
            } catch (RuntimeException e) {
                if (closed && System.nanoTime() - closeDeadline > 0) {
                    LOG.log(System.Logger.Level.ERROR, "audit writer gave up on " + batch.size()
                            + " call records after the close timeout", e);
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
