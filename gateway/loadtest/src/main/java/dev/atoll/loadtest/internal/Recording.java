package dev.atoll.loadtest.internal;

import dev.atoll.loadtest.LoadTestReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;

/**
 * Thread-safe recording of a run: latency from the intended send time (open model; from the actual send
 * in the closed model), service time from the actual send, outcomes, cold-start phases, and one interval
 * per second for the time series. Values are microseconds, 1 µs to 1 h, 3 significant digits.
 */
public final class Recording {

    /** Largest value tracked (1 hour in µs); larger values are recorded as this. */
    static final long HIGHEST_MICROS = 3_600_000_000L;

    private final Recorder latency = new Recorder(HIGHEST_MICROS, 3);
    private final Recorder service = new Recorder(HIGHEST_MICROS, 3);
    private final Histogram latencyTotal = new Histogram(HIGHEST_MICROS, 3);
    private final Histogram serviceTotal = new Histogram(HIGHEST_MICROS, 3);
    private final Histogram prepare = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    private final Histogram call = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    private final Histogram close = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final AtomicLong intervalErrors = new AtomicLong();
    private final LongAdder calls = new LongAdder();
    private final List<LoadTestReport.Second> seconds = new ArrayList<>();
    // The last interval's histograms, recycled by the next (null before the first: the recorder allocates).
    private @Nullable Histogram intervalLatency;
    private @Nullable Histogram intervalService;

    /**
     * Records one finished call.
     *
     * @param intendedNanos when it was due (= {@code sentNanos} in the closed model)
     * @param sentNanos when it was sent
     * @param endNanos when its answer was read
     * @param result how it ended
     */
    public void record(long intendedNanos, long sentNanos, long endNanos, Caller.Result result) {
        latency.recordValue(micros(endNanos - intendedNanos));
        service.recordValue(micros(endNanos - sentNanos));
        outcomes.computeIfAbsent(result.outcome(), k -> new LongAdder()).increment();
        if (!result.ok()) {
            intervalErrors.incrementAndGet();
        }
        Caller.Phases p = result.phases();
        if (p.measured()) {
            prepare.recordValue(micros(p.prepare()));
            call.recordValue(micros(p.call()));
            close.recordValue(micros(p.close()));
        }
        calls.increment();
    }

    /**
     * Counts calls that were due but never sent (the open model's schedule ended first).
     *
     * @param n how many
     */
    public void notSent(long n) {
        if (n > 0) {
            outcomes.computeIfAbsent("not_sent", k -> new LongAdder()).add(n);
        }
    }

    private static long micros(long nanos) {
        return Math.min(HIGHEST_MICROS, Math.max(1, nanos / 1000));
    }

    /**
     * Closes the current interval (called once a second by one thread, and once at the end).
     *
     * @param second seconds since the start at the interval's end
     * @param lengthSeconds the interval's length (1, or less for the last one)
     * @return the interval
     */
    public synchronized LoadTestReport.Second interval(double second, double lengthSeconds) {
        intervalLatency = latency.getIntervalHistogram(intervalLatency);
        intervalService = service.getIntervalHistogram(intervalService);
        latencyTotal.add(intervalLatency);
        serviceTotal.add(intervalService);
        long n = intervalLatency.getTotalCount();
        long errors = intervalErrors.getAndSet(0);
        LoadTestReport.Second s = new LoadTestReport.Second(
                second,
                n / Math.max(lengthSeconds, 1e-3),
                n,
                errors,
                ms(n, intervalLatency, 50),
                ms(n, intervalLatency, 90),
                ms(n, intervalLatency, 99),
                n == 0 ? 0 : intervalLatency.getMaxValue() / 1000.0);
        seconds.add(s);
        return s;
    }

    private static double ms(long n, Histogram h, double percentile) {
        return n == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Calls finished so far. */
    public long calls() {
        return calls.sum();
    }

    /** Outcome counts so far, sorted by name. */
    public Map<String, Long> outcomes() {
        Map<String, Long> m = new TreeMap<>();
        outcomes.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** Latency so far (intervals closed so far), as percentiles. */
    public synchronized LoadTestReport.Latency latencySoFar() {
        return latency(latencyTotal);
    }

    /** The per-second series. */
    public synchronized List<LoadTestReport.Second> seconds() {
        return List.copyOf(seconds);
    }

    /** Latency from the intended send time over the whole run. */
    public synchronized LoadTestReport.Latency latency() {
        return latency(latencyTotal);
    }

    /** Service time (from the actual send) over the whole run. */
    public synchronized LoadTestReport.Latency serviceTime() {
        return latency(serviceTotal);
    }

    /** The latency distribution: percentile points for a percentile plot (log scale). */
    public synchronized List<LoadTestReport.Point> distribution() {
        List<LoadTestReport.Point> points = new ArrayList<>();
        if (latencyTotal.getTotalCount() == 0) {
            return points;
        }
        for (var v : latencyTotal.percentiles(5)) {
            double pct = v.getPercentileLevelIteratedTo();
            if (pct >= 100.0) {
                break;
            }
            points.add(new LoadTestReport.Point(pct, v.getValueIteratedTo() / 1000.0));
        }
        points.add(new LoadTestReport.Point(100.0, latencyTotal.getMaxValue() / 1000.0));
        return points;
    }

    /** Cold-start phases (empty unless calls ran in process). */
    public List<LoadTestReport.Phase> phases() {
        if (prepare.getTotalCount() == 0) {
            return List.of();
        }
        return List.of(phase("prepare", prepare), phase("call", call), phase("close", close));
    }

    private static LoadTestReport.Phase phase(String name, Histogram h) {
        return new LoadTestReport.Phase(
                name, h.getMean() / 1000.0, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0);
    }

    static LoadTestReport.Latency latency(Histogram h) {
        if (h.getTotalCount() == 0) {
            return LoadTestReport.Latency.EMPTY;
        }
        return new LoadTestReport.Latency(
                h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(90) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0,
                h.getValueAtPercentile(99.9) / 1000.0,
                h.getMaxValue() / 1000.0,
                h.getMean() / 1000.0);
    }
}
