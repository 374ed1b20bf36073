package dev.atoll.runtime.internal;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The bounded pools of platform threads guest code runs on (per-thread CPU and allocation counters do
 * not work on virtual threads), one per {@link Lane}. A lane whose threads are all busy and whose
 * queue is full rejects: the call is shed, not queued without bound.
 *
 * <p>A thread whose guest does not take its cancellation can be {@linkplain #abandon(Thread) written
 * off}: its lane starts a new thread at once, so the lane's serving capacity stays {@code threads},
 * and the written-off thread gets the lowest OS priority (it keeps only CPU that nothing else wants)
 * and ends when its guest finally stops. At most {@code abandonBudget} threads are written off at a
 * time, across lanes; beyond that the capacity is reduced until one returns.
 */
public final class GuestExecutor implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GuestExecutor.class.getName());

    /** Where a task runs. */
    public enum Lane {
        /** Calls of tools in good standing, at normal OS priority. */
        NORMAL("atoll-guest-", 0),
        /**
         * Calls (and context set-up) of tools on probation (a recent call ended past a CPU or memory
         * limit, or did not stop), at the lowest OS priority: they get the CPU that calls in the
         * normal lane leave.
         */
        PROBATION("atoll-guest-low-", OsPriority.LOWEST),
        /** Setting up contexts ahead of calls (warm contexts), at normal OS priority. */
        SETUP("atoll-setup-", 0);

        private final String prefix;
        private final int nice;

        Lane(String prefix, int nice) {
            this.prefix = prefix;
            this.nice = nice;
        }
    }

    private final int threads;
    private final int abandonBudget;
    private final long stackBytes;
    private final Map<Lane, BlockingQueue<Runnable>> queues = new EnumMap<>(Lane.class);
    private final Map<Lane, AtomicInteger> names = new EnumMap<>(Lane.class);
    /** Live threads: their lane and OS thread id (-1 where unknown). */
    private final Map<Thread, Worker> workers = new ConcurrentHashMap<>();

    private final Set<Thread> writtenOff = ConcurrentHashMap.newKeySet();
    private final AtomicLong abandonedTotal = new AtomicLong();
    private final AtomicLong returnedTotal = new AtomicLong();
    private int abandoned;
    private volatile boolean closed;

    /**
     * @param threads number of guest threads per lane
     * @param queueCapacity tasks that may wait for a thread, per lane
     * @param stackBytes stack size of each guest thread (bounds guest recursion depth)
     * @param abandonBudget most threads written off at once, each replaced by a new one
     */
    public GuestExecutor(int threads, int queueCapacity, long stackBytes, int abandonBudget) {
        this.threads = threads;
        this.abandonBudget = abandonBudget;
        this.stackBytes = stackBytes;
        for (Lane lane : Lane.values()) {
            queues.put(lane, new ArrayBlockingQueue<>(queueCapacity));
            names.put(lane, new AtomicInteger());
        }
        InheritedPriority.get().start();
        for (Lane lane : Lane.values()) {
            for (int i = 0; i < threads; i++) {
                spawn(lane);
            }
        }
    }

    /** The lane's queue (the constructor made one for every lane). */
    private BlockingQueue<Runnable> queue(Lane lane) {
        return Objects.requireNonNull(queues.get(lane), "queue");
    }

    /** The lane's thread-name counter (the constructor made one for every lane). */
    private AtomicInteger names(Lane lane) {
        return Objects.requireNonNull(names.get(lane), "names");
    }

    private void spawn(Lane lane) {
        Thread t = new Thread(null, () -> work(lane), lane.prefix + names(lane).incrementAndGet(), stackBytes);
        t.setDaemon(true);
        workers.put(t, new Worker(lane, -1));
        t.start();
    }

    private void work(Lane lane) {
        Thread me = Thread.currentThread();
        Optional<Integer> tid = OsPriority.currentThreadId();
        boolean low = lane.nice > InheritedPriority.get().normal();
        tid.ifPresent(id -> {
            workers.put(me, new Worker(lane, id));
            if (low) {
                InheritedPriority.get().markLow(id);
            }
            // A thread inherits its creator's nice value: set the lane's own, in both directions (raising
            // priority back to 0 fails without privilege; say so, as the lane then runs below normal).
            if (OsPriority.nice(id).orElse(lane.nice) != lane.nice && !OsPriority.setNice(id, lane.nice)) {
                LOG.warning("guest thread " + me.getName() + " cannot take OS priority " + lane.nice);
            }
        });
        BlockingQueue<Runnable> queue = queue(lane);
        boolean replaced = false;
        try {
            while (!closed) {
                Runnable task;
                try {
                    task = queue.take();
                } catch (InterruptedException e) {
                    continue; // closing (the loop ends), or an interrupt that was meant for a call that ended
                }
                if (low) {
                    InheritedPriority.get().busy(); // threads it makes now start low: have them repaired
                }
                try {
                    task.run();
                } finally {
                    if (low) {
                        InheritedPriority.get().idle();
                    }
                }
                // Cancelling a call interrupts the threads in its context (Context.interrupt, the
                // watchdog's repeated cancels): one that lands after the guest left must not end this
                // thread in its next take() as if the executor were closing (a lane silently lost its
                // only thread that way, and every later call was shed).
                Thread.interrupted();
                if (writtenOff.remove(me)) {
                    InheritedPriority.get().idle();
                    returned();
                    replaced = true;
                    return; // it runs at the lowest priority now: a fresh thread took its place
                }
            }
        } finally {
            workers.remove(me);
            tid.ifPresent(InheritedPriority.get()::forget);
            if (!closed && !replaced) { // an Error out of the loop: the lane must not lose capacity silently
                LOG.severe("guest thread " + me.getName() + " ended unexpectedly; starting a new one");
                spawn(lane);
            }
        }
    }

    /**
     * Submits a task to the normal lane.
     *
     * @param task the work
     * @param <T> its result type
     * @return the task's future
     * @throws RejectedExecutionException when at capacity or shut down
     */
    public <T> Future<T> submit(Callable<T> task) {
        return submit(Lane.NORMAL, task);
    }

    /**
     * Submits a task, or rejects it when the lane's threads and queue are full.
     *
     * @param lane where it runs
     * @param task the work
     * @param <T> its result type
     * @return the task's future
     * @throws RejectedExecutionException when at capacity or shut down
     */
    public <T> Future<T> submit(Lane lane, Callable<T> task) {
        FutureTask<T> f = new FutureTask<>(task);
        if (closed || !queue(lane).offer(f)) {
            throw new RejectedExecutionException("no guest thread free and the queue of lane " + lane + " is full");
        }
        if (closed && queue(lane).remove(f)) {
            throw new RejectedExecutionException("the runtime is closed");
        }
        return f;
    }

    /**
     * Writes off {@code thread}, which runs a guest that did not stop when cancelled: a replacement
     * thread starts at once in its lane, so the lane keeps its capacity, and the written-off thread
     * drops to the lowest OS priority. It ends when its task ends.
     *
     * @param thread a guest thread of this executor that is still running its task
     * @return false when the budget of written-off threads is spent (nothing was replaced)
     */
    public synchronized boolean abandon(Thread thread) {
        Worker w = workers.get(thread);
        if (w == null || abandoned >= abandonBudget || !writtenOff.add(thread)) {
            return false;
        }
        abandoned++;
        abandonedTotal.incrementAndGet();
        if (w.tid() >= 0) {
            InheritedPriority.get().markLow(w.tid());
        }
        InheritedPriority.get().busy(); // until its task ends: what it creates meanwhile starts low
        if (w.tid() >= 0 && !OsPriority.setNice(w.tid(), OsPriority.LOWEST)) {
            LOG.warning("could not lower the OS priority of written-off guest thread " + thread.getName());
        }
        spawn(w.lane());
        return true;
    }

    private record Worker(Lane lane, int tid) {}

    private synchronized void returned() {
        abandoned--;
        returnedTotal.incrementAndGet();
    }

    /**
     * The OS nice value of a thread of this executor, where the OS has one (for tests and diagnostics).
     *
     * @param thread a guest thread
     * @return its nice value, or empty
     */
    public Optional<Integer> niceOf(Thread thread) {
        Worker w = workers.get(thread);
        return w == null || w.tid() < 0 ? Optional.empty() : OsPriority.nice(w.tid());
    }

    /** Whether the calling thread is one of this executor's low-priority threads (probation lane or written off). */
    public boolean onLowPriorityThread() {
        Thread me = Thread.currentThread();
        Worker w = workers.get(me);
        return w != null && (w.lane() == Lane.PROBATION || writtenOff.contains(me));
    }

    /**
     * Threads of the process that had inherited a low priority from a guest thread and were given
     * their normal priority back, since start (all runtimes of the JVM).
     */
    public static long inheritedPriorityRepaired() {
        return InheritedPriority.get().repaired();
    }

    /**
     * Threads of the process found with a low priority inherited from a guest thread that could not be
     * given their normal priority back (the process lacks the privilege), since start.
     */
    public static long inheritedPriorityUnrepaired() {
        return InheritedPriority.get().unrepaired();
    }

    /** Whether threads can be given OS priorities here (Linux). */
    public static boolean prioritiesAvailable() {
        return OsPriority.available();
    }

    /** The configured number of guest threads per lane (the serving capacity). */
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

    /** Guest threads still alive (after {@link #close()}: those whose guest never stopped). */
    public int liveThreads() {
        return workers.size();
    }

    /** Most threads written off at once. */
    public int abandonBudget() {
        return abandonBudget;
    }

    /** Interrupts every thread (cancelling running work) and waits up to 10 s for them to end. */
    @Override
    public void close() {
        closed = true;
        for (BlockingQueue<Runnable> q : queues.values()) {
            Runnable r;
            while ((r = q.poll()) != null) {
                if (r instanceof Future<?> f) {
                    f.cancel(false);
                }
            }
        }
        Set<Thread> all = Set.copyOf(workers.keySet());
        all.forEach(Thread::interrupt);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Thread t : all) {
            try {
                long left = deadline - System.nanoTime();
                if (left > 0 && !writtenOff.contains(t)) {
                    t.join(java.time.Duration.ofNanos(left));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
