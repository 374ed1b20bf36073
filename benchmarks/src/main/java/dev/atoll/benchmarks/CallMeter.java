package dev.atoll.benchmarks;

import dev.atoll.runtime.CallResult;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * Collects what the runtime's receipts say about each measured call (guest CPU, guest wall, allocated
 * bytes) and what preparing a warm context cost the caller. One instance per JVM, which with forks
 * means one per benchmark and parameter combination.
 *
 * <p>Running totals feed {@link CallProfiler} (per-iteration means in JMH's results); samples taken
 * during measurement iterations only feed {@link #printSummary(String)}, which prints percentiles at the
 * end of a trial. Thread-safe.
 */
public final class CallMeter {

    /** Samples kept for percentiles; more than any bounded run takes (about 16 MB per series). */
    private static final int MAX_SAMPLES = 2_000_000;

    private static final LongAdder CALLS = new LongAdder();
    private static final LongAdder GUEST_CPU = new LongAdder();
    private static final LongAdder GUEST_WALL = new LongAdder();
    private static final LongAdder ALLOCATED = new LongAdder();
    private static final LongAdder PREPARES = new LongAdder();
    private static final LongAdder PREPARE_CPU = new LongAdder();
    private static final LongAdder PREPARE_WALL = new LongAdder();

    private static final Series CPU_SAMPLES = new Series();
    private static final Series WALL_SAMPLES = new Series();
    private static final Series PREPARE_CPU_SAMPLES = new Series();
    private static volatile boolean measuring;

    private CallMeter() {}

    /** Running totals since the JVM started (or {@link #reset()}). */
    record Totals(
            long calls,
            long guestCpuNanos,
            long guestWallNanos,
            long allocatedBytes,
            long prepares,
            long prepareCpuNanos,
            long prepareWallNanos) {
        Totals minus(Totals o) {
            return new Totals(
                    calls - o.calls,
                    guestCpuNanos - o.guestCpuNanos,
                    guestWallNanos - o.guestWallNanos,
                    allocatedBytes - o.allocatedBytes,
                    prepares - o.prepares,
                    prepareCpuNanos - o.prepareCpuNanos,
                    prepareWallNanos - o.prepareWallNanos);
        }
    }

    /**
     * Records one call; a call that did not end {@code ok} aborts the benchmark, since its numbers would
     * not be those of the call path under test.
     *
     * @param r the call's result
     * @return {@code r}, for the benchmark to return (and JMH to sink)
     * @throws IllegalStateException if the call did not succeed
     */
    public static CallResult record(CallResult r) {
        if (!r.ok()) {
            throw new IllegalStateException("a benchmarked call did not end ok: " + r.toJson());
        }
        long cpu = r.receipt().cpu().toNanos();
        long wall = r.receipt().wall().toNanos();
        CALLS.increment();
        GUEST_CPU.add(cpu);
        GUEST_WALL.add(wall);
        ALLOCATED.add(r.receipt().allocatedBytes());
        if (measuring) {
            CPU_SAMPLES.add(cpu);
            WALL_SAMPLES.add(wall);
        }
        return r;
    }

    /**
     * Records the preparation of one warm context, as seen by the thread that prepared it.
     *
     * @param cpuNanos CPU time of the preparing thread
     * @param wallNanos wall time of the preparation
     */
    public static void recordPrepare(long cpuNanos, long wallNanos) {
        PREPARES.increment();
        PREPARE_CPU.add(cpuNanos);
        PREPARE_WALL.add(wallNanos);
        if (measuring) {
            PREPARE_CPU_SAMPLES.add(cpuNanos);
        }
    }

    /**
     * Whether the current iteration is a measurement iteration (samples are kept only then).
     *
     * @param on true during measurement iterations
     */
    public static void measuring(boolean on) {
        measuring = on;
    }

    /** Forgets everything; call at the start of a trial. */
    public static void reset() {
        measuring = false;
        for (LongAdder a :
                new LongAdder[] {CALLS, GUEST_CPU, GUEST_WALL, ALLOCATED, PREPARES, PREPARE_CPU, PREPARE_WALL}) {
            a.reset();
        }
        CPU_SAMPLES.clear();
        WALL_SAMPLES.clear();
        PREPARE_CPU_SAMPLES.clear();
    }

    static Totals totals() {
        return new Totals(
                CALLS.sum(),
                GUEST_CPU.sum(),
                GUEST_WALL.sum(),
                ALLOCATED.sum(),
                PREPARES.sum(),
                PREPARE_CPU.sum(),
                PREPARE_WALL.sum());
    }

    /**
     * Prints percentiles of the receipts of the measured calls, prefixed with {@code # atoll}, for the
     * JMH log.
     *
     * @param label what was measured, e.g. {@code ColdStartBenchmark.latency jit=true}
     */
    public static void printSummary(String label) {
        System.out.println("# atoll receipts, " + label + ", measurement iterations only:");
        System.out.println("#   guest CPU per call   " + CPU_SAMPLES.describe());
        System.out.println("#   guest wall per call  " + WALL_SAMPLES.describe());
        if (PREPARE_CPU_SAMPLES.size() > 0) {
            System.out.println("#   prepare CPU (caller) " + PREPARE_CPU_SAMPLES.describe());
        }
        Totals t = totals();
        if (t.calls() > 0) {
            System.out.printf(
                    Locale.ROOT,
                    "#   all calls incl. warmup: %d, mean allocated %.0f bytes/call%n",
                    t.calls(),
                    (double) t.allocatedBytes() / t.calls());
        }
    }

    /** A bounded, lock-protected list of nanosecond samples. */
    private static final class Series {
        private long[] values = new long[1 << 14];
        private int size;

        synchronized void add(long v) {
            if (size == values.length) {
                if (size >= MAX_SAMPLES) {
                    return;
                }
                values = Arrays.copyOf(values, Math.min(MAX_SAMPLES, size * 2));
            }
            values[size++] = v;
        }

        synchronized int size() {
            return size;
        }

        synchronized void clear() {
            size = 0;
        }

        synchronized String describe() {
            if (size == 0) {
                return "n=0";
            }
            long[] s = Arrays.copyOf(values, size);
            Arrays.sort(s);
            double sum = 0;
            for (long v : s) {
                sum += v;
            }
            return String.format(
                    Locale.ROOT,
                    "n=%d mean=%.1f p50=%.1f p90=%.1f p99=%.1f max=%.1f us",
                    size,
                    sum / size / 1e3,
                    at(s, 0.50),
                    at(s, 0.90),
                    at(s, 0.99),
                    s[size - 1] / 1e3);
        }

        private static double at(long[] sorted, double q) {
            int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
            return sorted[i] / 1e3;
        }
    }
}
