package dev.atoll.gateway.internal.metrics;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * This node's calls over the last hour, for the web UI's overview, drawn from the node's own meters
 * (the ones {@code /metrics} exports): the gateway {@linkplain #sample() samples} the cumulative totals
 * of {@code atoll_tool_calls_seconds} (count, outcomes, histogram buckets) and of the pool's warm hits
 * and cold starts every few seconds into a bounded ring (an hour of samples); an hour's or a minute's
 * numbers are the difference of two samples, and p50/p99 are interpolated in the histogram's
 * {@link GatewayMetrics#CALL_BUCKETS} as {@code histogram_quantile} does. Thread-safe.
 */
public final class CallHistory {

    /** The window shown. */
    public static final Duration HOUR = Duration.ofHours(1);

    /**
     * Cumulative call meters at one moment.
     *
     * @param calls tools/call through the pipeline
     * @param outcomes calls by outcome
     * @param le cumulative calls per {@link GatewayMetrics#CALL_BUCKETS} bucket (at most that latency)
     * @param warmHits calls served by a pre-warmed context
     * @param coldStarts calls that created their context on the call path
     */
    public record Totals(long calls, Map<String, Long> outcomes, long[] le, long warmHits, long coldStarts) {

        /** No calls. */
        public static final Totals ZERO = new Totals(0, Map.of(), new long[GatewayMetrics.CALL_BUCKETS.size()], 0, 0);

        /** Copies the map and the array; checks the bucket count. */
        public Totals {
            outcomes = Map.copyOf(outcomes);
            le = le.clone();
            if (le.length != GatewayMetrics.CALL_BUCKETS.size()) {
                throw new IllegalArgumentException(
                        "le: " + GatewayMetrics.CALL_BUCKETS.size() + " buckets, got " + le.length);
            }
        }

        /** What happened between {@code earlier} and these totals (never negative). */
        Totals since(Totals earlier) {
            Map<String, Long> o = new TreeMap<>();
            outcomes.forEach((k, v) -> {
                long d = v - earlier.outcomes.getOrDefault(k, 0L);
                if (d > 0) {
                    o.put(k, d);
                }
            });
            long[] b = new long[le.length];
            for (int i = 0; i < b.length; i++) {
                b[i] = Math.max(0, le[i] - earlier.le[i]);
            }
            return new Totals(
                    Math.max(0, calls - earlier.calls),
                    o,
                    b,
                    Math.max(0, warmHits - earlier.warmHits),
                    Math.max(0, coldStarts - earlier.coldStarts));
        }

        /** The {@code q} quantile in milliseconds, interpolated within its bucket; 0 without calls. */
        double quantileMs(double q) {
            if (calls == 0) {
                return 0;
            }
            double rank = q * calls;
            long below = 0;
            for (int i = 0; i < le.length; i++) {
                if (le[i] >= rank) {
                    double lower =
                            i == 0 ? 0 : GatewayMetrics.CALL_BUCKETS.get(i - 1).toNanos() / 1e6;
                    double upper = GatewayMetrics.CALL_BUCKETS.get(i).toNanos() / 1e6;
                    long in = le[i] - below;
                    return in == 0 ? upper : lower + (upper - lower) * (rank - below) / in;
                }
                below = le[i];
            }
            return GatewayMetrics.CALL_BUCKETS.getLast().toNanos() / 1e6; // in the +Inf bucket
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Totals t
                    && calls == t.calls
                    && warmHits == t.warmHits
                    && coldStarts == t.coldStarts
                    && outcomes.equals(t.outcomes)
                    && Arrays.equals(le, t.le);
        }

        @Override
        public int hashCode() {
            return Objects.hash(calls, outcomes, Arrays.hashCode(le), warmHits, coldStarts);
        }

        @Override
        public String toString() {
            return "Totals[calls=" + calls + ", outcomes=" + outcomes + ", le=" + Arrays.toString(le) + ", warmHits="
                    + warmHits + ", coldStarts=" + coldStarts + "]";
        }
    }

    /**
     * One minute of the chart.
     *
     * @param epochSecond the minute's start
     * @param callsPerSecond calls per second in it
     * @param p50Ms median latency, 0 without calls
     * @param p99Ms 99th percentile latency, 0 without calls
     */
    public record Point(long epochSecond, double callsPerSecond, double p50Ms, double p99Ms) {}

    /**
     * The last hour.
     *
     * @param points one per minute, oldest first (minutes without calls included)
     * @param calls calls in the hour
     * @param p50Ms median latency over the hour
     * @param p99Ms 99th percentile latency over the hour
     * @param outcomes calls by outcome
     * @param coldStarts calls that created their context on the call path
     * @param warmHits calls served by a pre-warmed context
     */
    public record Summary(
            List<Point> points,
            long calls,
            double p50Ms,
            double p99Ms,
            Map<String, Long> outcomes,
            long coldStarts,
            long warmHits) {

        /** Cold starts as a share of isolate calls (cold + warm), 0-1. */
        public double coldShare() {
            long all = coldStarts + warmHits;
            return all == 0 ? 0 : (double) coldStarts / all;
        }
    }

    private record Sample(long atMillis, Totals totals) {}

    private final LongSupplier clockMillis;
    private final Supplier<Totals> meters;
    private final int capacity;
    private final ArrayDeque<Sample> ring = new ArrayDeque<>();

    /**
     * Creates the history with a first sample (the baseline).
     *
     * @param clockMillis the wall clock
     * @param meters reads the call meters' totals now
     * @param interval how often {@link #sample()} is called (sizes the ring: an hour of samples)
     */
    public CallHistory(LongSupplier clockMillis, Supplier<Totals> meters, Duration interval) {
        this.clockMillis = Objects.requireNonNull(clockMillis, "clockMillis");
        this.meters = Objects.requireNonNull(meters, "meters");
        if (interval.isNegative() || interval.isZero() || interval.compareTo(HOUR) > 0) {
            throw new IllegalArgumentException("interval must be positive and at most an hour, got " + interval);
        }
        this.capacity = (int) (HOUR.toMillis() / interval.toMillis()) + 2;
        sample();
    }

    /** Reads the meters into the ring, dropping samples no longer needed for the last hour. */
    public void sample() {
        Totals t = meters.get();
        long now = clockMillis.getAsLong();
        synchronized (this) {
            ring.addLast(new Sample(now, t));
            while (ring.size() > capacity) {
                ring.removeFirst();
            }
            // The oldest sample kept is the last one at or before an hour ago (the hour's baseline).
            while (ring.size() > 1) {
                Sample oldest = ring.removeFirst();
                if (ring.getFirst().atMillis() > now - HOUR.toMillis()) {
                    ring.addFirst(oldest);
                    break;
                }
            }
        }
    }

    /** Samples held now (at most an hour's worth plus the baseline). */
    synchronized int samples() {
        return ring.size();
    }

    /** The last hour's summary, up to now (the meters are read once more). */
    public Summary summary() {
        Totals live = meters.get();
        long now = clockMillis.getAsLong();
        List<Sample> samples;
        synchronized (this) {
            samples = new ArrayList<>(ring);
        }
        samples.add(new Sample(now, live));
        Totals hour = live.since(at(samples, now - HOUR.toMillis()));
        List<Point> points = new ArrayList<>();
        long minute = now / 60_000;
        for (long m = minute - 59; m <= minute; m++) {
            long start = m * 60_000;
            long end = Math.min(now, start + 60_000);
            Totals d = at(samples, end).since(at(samples, start));
            double seconds = Math.max(1, (end - start) / 1000.0);
            points.add(new Point(m * 60, d.calls() / seconds, d.quantileMs(0.5), d.quantileMs(0.99)));
        }
        return new Summary(
                points,
                hour.calls(),
                hour.quantileMs(0.5),
                hour.quantileMs(0.99),
                hour.outcomes(),
                hour.coldStarts(),
                hour.warmHits());
    }

    /** The totals of the last sample at or before {@code millis}; the oldest sample when none is. */
    private static Totals at(List<Sample> samples, long millis) {
        Totals t = samples.getFirst().totals();
        for (Sample s : samples) {
            if (s.atMillis() > millis) {
                break;
            }
            t = s.totals();
        }
        return t;
    }
}
