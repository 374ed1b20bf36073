package dev.atoll.runtime.internal;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded pool of platform threads guest code runs on (per-thread CPU and allocation counters do
 * not work on virtual threads). A full pool with a full queue rejects: the call is shed, not queued
 * without bound.
 */
public final class GuestExecutor implements AutoCloseable {

    private final ThreadPoolExecutor pool;

    /**
     * @param threads number of guest threads
     * @param queueCapacity calls that may wait for a thread
     * @param stackBytes stack size of each guest thread (bounds guest recursion depth)
     */
    public GuestExecutor(int threads, int queueCapacity, long stackBytes) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(null, r, "atoll-guest-" + n.incrementAndGet(), stackBytes);
            t.setDaemon(true);
            return t;
        };
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
        return pool.submit(task);
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
