package dev.atoll.runtime.internal;

import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bounded pool of platform threads guest code runs on (per-thread CPU and allocation counters do
 * not work on virtual threads). A full pool with a full queue rejects: the call is shed, not queued
 * without bound.
 *
 * <p>A thread whose guest does not take its cancellation can be {@linkplain #abandon(Thread) written
 * off}: the pool grows by one thread at once, so its serving capacity stays {@code threads}, and
 * shrinks back when the written-off thread finally returns. At most {@code abandonBudget} threads are
 * written off at a time; beyond that the capacity is reduced until one returns.
 */
public final class GuestExecutor implements AutoCloseable {

    private final ThreadPoolExecutor pool;
    private final int threads;
    private final int abandonBudget;
    private final Set<Thread> writtenOff = ConcurrentHashMap.newKeySet();
    private final AtomicLong abandonedTotal = new AtomicLong();
    private final AtomicLong returnedTotal = new AtomicLong();
    private int abandoned;

    /**
     * @param threads number of guest threads
     * @param queueCapacity calls that may wait for a thread
     * @param stackBytes stack size of each guest thread (bounds guest recursion depth)
     * @param abandonBudget most threads written off at once, each replaced by a new one
     */
    public GuestExecutor(int threads, int queueCapacity, long stackBytes, int abandonBudget) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(null, r, "atoll-guest-" + n.incrementAndGet(), stackBytes);
            t.setDaemon(true);
            return t;
        };
        this.threads = threads;
        this.abandonBudget = abandonBudget;
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity), factory, new ThreadPoolExecutor.AbortPolicy());
        pool.prestartAllCoreThreads();
    }

    /**
     * Submits a task, or rejects it when the threads and the queue are full.
     *
     * @param task the work
     * @param <T> its result type
     * @return the task's future
     * @throws RejectedExecutionException when at capacity or shut down
     */
    public <T> Future<T> submit(Callable<T> task) {
        return pool.submit(() -> {
            try {
                return task.call();
            } finally {
                if (writtenOff.remove(Thread.currentThread())) {
                    returned();
                }
            }
        });
    }

    /**
     * Writes off {@code thread}, which runs a guest that did not stop when cancelled: a replacement
     * thread starts at once, so the pool keeps its capacity. The thread rejoins (and the pool shrinks
     * back) when its task ends.
     *
     * @param thread a guest thread of this pool that is still running its task
     * @return false when the budget of written-off threads is spent (nothing was replaced)
     */
    public synchronized boolean abandon(Thread thread) {
        if (abandoned >= abandonBudget || !writtenOff.add(thread)) {
            return false;
        }
        abandoned++;
        abandonedTotal.incrementAndGet();
        pool.setMaximumPoolSize(threads + abandoned);
        pool.setCorePoolSize(threads + abandoned);
        pool.prestartCoreThread();
        return true;
    }

    private synchronized void returned() {
        abandoned--;
        returnedTotal.incrementAndGet();
        pool.setCorePoolSize(threads + abandoned);
        pool.setMaximumPoolSize(threads + abandoned);
    }

    /** The configured number of guest threads (the serving capacity). */
    public int threads() {
        return threads;
    }

    /** Threads written off now (still running a guest that did not stop). */
    public synchronized int abandonedNow() {
        return abandoned;
    }

    /** Threads written off since start. */
    public long abandonedTotal() {
        return abandonedTotal.get();
    }

    /** Written-off threads that returned since start. */
    public long returnedTotal() {
        return returnedTotal.get();
    }

    /** Most threads written off at once. */
    public int abandonBudget() {
        return abandonBudget;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
