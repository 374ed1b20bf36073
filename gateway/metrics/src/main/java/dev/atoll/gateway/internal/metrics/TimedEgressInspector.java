package dev.atoll.gateway.internal.metrics;

import dev.atoll.host.bindings.EgressInspector;
import dev.atoll.host.bindings.InspectedRequest;
import dev.atoll.host.bindings.InspectedResponse;
import dev.atoll.host.bindings.InspectionVerdict;
import java.util.Objects;

/**
 * Times the DLP inspection of egress ({@code fetch} and upstream egress proxies) in
 * {@code atoll_dlp_scan_seconds}: a request (its URL, headers and body) with direction
 * {@code egress_request}, a response with {@code egress_response}.
 */
public final class TimedEgressInspector implements EgressInspector {

    private final EgressInspector inner;
    private final GatewayMetrics metrics;

    /**
     * @param inner the inspector timed
     * @param metrics where the times go
     */
    public TimedEgressInspector(EgressInspector inner, GatewayMetrics metrics) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public InspectionVerdict onRequest(InspectedRequest request) {
        long started = System.nanoTime();
        try {
            return inner.onRequest(request);
        } finally {
            metrics.dlpScan("egress_request", System.nanoTime() - started);
        }
    }

    @Override
    public InspectionVerdict onResponse(InspectedRequest request, InspectedResponse response) {
        long started = System.nanoTime();
        try {
            return inner.onResponse(request, response);
        } finally {
            metrics.dlpScan("egress_response", System.nanoTime() - started);
        }
    }
}
