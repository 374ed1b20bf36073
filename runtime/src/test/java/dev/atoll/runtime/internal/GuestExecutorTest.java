package dev.atoll.runtime.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The guest threads survive interrupts that outlive the call they were meant for. Cancelling a call
 * interrupts the threads in its context (and {@code Future.cancel(true)} its runner); one that lands
 * after the call ended once ended a runtime's only guest thread in its next wait for work, as if the
 * executor were closing, and every later call was shed at its wall limit.
 */
class GuestExecutorTest {

    @Test
    void anInterruptLeftBehindByATaskDoesNotEndTheThread() throws Exception {
        try (GuestExecutor executor = new GuestExecutor(1, 4, 1 << 20, 1)) {
            Thread first = executor.submit(() -> {
                        Thread.currentThread().interrupt(); // as a cancel that landed just as the call ended
                        return Thread.currentThread();
                    })
                    .get(30, TimeUnit.SECONDS);
            Thread second = executor.submit(Thread::currentThread).get(30, TimeUnit.SECONDS);
            assertSame(first, second, "the lane's only thread serves the next call");
            assertEquals(
                    false,
                    executor.submit(() -> Thread.currentThread().isInterrupted())
                            .get(30, TimeUnit.SECONDS),
                    "a task does not start with the previous call's interrupt pending");
        }
    }

    @Test
    void anInterruptOfAnIdleThreadDoesNotEndIt() throws Exception {
        try (GuestExecutor executor = new GuestExecutor(1, 4, 1 << 20, 1)) {
            Thread worker = executor.submit(Thread::currentThread).get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> worker.getState() == Thread.State.WAITING);
            worker.interrupt();
            assertSame(worker, executor.submit(Thread::currentThread).get(30, TimeUnit.SECONDS));
        }
    }

    /**
     * A pool of another library that starts its threads lazily gets one from a probation-lane guest
     * thread, at that thread's nice 19 (Linux threads inherit it): the sweeper gives it the process's
     * priority back, while the lane's own thread stays low. Without the sweeper the pool's thread
     * stays at nice 19 for as long as it lives (every virtual-thread carrier or compiler thread made
     * that way would serve everyone at the lowest priority).
     */
    @Test
    void aThreadStartedFromAProbationThreadGetsTheNormalPriorityBack() throws Exception {
        Assumptions.assumeTrue(
                GuestExecutor.prioritiesAvailable() && Files.isDirectory(Path.of("/proc/self/task")),
                "Linux thread priorities");
        InheritedPriority priorities = InheritedPriority.get();
        long repairedBefore = priorities.repaired();
        long unrepairedBefore = priorities.unrepaired();
        ForkJoinPool library = new ForkJoinPool(1); // starts its worker when the first task comes
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger libraryTid = new AtomicInteger(-1);
        try (GuestExecutor executor = new GuestExecutor(1, 4, 1 << 20, 1)) {
            Thread low = executor.submit(GuestExecutor.Lane.PROBATION, () -> {
                        library.execute(() -> {
                            libraryTid.set(OsPriority.currentThreadId().orElseThrow());
                            try {
                                release.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
                        return Thread.currentThread();
                    })
                    .get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> libraryTid.get() > 0);
            int tid = libraryTid.get();
            if (canRaise()) {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> OsPriority.nice(tid).orElseThrow() == priorities.normal());
                assertTrue(priorities.repaired() > repairedBefore, "counted as repaired");
            } else {
                await().atMost(Duration.ofSeconds(30)).until(() -> priorities.unrepaired() > unrepairedBefore);
                assertEquals(OsPriority.LOWEST, OsPriority.nice(tid).orElseThrow(), "cannot be repaired here");
            }
            assertEquals(OsPriority.LOWEST, executor.niceOf(low).orElseThrow(), "the probation thread stays low");
        } finally {
            release.countDown();
            library.shutdownNow();
        }
    }

    /** Whether this process may lower a thread's nice value (CAP_SYS_NICE, or an RLIMIT_NICE that allows it). */
    private static boolean canRaise() throws Exception {
        AtomicInteger result = new AtomicInteger();
        Thread probe = Thread.ofPlatform().start(() -> {
            int tid = OsPriority.currentThreadId().orElseThrow();
            OsPriority.setNice(tid, 10);
            result.set(OsPriority.setNice(tid, InheritedPriority.get().normal()) ? 1 : 0);
        });
        probe.join();
        return result.get() == 1;
    }
}
