package dev.atoll.runtime.internal;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.ThreadMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.graalvm.polyglot.Context;
import org.jspecify.annotations.Nullable;

/**
 * Enforces CPU, memory and wall limits of running calls from one platform thread. Every tick it reads
 * each guest thread's CPU time and allocated bytes; a call past a budget is marked with its
 * {@link Violation} and its context is closed with cancellation on a separate thread, so one slow
 * cancellation never delays the others.
 *
 * <p>Allocation counts are per thread, so a call that allocates fast enough can still exhaust a heap
 * shared with other calls. The heap guard covers that: after any GC that leaves the heap above
 * {@code heapGuardRatio} of its maximum, the running call that allocated most is cancelled as
 * {@link Violation#MEMORY}.
 */
public final class Watchdog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Watchdog.class.getName());

    /** Share of the maximum heap a call must have allocated to be cancelled by the heap guard. */
    private static final double SUSPECT_SHARE = 0.05;

    private final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final Set<Monitor> active = ConcurrentHashMap.newKeySet();
    private final Set<Step> steps = ConcurrentHashMap.newKeySet();
    /** Whether the watchdog thread is parked (or about to park) with no call and no step to watch. */
    private volatile boolean idle;
    /**
     * Whether the watchdog thread saw a call to watch and parks for at most one tick: a new call is then
     * checked within a tick without waking it (each wake-up is a futex call and an early check).
     */
    private volatile boolean ticking;

    private final long tickNanos;
    private final double heapGuardRatio;
    private final Thread thread;
    private final ExecutorService cancellers;
    private final NotificationListener gcListener = this::afterGc;
    private volatile boolean heapPressure;
    private volatile boolean running = true;

    /**
     * @param tick how often running calls are checked
     * @param heapGuardRatio fraction of the maximum heap that, still used after a GC, triggers the guard
     */
    public Watchdog(Duration tick, double heapGuardRatio) {
        if (!threads.isThreadCpuTimeSupported() || !threads.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM cannot measure per-thread CPU time and allocation;"
                    + " Atoll cannot enforce limits without them");
        }
        threads.setThreadCpuTimeEnabled(true);
        threads.setThreadAllocatedMemoryEnabled(true);
        this.tickNanos = tick.toNanos();
        this.heapGuardRatio = heapGuardRatio;
        // Four threads started now, from this normal-priority thread, and kept: a thread started later
        // from a low-priority guest thread (a cancel requested by the guest's own memory signal) would
        // inherit its OS priority. More are started, and end when idle, only under a burst of cancels.
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(
                4, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "atoll-canceller");
                    t.setDaemon(true);
                    return t;
                });
        pool.prestartAllCoreThreads();
        this.cancellers = pool;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(gcListener, null, null);
            }
        }
        this.thread = Thread.ofPlatform().name("atoll-watchdog").daemon(true).unstarted(this::loop);
        thread.setPriority(Thread.MAX_PRIORITY);
        thread.start();
    }

    /**
     * Starts watching the calling thread, which is about to run guest code; attach the context to
     * the monitor as soon as it exists.
     *
     * @param cpuBudgetNanos CPU budget
     * @param memoryBudgetBytes allocation budget
     * @param deadlineNanos {@link System#nanoTime()} deadline
     * @return the monitor; close it when the guest code is done
     */
    public Monitor watch(long cpuBudgetNanos, long memoryBudgetBytes, long deadlineNanos) {
        Thread current = Thread.currentThread();
        if (current.isVirtual()) {
            throw new IllegalStateException("guest code must run on a platform thread: CPU time and "
                    + "allocation of virtual threads cannot be measured");
        }
        Monitor m = new Monitor(
                current,
                threads.getCurrentThreadCpuTime(),
                threads.getCurrentThreadAllocatedBytes(),
                cpuBudgetNanos,
                memoryBudgetBytes,
                deadlineNanos);
        active.add(m);
        // Added before the flag is read, and the loop clears the flag before it looks at the calls:
        // either it is ticking and sees this call within a tick, or it is woken here.
        if (!ticking) {
            LockSupport.unpark(thread);
        }
        return m;
    }

    private void loop() {
        while (running) {
            ticking = false;
            if (active.isEmpty()) {
                // Only steps to watch: their deadlines are seconds away, so a step needs no wake-up of
                // its own (watchStep is on every call's path) and a coarse look will do.
                if (!steps.isEmpty()) {
                    LockSupport.parkNanos(this, STEP_LOOK_NANOS);
                    checkSteps(System.nanoTime());
                    continue;
                }
                // Nothing to watch: park until a call or a step arrives. The flag is set before the
                // last look at the steps, so a step added meanwhile either is seen here or sees the flag.
                idle = true;
                if (steps.isEmpty() && active.isEmpty()) {
                    LockSupport.park(this);
                }
                idle = false;
                continue;
            }
            ticking = true;
            LockSupport.parkNanos(this, tickNanos);
            try {
                check();
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "watchdog check failed", e);
            }
        }
    }

    /**
     * Watches a stretch of Atoll's own work on a guest thread that has no limits of its own but must
     * not pin the thread (closing a call's context after its caller was answered): when it has not
     * ended by {@code deadlineNanos}, {@code onOverrun} runs once, on a watchdog thread.
     *
     * @param deadlineNanos {@link System#nanoTime()} deadline
     * @param onOverrun what to do about a step that did not end in time (write its thread off)
     * @return the step; close it when the work is done
     */
    public Step watchStep(long deadlineNanos, Runnable onOverrun) {
        Step s = new Step(deadlineNanos, onOverrun);
        steps.add(s);
        if (idle) {
            LockSupport.unpark(thread); // parked with nothing to watch: start its coarse looks
        }
        return s;
    }

    /** A watched stretch of Atoll's own work; see {@link #watchStep}. */
    public final class Step implements AutoCloseable {
        private final long deadline;
        private final Runnable onOverrun;

        private Step(long deadline, Runnable onOverrun) {
            this.deadline = deadline;
            this.onOverrun = onOverrun;
        }

        /** Ends the watch; {@code onOverrun} does not run after this returns unless it already started. */
        @Override
        public void close() {
            steps.remove(this);
        }
    }

    /** How often steps are looked at while no call is watched. */
    private static final long STEP_LOOK_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(500);

    @SuppressWarnings("ModifyCollectionInEnhancedForLoop") // a concurrent set: its iterator allows removal
    private void checkSteps(long now) {
        for (Step s : steps) {
            if (now - s.deadline > 0 && steps.remove(s)) {
                try {
                    cancellers.execute(s.onOverrun);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // closing
                }
            }
        }
    }

    private void check() {
        long now = System.nanoTime();
        if (!steps.isEmpty()) {
            checkSteps(now);
        }
        boolean pressure = heapPressure;
        Monitor biggest = null;
        long biggestAllocated = -1;
        for (Monitor m : active) {
            long cpu = threads.getThreadCpuTime(m.threadId);
            long allocated = threads.getThreadAllocatedBytes(m.threadId);
            if (cpu < 0 || allocated < 0) {
                continue; // thread ended between the call's end and its close()
            }
            m.lastCpu = cpu; // also after a trip: the receipt of a guest that ignores it keeps counting
            m.lastAllocated = allocated;
            if (m.violation.get() != null) {
                continue;
            }
            if (m.inSetup) { // Atoll's own set-up of the context: only the wall deadline applies
                if (now - m.deadline > 0) {
                    trip(m, Violation.WALL);
                }
                continue;
            }
            long cpuUsed = cpu - m.cpuStart;
            long allocatedUsed = allocated - m.allocatedStart;
            if (allocatedUsed > m.memoryBudget) {
                trip(m, Violation.MEMORY);
            } else if (cpuUsed > m.cpuBudget) {
                trip(m, Violation.CPU);
            } else if (now - m.deadline > 0) {
                trip(m, Violation.WALL);
            } else if (allocatedUsed > biggestAllocated) {
                biggest = m;
                biggestAllocated = allocatedUsed;
            }
        }
        if (pressure) {
            heapPressure = false;
            // Leftover garbage of calls that already ended also shows up as heap in use after a young GC:
            // only a call that itself allocated a real share of the heap is a suspect.
            if (biggest != null && biggestAllocated >= Runtime.getRuntime().maxMemory() * SUSPECT_SHARE) {
                LOG.warning("heap guard: heap still above " + (int) (heapGuardRatio * 100)
                        + "% after GC; cancelling the call that allocated most (" + biggestAllocated + " bytes)");
                trip(biggest, Violation.MEMORY);
            }
        }
    }

    void trip(Monitor m, Violation v) {
        if (m.violation.compareAndSet(null, v)) {
            m.cpuAtTrip = threads.getThreadCpuTime(m.threadId);
            m.trippedAt = System.nanoTime();
            // A guest thread waiting in its event loop for timers or host completions wakes up and stops.
            LockSupport.unpark(m.thread);
            Context c = m.context;
            if (c != null) {
                cancel(c);
            }
        }
    }

    /**
     * Stops the guest code running in {@code c}. Uses {@link Context#interrupt(Duration)}, repeated,
     * rather than one {@code close(true)}: a cancellation Truffle throws at a safepoint right at the
     * stack limit can overflow and turn into a catchable RangeError (seen with a recursion that catches
     * stack overflow and recurses again), and a single cancel then never lands. Each interrupt is a new
     * request, so one of them lands at a shallower frame. The guest thread closes the context itself
     * once it is out.
     */
    private void cancel(Context c) {
        cancellers.execute(() -> {
            for (int attempt = 0; attempt < MAX_INTERRUPTS; attempt++) {
                try {
                    c.interrupt(Duration.ofMillis(INTERRUPT_WAIT_MS));
                    return;
                } catch (java.util.concurrent.TimeoutException e) {
                    // still running: ask again
                } catch (RuntimeException e) {
                    return; // closed meanwhile
                }
            }
            LOG.severe("a cancelled call ignored " + MAX_INTERRUPTS + " interrupts; closing its context");
            try {
                c.close(true);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "closing a cancelled context", e);
            }
        });
    }

    private static final int MAX_INTERRUPTS = 500;
    private static final long INTERRUPT_WAIT_MS = 10;

    private void afterGc(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long used = 0;
        for (MemoryUsage u : info.getGcInfo().getMemoryUsageAfterGc().values()) {
            used += u.getUsed();
        }
        long max = Runtime.getRuntime().maxMemory();
        if (used > heapGuardRatio * max && !active.isEmpty()) {
            heapPressure = true;
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                try {
                    emitter.removeNotificationListener(gcListener);
                } catch (javax.management.ListenerNotFoundException e) {
                    // not registered on this bean
                }
            }
        }
        cancellers.shutdown();
        try {
            cancellers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One watched stretch of guest code on one thread. */
    public final class Monitor implements AutoCloseable {
        private final Thread thread;
        private final long threadId;
        private volatile @Nullable Context context;
        private volatile long cpuStart;
        private volatile boolean inSetup;
        private volatile long allocatedStart;
        private final long cpuBudget;
        private final long memoryBudget;
        private final long deadline;
        private final AtomicReference<Violation> violation = new AtomicReference<>();
        private volatile long trippedAt;
        /** The watched thread's last readings by the watchdog, for when it has ended (JMX then says -1). */
        private volatile long lastCpu;

        private volatile long lastAllocated;
        private volatile long cpuAtTrip;

        Monitor(Thread thread, long cpuStart, long allocatedStart, long cpuBudget, long memoryBudget, long deadline) {
            this.thread = thread;
            this.threadId = thread.threadId();
            this.cpuStart = cpuStart;
            this.allocatedStart = allocatedStart;
            this.cpuBudget = cpuBudget;
            this.memoryBudget = memoryBudget;
            this.deadline = deadline;
        }

        /**
         * Sets the context to cancel on a violation; cancels it at once if one already happened.
         *
         * @param c the context
         */
        public void attach(Context c) {
            this.context = c;
            if (violation.get() != null) {
                cancel(c);
            }
        }

        /**
         * Marks a violation found by the guest side (an allocation refused up front) and cancels.
         *
         * @param v the violation
         */
        public void trip(Violation v) {
            Watchdog.this.trip(this, v);
        }

        /**
         * Suspends the CPU and allocation limits (the wall deadline stays) until {@link #rebase()}:
         * called on the watched thread before work that is Atoll's, not the tool's, such as creating a
         * context and installing its bootstrap and bindings.
         */
        public void beginSetup() {
            inSetup = true;
        }

        /**
         * Restarts the CPU and allocation accounting from now and ends a {@link #beginSetup() set-up}
         * (the wall deadline stays). Called on the watched thread after work that is Atoll's.
         */
        public void rebase() {
            allocatedStart = threads.getCurrentThreadAllocatedBytes();
            cpuStart = threads.getCurrentThreadCpuTime();
            inSetup = false;
        }

        /** CPU nanoseconds the watched thread has used since the monitor started. */
        public long cpuUsedNanos() {
            return threads.getCurrentThreadCpuTime() - cpuStart;
        }

        /** Bytes the watched thread has allocated since the monitor started. */
        public long allocatedBytes() {
            return threads.getCurrentThreadAllocatedBytes() - allocatedStart;
        }

        /** The watched thread. */
        public Thread thread() {
            return thread;
        }

        /** How long ago the call was cancelled, or empty if it was not. */
        public java.util.Optional<Duration> sinceCancelled() {
            return violation.get() == null
                    ? java.util.Optional.empty()
                    : java.util.Optional.of(Duration.ofNanos(System.nanoTime() - trippedAt));
        }

        /**
         * CPU nanoseconds the watched thread has used since the call was cancelled (0 if it was not):
         * a guest that ignores its cancellation keeps burning CPU, one starved of CPU (at a low
         * priority on a busy node) does not.
         */
        public long cpuSinceCancelledNanos() {
            if (violation.get() == null) {
                return 0;
            }
            long now = threads.getThreadCpuTime(threadId);
            return now < 0 ? 0 : now - cpuAtTrip;
        }

        /** A receipt-worthy reading taken from another thread: CPU and allocation of the watched thread. */
        public long[] usageFromOutside() {
            // A thread that has ended (a written-off guest thread whose guest finally stopped) reads -1:
            // use the watchdog's last reading then, never a negative usage.
            long cpu = threads.getThreadCpuTime(threadId);
            long allocated = threads.getThreadAllocatedBytes(threadId);
            return new long[] {
                Math.max(0, (cpu < 0 ? lastCpu : cpu) - cpuStart),
                Math.max(0, (allocated < 0 ? lastAllocated : allocated) - allocatedStart)
            };
        }

        /** The limit this call was cancelled for, if any. */
        public java.util.Optional<Violation> violation() {
            return java.util.Optional.ofNullable(violation.get());
        }

        /** Stops watching. */
        @Override
        public void close() {
            active.remove(this);
        }
    }
}
