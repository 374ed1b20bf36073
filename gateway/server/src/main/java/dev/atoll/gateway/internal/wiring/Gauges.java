package dev.atoll.gateway.internal.wiring;

import dev.atoll.gateway.audit.internal.AuditLogImpl;
import dev.atoll.gateway.internal.mcp.ServedTools;
import dev.atoll.gateway.internal.metrics.GatewayMetrics;
import dev.atoll.gateway.registry.Registry;

/** The gateway's gauges over parts that have no observer of their own (catalogue, audit, pool). */
public final class Gauges {

    private Gauges() {}

    /**
     * Registers the gauges.
     *
     * @param m the metrics
     * @param catalog the served catalogue
     * @param isolates the runtime, breaker and pool
     * @param registry the registry
     */
    public static void register(GatewayMetrics m, ServedTools catalog, Isolates isolates, Registry registry) {
        var runtime = isolates.runtime();
        var breaker = isolates.breaker();
        var pool = isolates.pool();
        m.gauge(
                "atoll.catalogue.tools",
                "Tools agents can list and call",
                () -> catalog.snapshot().entries().size());
        m.gauge(
                "atoll.runtime.guest.threads.abandoned.now",
                "Guest threads written off now (their guest did not stop; each burns CPU until it does)",
                runtime::abandonedThreads);
        m.counter(
                "atoll.runtime.threads.inherited.priority.repaired",
                "Threads that had inherited the lowest OS priority from a guest thread and were given the normal"
                        + " one back",
                runtime::inheritedPriorityRepaired);
        m.counter(
                "atoll.runtime.threads.inherited.priority.unrepaired",
                "Threads that inherited the lowest OS priority from a guest thread and could not be given the"
                        + " normal one back (the process lacks CAP_SYS_NICE)",
                runtime::inheritedPriorityUnrepaired);
        m.gauge(
                "atoll.tools.suspended.total",
                "Tool versions the circuit breaker suspended since start",
                breaker::suspensions);
        m.gauge(
                "atoll.audit.calls.written",
                "Call records committed to the audit log since start",
                () -> registry.audit() instanceof AuditLogImpl a ? a.callsWritten() : 0);
        m.counter(
                "atoll.audit.commits",
                "Transactions that committed call records (group commit: records per"
                        + " commit is atoll_audit_calls_written / this)",
                () -> registry.audit() instanceof AuditLogImpl a ? a.callCommits() : 0);
        m.gauge(
                "atoll.audit.write.failures",
                "Failed audit write attempts since start (each is retried)",
                () -> registry.audit() instanceof AuditLogImpl a ? a.failedWrites() : 0);
        m.gauge(
                "atoll.audit.spooled.now",
                "Call records in the audit spool, waiting for the database",
                () -> registry.audit() instanceof AuditLogImpl a ? a.callsSpooled() : 0);
        m.gauge(
                "atoll.audit.store.failing",
                "1 while the audit store does not take records, else 0",
                () -> registry.audit().storeFailure().isPresent() ? 1 : 0);
        m.gauge(
                "atoll.pool.running",
                "Isolate calls admitted and not finished",
                () -> pool.stats().running());
        m.gauge(
                "atoll.pool.queued",
                "Isolate calls waiting for admission",
                () -> pool.stats().queued());
        m.gauge(
                "atoll.pool.creating",
                "Warm contexts being created",
                () -> pool.stats().creating());
    }
}
