package dev.atoll.runtime.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Gives threads that inherited a low OS priority their normal priority back. On Linux a new thread
 * starts at its creator's nice value, so a pool of another library that creates threads lazily from
 * whichever thread first needs one (Truffle's compiler threads, the carrier threads of virtual
 * threads, which {@code ForkJoinPool} starts from the thread that schedules work) gets a nice-19
 * thread when that thread is a guest thread on probation or written off. Such a thread would then
 * serve everyone at the lowest priority, for as long as it lives.
 *
 * <p>The lanes {@linkplain #markLow register} the threads that are meant to be low. While any of them
 * is busy, and once more after it stops, a sweeper looks at every thread of the process every
 * {@link #PERIOD_MS} ms (the entries of {@code /proc/self/task}) and sets any other thread whose nice
 * value is above the process's back to it. Lowering a nice value needs {@code CAP_SYS_NICE} or an
 * {@code RLIMIT_NICE} that allows it: without either the sweeper cannot repair the thread, logs that
 * once per thread at {@code WARNING} and counts it ({@link #unrepaired()}).
 *
 * <p>One per JVM (thread priorities are the process's): every runtime's lanes share it.
 */
final class InheritedPriority {

    private static final Logger LOG = Logger.getLogger(InheritedPriority.class.getName());
    /** How often the sweeper looks while a low thread is busy. */
    static final long PERIOD_MS = 200;

    private static final Path TASKS = Path.of("/proc/self/task");

    private static final InheritedPriority INSTANCE = new InheritedPriority();

    /** OS thread ids meant to run at a low priority (probation lanes, written-off threads). */
    private final Set<Integer> low = ConcurrentHashMap.newKeySet();
    /** Low threads running a task now: while any is, the sweeper keeps looking. */
    private final AtomicInteger busy = new AtomicInteger();
    /** Set when a low thread started or ended a task: one more sweep is owed. */
    private final AtomicBoolean owed = new AtomicBoolean();

    private final Set<Integer> warned = ConcurrentHashMap.newKeySet();
    private final AtomicLong repaired = new AtomicLong();
    private final AtomicLong unrepaired = new AtomicLong();
    private final int normal;
    private volatile @Nullable Thread sweeper;

    private InheritedPriority() {
        normal = OsPriority.nice((int) ProcessHandle.current().pid()).orElse(0);
    }

    /** The JVM's instance. */
    static InheritedPriority get() {
        return INSTANCE;
    }

    /**
     * Starts the sweeper if it is not running. Called where a lane is built, on a thread of normal
     * priority, so that the sweeper does not itself start at a low one.
     */
    void start() {
        if (!OsPriority.available() || !Files.isDirectory(TASKS) || sweeper != null) {
            return;
        }
        synchronized (this) {
            if (sweeper == null) {
                Thread t = Thread.ofPlatform()
                        .daemon()
                        .name("atoll-priority-sweeper")
                        .unstarted(this::sweepLoop);
                sweeper = t;
                t.start();
            }
        }
    }

    /**
     * Registers a thread as meant to run at a low priority. Call before lowering it.
     *
     * @param tid its OS thread id
     */
    void markLow(int tid) {
        low.add(tid);
    }

    /**
     * Forgets a thread that ended (its id may be reused by a new thread).
     *
     * @param tid its OS thread id
     */
    void forget(int tid) {
        low.remove(tid);
    }

    /** A low thread starts work that may create threads: sweep while it runs. */
    void busy() {
        busy.incrementAndGet();
        owed.set(true);
        wake();
    }

    /** A low thread's work ended: one more sweep catches what it created at the end. */
    void idle() {
        busy.decrementAndGet();
        owed.set(true);
        wake();
    }

    private void wake() {
        Thread t = sweeper;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Threads given their normal priority back since start. */
    long repaired() {
        return repaired.get();
    }

    /** Threads found with an inherited low priority that could not be given it back (no privilege). */
    long unrepaired() {
        return unrepaired.get();
    }

    /** The nice value threads normally run at: the process's. */
    int normal() {
        return normal;
    }

    private void sweepLoop() {
        OsPriority.currentThreadId().ifPresent(tid -> {
            if (OsPriority.nice(tid).orElse(normal) != normal) {
                OsPriority.setNice(tid, normal);
            }
        });
        while (true) {
            if (busy.get() > 0 || owed.getAndSet(false)) {
                try {
                    sweep();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "could not look at the process's threads' priorities", e);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PERIOD_MS));
            } else {
                LockSupport.park(this);
            }
        }
    }

    /** One look at every thread of the process. */
    void sweep() {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                int tid;
                try {
                    tid = Integer.parseInt(task.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (low.contains(tid)) {
                    continue;
                }
                Optional<Integer> nice = OsPriority.nice(tid);
                if (nice.isEmpty() || nice.get() <= normal || low.contains(tid)) {
                    continue; // ended, normal, or registered since (a new lane thread lowers itself)
                }
                if (OsPriority.setNice(tid, normal)) {
                    repaired.incrementAndGet();
                    LOG.fine(
                            () -> "thread " + name(task) + " had inherited nice " + nice.get() + "; back to " + normal);
                } else if (warned.add(tid) && Files.exists(task)) {
                    unrepaired.incrementAndGet();
                    LOG.warning("thread " + name(task) + " inherited nice " + nice.get() + " from a low-priority guest"
                            + " thread and cannot be given nice " + normal + " back (that needs CAP_SYS_NICE or an"
                            + " RLIMIT_NICE of at least " + (20 - normal) + "); it runs at the lower priority");
                }
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "could not list " + TASKS, e);
        }
    }

    private static String name(Path task) {
        try {
            return "'"
                    + Files.readString(task.resolve("comm"), StandardCharsets.UTF_8)
                            .strip() + "' (" + task.getFileName() + ")";
        } catch (IOException | RuntimeException e) {
            return task.getFileName().toString();
        }
    }
}
