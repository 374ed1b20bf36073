package dev.atoll.runtime.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The watchdog's readings of a guest thread. */
class WatchdogTest {

    /**
     * A receipt taken from outside after the watched thread ended (a written-off guest thread that
     * finally stopped) used JMX's -1 for "no such thread" and reported negative CPU and allocation
     * (seen in a full suite: {@code "cpuMs":-12966}).
     */
    @Test
    void usageOfAThreadThatHasEndedIsItsLastReadingNeverNegative() throws Exception {
        try (Watchdog watchdog = new Watchdog(Duration.ofMillis(5), 0.9)) {
            AtomicReference<Watchdog.Monitor> monitor = new AtomicReference<>();
            Thread guest = Thread.ofPlatform().start(() -> {
                Watchdog.Monitor m =
                        watchdog.watch(Long.MAX_VALUE, Long.MAX_VALUE, System.nanoTime() + 60_000_000_000L);
                monitor.set(m);
                long end = System.nanoTime() + 50_000_000L;
                long x = 0;
                while (System.nanoTime() < end) { // some CPU and allocation for the watchdog to read
                    x += new byte[64].length;
                }
                assertTrue(x > 0);
                // ends without closing its monitor, like a written-off thread whose guest stopped late
            });
            guest.join();
            long[] usage = monitor.get().usageFromOutside();
            assertTrue(usage[0] >= 0, "CPU " + usage[0]);
            assertTrue(usage[1] >= 0, "allocated " + usage[1]);
            monitor.get().close();
        }
    }

    /**
     * A watched step (closing a context after the caller was answered) that overruns its deadline has
     * its handler run once, while the watchdog has no call to watch; a step closed in time never does.
     */
    @Test
    void aStepPastItsDeadlineIsReportedOnceAndAClosedStepNever() throws Exception {
        try (Watchdog watchdog = new Watchdog(Duration.ofMillis(5), 0.9)) {
            AtomicInteger closedInTime = new AtomicInteger();
            long far = System.nanoTime() + Duration.ofMillis(200).toNanos();
            watchdog.watchStep(far, closedInTime::incrementAndGet).close();

            AtomicInteger overruns = new AtomicInteger();
            CountDownLatch reported = new CountDownLatch(1);
            Watchdog.Step stuck =
                    watchdog.watchStep(System.nanoTime() + Duration.ofMillis(50).toNanos(), () -> {
                        overruns.incrementAndGet();
                        reported.countDown();
                    });
            assertTrue(reported.await(30, TimeUnit.SECONDS), "the overrun step was never reported");
            // Past the closed step's deadline too, with more ticks: neither runs (again).
            await().pollDelay(Duration.ZERO)
                    .atMost(Duration.ofSeconds(30))
                    .until(() ->
                            System.nanoTime() - far > Duration.ofMillis(100).toNanos());
            stuck.close();
            assertEquals(1, overruns.get());
            assertEquals(0, closedInTime.get());
        }
    }

    /**
     * Steps added at the same moment by several threads to an idle watchdog are all reported: the
     * wake-up of an idle watchdog does not depend on which add came first (two adds that each saw the
     * other's step could both skip it, leaving the watchdog parked with steps to watch).
     */
    @Test
    void stepsAddedTogetherToAnIdleWatchdogAreAllReported() throws Exception {
        try (Watchdog watchdog = new Watchdog(Duration.ofMillis(5), 0.9)) {
            for (int round = 0; round < 20; round++) {
                int threads = 4;
                CountDownLatch go = new CountDownLatch(1);
                CountDownLatch reported = new CountDownLatch(threads);
                java.util.List<Watchdog.Step> added = new java.util.concurrent.CopyOnWriteArrayList<>();
                java.util.List<Thread> adders = new java.util.ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    adders.add(Thread.ofPlatform().start(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        added.add(watchdog.watchStep(
                                System.nanoTime() + Duration.ofMillis(20).toNanos(), reported::countDown));
                    }));
                }
                go.countDown();
                for (Thread a : adders) {
                    a.join();
                }
                assertTrue(
                        reported.await(30, TimeUnit.SECONDS),
                        "round " + round + ": " + reported.getCount() + " of " + threads
                                + " overrun steps never reported");
                added.forEach(Watchdog.Step::close);
            }
        }
    }
}
