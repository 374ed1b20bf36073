package dev.atoll.gateway.internal.wiring;

import dev.atoll.gateway.GatewayConfig;
import dev.atoll.gateway.internal.metrics.CallHistory;
import dev.atoll.gateway.registry.Registry;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The gateway's periodic work on one thread: audit checkpoints, the admin URL this node advertises, call statistics. */
public final class Schedules {

    private static final Logger LOG = Logger.getLogger(Schedules.class.getName());

    private final java.util.concurrent.ScheduledExecutorService checkpointer =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                    .name("atoll-audit-checkpoint")
                    .daemon(true)
                    .factory());
    private final GatewayConfig config;
    private final Registry registry;

    /**
     * Schedules over these parts (nothing runs before {@link #start}).
     *
     * @param config the configuration ({@code audit.checkpoint-interval-ms})
     * @param registry the registry
     */
    public Schedules(GatewayConfig config, Registry registry) {
        this.config = config;
        this.registry = registry;
    }

    /**
     * Starts the periodic work.
     *
     * @param callStats this node's call history, sampled from its meters every 5 s
     * @param advertiseAdmin writes this node's admin URL to the registry (every {@code fleet.heartbeat-ms})
     */
    public void start(CallHistory callStats, Runnable advertiseAdmin) {
        // Where this node's admin API answers, for the fleet-wide tail of the other nodes (docs/ui.md).
        // The futures are not kept: the tasks catch and log their own failures, and shutdownNow ends them.
        var _ = checkpointer.scheduleWithFixedDelay(
                advertiseAdmin, 0, config.fleet().heartbeatMs(), java.util.concurrent.TimeUnit.MILLISECONDS);
        var _ = checkpointer.scheduleWithFixedDelay(callStats::sample, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
        long every = config.audit().checkpointIntervalMs();
        if (every > 0) {
            var _ = checkpointer.scheduleWithFixedDelay(
                    this::checkpoint, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** Writes a signed checkpoint of the audit head if it moved (docs/registry.md, "Checkpoints"). */
    private void checkpoint() {
        try {
            registry.audit().checkpoint();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot write an audit checkpoint", e);
        }
    }

    /** Stops the checkpoint schedule and writes the last checkpoint (if checkpoints are on). */
    public void lastCheckpoint() {
        checkpointer.shutdownNow();
        if (config.audit().checkpointIntervalMs() > 0) {
            try { // the last head, so a checkpoint covers every record of this run
                registry.audit().flush();
                checkpoint();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot write the last audit checkpoint", e);
            }
        }
    }
}
