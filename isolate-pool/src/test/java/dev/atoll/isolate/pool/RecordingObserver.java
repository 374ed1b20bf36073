package dev.atoll.isolate.pool;

import dev.atoll.runtime.Tool;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counts pool events, for tests. */
final class RecordingObserver implements PoolObserver {
    final LongAdder warmHits = new LongAdder();
    final LongAdder coldStarts = new LongAdder();
    final LongAdder created = new LongAdder();
    final LongAdder creationFailed = new LongAdder();
    /** {@code System.nanoTime()} of each failed creation, in order. */
    final java.util.Queue<Long> failureTimes = new java.util.concurrent.ConcurrentLinkedQueue<>();

    final LongAdder queueWaits = new LongAdder();
    /** Calls served, by how they got their context ({@link #callServed}). */
    final Map<ContextStart, LongAdder> served = new EnumMap<>(ContextStart.class);

    final Map<EvictionReason, LongAdder> evicted = new EnumMap<>(EvictionReason.class);
    final Map<ShedReason, LongAdder> shed = new EnumMap<>(ShedReason.class);

    RecordingObserver() {
        for (ContextStart c : ContextStart.values()) {
            served.put(c, new LongAdder());
        }
        for (EvictionReason r : EvictionReason.values()) {
            evicted.put(r, new LongAdder());
        }
        for (ShedReason r : ShedReason.values()) {
            shed.put(r, new LongAdder());
        }
    }

    long evicted(EvictionReason r) {
        return evicted.get(r).sum();
    }

    long evictedTotal() {
        return evicted.values().stream().mapToLong(LongAdder::sum).sum();
    }

    long shed(ShedReason r) {
        return shed.get(r).sum();
    }

    @Override
    public void warmHit(Tool tool) {
        warmHits.increment();
    }

    @Override
    public void callServed(Tool tool, ContextStart start, Duration elapsed) {
        if (elapsed.isNegative()) {
            throw new AssertionError("negative call time " + elapsed);
        }
        served.get(start).increment();
    }

    long served(ContextStart start) {
        return served.get(start).sum();
    }

    @Override
    public void coldStart(Tool tool) {
        coldStarts.increment();
    }

    @Override
    public void contextCreated(Tool tool, Duration elapsed) {
        created.increment();
    }

    @Override
    public void creationFailed(Tool tool, Duration elapsed) {
        failureTimes.add(System.nanoTime());
        creationFailed.increment();
    }

    @Override
    public void queueWait(Tool tool, Duration waited) {
        queueWaits.increment();
    }

    @Override
    public void loadShed(Tool tool, ShedReason reason) {
        shed.get(reason).increment();
    }

    @Override
    public void evicted(Tool tool, EvictionReason reason) {
        evicted.get(reason).increment();
    }
}
