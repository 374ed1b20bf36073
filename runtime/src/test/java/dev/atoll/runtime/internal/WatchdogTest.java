package dev.atoll.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
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
                Watchdog.Monitor m = watchdog.watch(Long.MAX_VALUE, Long.MAX_VALUE, System.nanoTime() + 60_000_000_000L);
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
}
