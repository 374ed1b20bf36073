package dev.atoll.gateway.internal.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.audit.AuditLog;
import dev.atoll.gateway.audit.CallRecord;
import dev.atoll.gateway.backend.ToolOutcome;
import dev.atoll.gateway.backend.ToolReply;
import dev.atoll.gateway.internal.mcp.JsonRpc;
import dev.atoll.gateway.internal.metrics.GatewayMetrics;
import dev.atoll.gateway.registry.RegistryException;
import dev.atoll.runtime.Receipt;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * One durable audit record per answered call (who, which tool version, outcome, resource receipt, DLP
 * rule ids). Fail-closed by default: while the audit store does not take records no call runs, and a
 * call whose record was not stored is answered with an error instead of its result. With
 * {@code audit.fail-open} the call is answered anyway and counted as unrecorded.
 */
public final class AuditStage implements CallHandler {

    private static final Logger LOG = Logger.getLogger(AuditStage.class.getName());

    /** What a caller sees when the audit store does not take records (details go to the server log). */
    private static final String AUDIT_UNAVAILABLE =
            "Audit log unavailable: the gateway answers no call whose record it cannot store; try again later";

    private final AuditLog audit;
    private final boolean failOpen;
    private final Optional<GatewayMetrics> metrics;
    private final CallHandler next;

    /**
     * Creates the stage.
     *
     * @param audit the audit log
     * @param failOpen whether a call is answered when its record cannot be stored
     * @param metrics the metrics, if enabled (counts refused and unrecorded calls)
     * @param next the next stage
     */
    public AuditStage(AuditLog audit, boolean failOpen, Optional<GatewayMetrics> metrics, CallHandler next) {
        this.audit = Objects.requireNonNull(audit, "audit");
        this.failOpen = failOpen;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.next = Objects.requireNonNull(next, "next");
    }

    @Override
    public ToolReply handle(Call call, ObjectNode arguments) {
        if (!failOpen && audit.storeFailure().isPresent()) { // refuse before the tool runs: no call may run unrecorded
            return refused();
        }
        // Announced, so that group commit waits a little for this record while the call runs.
        try (AuditLog.RunningCall running = audit.callStarted()) {
            ToolReply reply = next.handle(call, arguments);
            Receipt receipt = reply instanceof ToolReply.Result r ? r.receipt() : Receipt.none();
            var tool = call.tool();
            try { // returns once the record is durable: only then is the call answered
                running.record(new CallRecord(
                        Instant.now(),
                        call.principal().tenant(),
                        call.principal().tokenId(),
                        tool.name(),
                        Optional.of(tool.version()),
                        tool.digest(),
                        reply.outcome().id(),
                        receipt,
                        List.copyOf(call.dlpRules())));
            } catch (RegistryException e) {
                if (!failOpen) {
                    LOG.warning("call of " + tool.name() + " not answered: its audit record was not stored: "
                            + e.getMessage());
                    return refused();
                }
                LOG.warning("call of " + tool.name() + " answered without a stored audit record (audit.fail-open): "
                        + e.getMessage());
                metrics.ifPresent(m -> m.event(
                        "atoll.audit.calls.unrecorded",
                        "Calls answered before their audit record was stored (audit.fail-open)"));
            }
            return reply;
        }
    }

    private ToolReply refused() {
        metrics.ifPresent(m ->
                m.event("atoll.audit.calls.refused", "Calls refused because the audit store did not take records"));
        return new ToolReply.Rejected(
                JsonRpc.INTERNAL_ERROR, AUDIT_UNAVAILABLE, ToolOutcome.AUDIT_UNAVAILABLE, Optional.empty());
    }
}
