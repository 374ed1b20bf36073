package dev.atoll.benchmarks;

import dev.atoll.isolate.pool.PoolObserver;
import dev.atoll.runtime.Tool;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what the pool did during a benchmark (warm hits, cold starts, contexts created and their
 * creation time) and holds the retained heap per warm context measured by {@link PoolMemoryBenchmark};
 * {@link CallProfiler} reports them per iteration. One instance per JVM. Thread-safe.
 */
public final class PoolMeter implements PoolObserver {

    /** The observer to give the pools under test. */
    static final PoolMeter INSTANCE = new PoolMeter();

    private static final LongAdder WARM = new LongAdder();
    private static final LongAdder COLD = new LongAdder();
    private static final LongAdder CREATED = new LongAdder();
    private static final LongAdder CREATE_NANOS = new LongAdder();
    private static volatile double bytesPerContext = Double.NaN;

    private PoolMeter() {}

    /** Running totals since the JVM started. */
    record Totals(long warm, long cold, long created, long createNanos) {
        Totals minus(Totals o) {
            return new Totals(warm - o.warm, cold - o.cold, created - o.created, createNanos - o.createNanos);
        }
    }

    static Totals totals() {
        return new Totals(WARM.sum(), COLD.sum(), CREATED.sum(), CREATE_NANOS.sum());
    }

    /**
     * Records the retained heap per warm context of the last measurement.
     *
     * @param bytes bytes per context
     */
    static void bytesPerContext(double bytes) {
        bytesPerContext = bytes;
    }

    /** The last measured retained heap per warm context, or NaN; reading clears it. */
    static double takeBytesPerContext() {
        double b = bytesPerContext;
        bytesPerContext = Double.NaN;
        return b;
    }

    @Override
    public void warmHit(Tool tool) {
        WARM.increment();
    }

    @Override
    public void coldStart(Tool tool) {
        COLD.increment();
    }

    @Override
    public void contextCreated(Tool tool, Duration elapsed) {
        CREATED.increment();
        CREATE_NANOS.add(elapsed.toNanos());
    }
}
