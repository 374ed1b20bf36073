package dev.atoll.gateway.internal.lifecycle;

import dev.atoll.gateway.registry.Fleet;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes this node's row in the fleet table every {@code fleet.heartbeat-ms}, and at once after a
 * catalogue change (so the revision served is current): id, region, build version, start time,
 * readiness, revision served, and calls/s and cold starts/s over the interval since the last beat.
 * A failed write is logged and retried at the next beat (the node keeps serving). The last beat,
 * at close, says not ready.
 */
public final class FleetHeartbeat implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FleetHeartbeat.class.getName());

    /** What the node reports; all suppliers are cheap and thread-safe. */
    public record Source(
            String id,
            String region,
            String version,
            Instant startedAt,
            BooleanSupplier ready,
            LongSupplier revision,
            LongSupplier calls,
            LongSupplier coldStarts) {}

    private final Fleet fleet;
    private final Source source;
    private final Duration every;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("atoll-fleet-heartbeat").daemon(true).factory());
    private long lastNanos = System.nanoTime();
    private long lastCalls;
    private long lastColdStarts;
    private volatile boolean failing;
    private volatile boolean closed;

    /**
     * @param fleet the registry's fleet table
     * @param source what to report
     * @param every how often
     */
    public FleetHeartbeat(Fleet fleet, Source source, Duration every) {
        this.fleet = fleet;
        this.source = source;
        this.every = every;
    }

    /** Writes the first beat and schedules the next ones. */
    public void start() {
        var _ = timer.scheduleWithFixedDelay(
                () -> beat(true), 0, every.toMillis(), TimeUnit.MILLISECONDS); // beat catches its failures
    }

    /** Writes a beat soon, off the caller's thread (after a catalogue change). */
    public void soon() {
        if (!closed) {
            try {
                timer.execute(() -> beat(true));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    private synchronized void beat(boolean ready) {
        long now = System.nanoTime();
        long calls = source.calls().getAsLong();
        long cold = source.coldStarts().getAsLong();
        double seconds = Math.max(0.001, (now - lastNanos) / 1e9);
        double callRate = Math.max(0, (calls - lastCalls) / seconds);
        double coldRate = Math.max(0, (cold - lastColdStarts) / seconds);
        try {
            fleet.heartbeat(new Fleet.Heartbeat(
                    source.id(),
                    source.region(),
                    source.version(),
                    source.startedAt(),
                    ready && source.ready().getAsBoolean(),
                    source.revision().getAsLong(),
                    callRate,
                    coldRate));
            // Rates cover the time since the last beat that was written.
            lastNanos = now;
            lastCalls = calls;
            lastColdStarts = cold;
            if (failing) {
                LOG.info("fleet heartbeat: written again");
            }
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.log(
                        Level.WARNING,
                        "fleet heartbeat: cannot write this node's row (" + e.getMessage()
                                + "); other nodes will see it as stale until it is written again");
            }
            failing = true;
        }
    }

    /** Stops the schedule and writes a last beat that says not ready. */
    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        beat(false);
    }
}
