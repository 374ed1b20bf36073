package dev.atoll.gateway.internal.pipeline;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.audit.AuditAction;
import dev.atoll.gateway.audit.AuditLog;
import dev.atoll.gateway.dlp.DlpResult;
import dev.atoll.gateway.dlp.Verdict;
import dev.atoll.gateway.internal.metrics.GatewayMetrics;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One audit record ({@code dlp.match}) per scanned payload that had matches or could not be scanned
 * completely: rule, JSON pointer, action and a value-hash prefix, never the value. Used by the call
 * pipeline and by the egress inspectors (fetch, upstream egress proxies) alike.
 */
public final class DlpAudit implements Consumer<DlpResult<?>> {

    private static final Logger LOG = Logger.getLogger(DlpAudit.class.getName());

    private final AuditLog audit;
    private final Optional<GatewayMetrics> metrics;

    /**
     * Creates the recorder.
     *
     * @param audit the audit log
     * @param metrics the metrics, if enabled (counts findings)
     */
    public DlpAudit(AuditLog audit, Optional<GatewayMetrics> metrics) {
        this.audit = Objects.requireNonNull(audit, "audit");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void accept(DlpResult<?> result) {
        if (result.findings().isEmpty() && result.incomplete().isEmpty()) {
            return;
        }
        metrics.ifPresent(m -> m.dlp(result));
        ObjectNode detail = JsonNodeFactory.instance.objectNode();
        detail.put("tool", result.context().tool());
        detail.put("direction", result.context().direction().name().toLowerCase(Locale.ROOT));
        var list = detail.putArray("findings");
        for (var f : result.findings()) {
            list.addObject()
                    .put("rule", f.match().ruleId())
                    .put("pointer", f.match().pointer())
                    .put("action", f.action().name().toLowerCase(Locale.ROOT))
                    .put(
                            "valueHash",
                            f.match()
                                    .valueHash()
                                    .substring(
                                            0,
                                            Math.min(12, f.match().valueHash().length())));
        }
        if (result.droppedFindings() > 0) {
            detail.put("droppedFindings", result.droppedFindings());
        }
        result.incomplete().ifPresent(l -> detail.put("incomplete", l.toString()));
        String outcome =
                result.blocked() ? "blocked" : result.verdict() instanceof Verdict.Redact<?> ? "redacted" : "logged";
        try {
            audit.record("dlp", AuditAction.DLP_MATCH, result.context().tenant(), outcome, detail);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot write a DLP audit record", e);
        }
    }
}
