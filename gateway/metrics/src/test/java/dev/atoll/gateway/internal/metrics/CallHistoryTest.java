package dev.atoll.gateway.internal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The Overview's ring of meter samples: bounded to an hour, the hour and each minute are differences
 * of cumulative totals, and p50/p99 are interpolated in the exported buckets.
 */
class CallHistoryTest {

    /** Totals with {@code calls} calls, all ok, all in the bucket of index {@code bucket}. */
    private static CallHistory.Totals totals(long calls, int bucket) {
        long[] le = new long[GatewayMetrics.CALL_BUCKETS.size()];
        for (int i = bucket; i < le.length; i++) {
            le[i] = calls;
        }
        return new CallHistory.Totals(calls, Map.of("ok", calls), le, calls, 0);
    }

    @Test
    void twoHoursOfSamplesKeepOneHourAndTheHourIsADifference() {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        AtomicReference<CallHistory.Totals> meters = new AtomicReference<>(CallHistory.Totals.ZERO);
        CallHistory h = new CallHistory(clock::get, meters::get, Duration.ofSeconds(5));
        long calls = 0;
        for (int i = 0; i < 2 * 720; i++) { // two hours, one call per second, all in the 10-25 ms bucket
            clock.addAndGet(5000);
            calls += 5;
            meters.set(totals(calls, 5));
            h.sample();
            assertTrue(h.samples() <= 720 + 2, "bounded: " + h.samples());
        }
        CallHistory.Summary s = h.summary();
        assertEquals(3600, s.calls(), "the last hour only");
        assertEquals(Map.of("ok", 3600L), s.outcomes());
        assertEquals(3600, s.warmHits());
        assertEquals(0, s.coldShare());
        // Interpolated in (10 ms, 25 ms] as histogram_quantile: 10 + 15 * q.
        assertEquals(10 + 15 * 0.5, s.p50Ms(), 1e-9);
        assertEquals(10 + 15 * 0.99, s.p99Ms(), 1e-9);
        assertEquals(60, s.points().size());
        CallHistory.Point full = s.points().get(30);
        assertEquals(1.0, full.callsPerSecond(), 1e-9, "a whole minute: 60 calls in 60 s");
    }

    @Test
    void aNodeYoungerThanAnHourCountsFromItsStart() {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        AtomicReference<CallHistory.Totals> meters = new AtomicReference<>(CallHistory.Totals.ZERO);
        CallHistory h = new CallHistory(clock::get, meters::get, Duration.ofSeconds(5));
        clock.addAndGet(10_000);
        meters.set(totals(7, 0));
        CallHistory.Summary s = h.summary(); // read live, before any sample
        assertEquals(7, s.calls());
        assertEquals(0.5 * 0.5, s.p50Ms(), 1e-9, "in the first bucket (0, 0.5 ms]");
        assertThrows(IllegalArgumentException.class, () -> new CallHistory(clock::get, meters::get, Duration.ZERO));
    }
}
