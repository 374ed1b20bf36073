package dev.atoll.gateway.internal.tail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * This node's calls over the last hour, per minute, for the web UI's overview: calls, outcomes, a
 * latency histogram (buckets 20% apart, for p50/p99), cold starts and warm hits of the isolate pool
 * (sampled from the node's meters). Fed by the live tail as an in-process sink; cheap and bounded
 * (60 minutes of fixed-size buckets).
 */
public final class CallStats implements Consumer<TailEvent> {

    /** Minutes kept. */
    public static final int MINUTES = 60;
    private static final int BUCKETS = 110;
    private static final double GROWTH = 1.2;
    private static final double FIRST_MICROS = 10;

    private final Minute[] minutes = new Minute[MINUTES];
    private final LongSupplier clockMillis;
    private final LongSupplier warmHits;
    private final LongSupplier coldStarts;
    private long lastWarm = -1;
    private long lastCold = -1;

    /**
     * Creates the statistics.
     *
     * @param clockMillis the wall clock
     * @param warmHits the pool's warm hits since start (a meter)
     * @param coldStarts the pool's cold starts since start (a meter)
     */
    public CallStats(LongSupplier clockMillis, LongSupplier warmHits, LongSupplier coldStarts) {
        this.clockMillis = clockMillis;
        this.warmHits = warmHits;
        this.coldStarts = coldStarts;
    }

    /** One minute's numbers. */
    private static final class Minute {
        final long minute;
        long calls;
        long warm;
        long cold;
        final Map<String, Long> outcomes = new TreeMap<>();
        final long[] latency = new long[BUCKETS];

        Minute(long minute) {
            this.minute = minute;
        }
    }

    @Override
    public synchronized void accept(TailEvent e) {
        if (e instanceof TailEvent.Call c) {
            Minute m = current();
            m.calls++;
            m.outcomes.merge(c.outcome(), 1L, Long::sum);
            m.latency[bucket(c.latencyMicros())]++;
        }
    }

    /** Samples the pool meters into the current minute (the gateway calls it every few seconds). */
    public synchronized void sample() {
        long w = warmHits.getAsLong();
        long c = coldStarts.getAsLong();
        Minute m = current();
        if (lastWarm >= 0) {
            m.warm += Math.max(0, w - lastWarm);
            m.cold += Math.max(0, c - lastCold);
        }
        lastWarm = w;
        lastCold = c;
    }

    private Minute current() {
        long minute = clockMillis.getAsLong() / 60_000;
        int i = (int) (minute % MINUTES);
        if (minutes[i] == null || minutes[i].minute != minute) {
            minutes[i] = new Minute(minute);
        }
        return minutes[i];
    }

    private static int bucket(long micros) {
        if (micros <= FIRST_MICROS) {
            return 0;
        }
        int b = (int) Math.ceil(Math.log(micros / FIRST_MICROS) / Math.log(GROWTH));
        return Math.min(BUCKETS - 1, b);
    }

    private static double upperMillis(int bucket) {
        return FIRST_MICROS * Math.pow(GROWTH, bucket) / 1000.0;
    }

    /**
     * One minute of the chart.
     *
     * @param epochSecond the minute's start
     * @param callsPerSecond calls per second in it
     * @param p50Ms median latency (upper bound of its bucket), 0 without calls
     * @param p99Ms 99th percentile latency, 0 without calls
     */
    public record Point(long epochSecond, double callsPerSecond, double p50Ms, double p99Ms) {
    }

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
    public record Summary(List<Point> points, long calls, double p50Ms, double p99Ms, Map<String, Long> outcomes,
            long coldStarts, long warmHits) {

        /** Cold starts as a share of isolate calls (cold + warm), 0-1. */
        public double coldShare() {
            long all = coldStarts + warmHits;
            return all == 0 ? 0 : (double) coldStarts / all;
        }
    }

    /** The last hour's summary. */
    public synchronized Summary summary() {
        long now = clockMillis.getAsLong() / 60_000;
        List<Point> points = new ArrayList<>();
        long[] all = new long[BUCKETS];
        Map<String, Long> outcomes = new TreeMap<>();
        long calls = 0;
        long cold = 0;
        long warm = 0;
        for (long minute = now - MINUTES + 1; minute <= now; minute++) {
            Minute m = minutes[(int) (minute % MINUTES)];
            if (m == null || m.minute != minute) {
                points.add(new Point(minute * 60, 0, 0, 0));
                continue;
            }
            calls += m.calls;
            cold += m.cold;
            warm += m.warm;
            m.outcomes.forEach((k, v) -> outcomes.merge(k, v, Long::sum));
            for (int i = 0; i < BUCKETS; i++) {
                all[i] += m.latency[i];
            }
            double seconds = minute == now ? Math.max(1, (clockMillis.getAsLong() % 60_000) / 1000.0) : 60;
            points.add(new Point(minute * 60, m.calls / seconds, quantile(m.latency, m.calls, 0.5),
                    quantile(m.latency, m.calls, 0.99)));
        }
        return new Summary(points, calls, quantile(all, calls, 0.5), quantile(all, calls, 0.99), outcomes, cold, warm);
    }

    private static double quantile(long[] hist, long count, double q) {
        if (count == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * count);
        long seen = 0;
        for (int i = 0; i < hist.length; i++) {
            seen += hist[i];
            if (seen >= rank) {
                return upperMillis(i);
            }
        }
        return upperMillis(hist.length - 1);
    }
}
