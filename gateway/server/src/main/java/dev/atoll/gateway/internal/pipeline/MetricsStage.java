package dev.atoll.gateway.internal.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.CatalogEntry;
import dev.atoll.gateway.backend.ToolReply;
import dev.atoll.gateway.internal.metrics.GatewayMetrics;
import java.util.Objects;
import java.util.function.Function;

/**
 * Times every call through the stages inside it ({@code atoll.tool.calls}, by tool, backend and
 * outcome), including calls the audit stage refused ({@code audit_unavailable}), and counts it by
 * tenant ({@code atoll.tenant.calls}).
 */
public final class MetricsStage implements CallHandler {

    private final GatewayMetrics metrics;
    private final Function<CatalogEntry, String> backendLabel;
    private final CallHandler next;

    /**
     * Creates the stage.
     *
     * @param metrics the gateway's metrics
     * @param backendLabel the {@code backend} label of a tool ({@code isolate}, {@code upstream})
     * @param next the next stage
     */
    public MetricsStage(GatewayMetrics metrics, Function<CatalogEntry, String> backendLabel, CallHandler next) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.backendLabel = Objects.requireNonNull(backendLabel, "backendLabel");
        this.next = Objects.requireNonNull(next, "next");
    }

    @Override
    public ToolReply handle(Call call, ObjectNode arguments) {
        long started = System.nanoTime();
        ToolReply reply = next.handle(call, arguments);
        metrics.call(call.tool().name(), backendLabel.apply(call.tool()), reply.outcome().id(),
                System.nanoTime() - started);
        metrics.tenantCall(call.principal().tenant(), reply.outcome().id());
        return reply;
    }
}
