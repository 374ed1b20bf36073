package dev.atoll.gateway.internal.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.CatalogEntry;
import dev.atoll.gateway.backend.ToolReply;
import dev.atoll.gateway.internal.logs.ServerLog;
import dev.atoll.gateway.internal.metrics.GatewayMetrics;
import dev.atoll.gateway.internal.tail.TailBus;
import dev.atoll.gateway.internal.tail.TailEvent;
import dev.atoll.runtime.EgressRecord;
import dev.atoll.runtime.Receipt;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Observes every finished call once, outermost, so it sees the reply the caller gets (console output
 * after DLP, the audit stage's refusals) and times the whole path: one clock reading and one
 * {@code backend} label feed the meters ({@code atoll.tool.calls} by tool, backend and outcome;
 * {@code atoll.tenant.calls} by tenant), the server log's call line ({@code log.calls: true}) and the
 * live tail ({@link TailBus}). None of them can fail or slow the call: the tail drops slow
 * subscribers, and a failing observer is ignored.
 */
public final class ObserveStage implements CallHandler {

    /** Most console lines one tail event carries. */
    static final int MAX_LINES = 50;

    private final Optional<GatewayMetrics> metrics;
    private final Optional<ServerLog> callLog;
    private final TailBus bus;
    private final String node;
    private final int consoleChars;
    private final Function<CatalogEntry, String> backendLabel;
    private final CallHandler next;

    /**
     * Creates the stage.
     *
     * @param metrics the gateway's meters, if metrics are on
     * @param callLog where one line per call goes, if {@code log.calls} is on
     * @param bus the live tail
     * @param node this node's id
     * @param consoleChars most characters of console output one tail event carries
     * @param backendLabel the {@code backend} of a tool ({@code isolate}, {@code upstream})
     * @param next the next stage
     */
    public ObserveStage(
            Optional<GatewayMetrics> metrics,
            Optional<ServerLog> callLog,
            TailBus bus,
            String node,
            int consoleChars,
            Function<CatalogEntry, String> backendLabel,
            CallHandler next) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.callLog = Objects.requireNonNull(callLog, "callLog");
        this.bus = Objects.requireNonNull(bus, "bus");
        this.node = Objects.requireNonNull(node, "node");
        this.consoleChars = consoleChars;
        this.backendLabel = Objects.requireNonNull(backendLabel, "backendLabel");
        this.next = Objects.requireNonNull(next, "next");
    }

    @Override
    public ToolReply handle(Call call, ObjectNode arguments) {
        long started = System.nanoTime();
        ToolReply reply = next.handle(call, arguments);
        long nanos = System.nanoTime() - started;
        String backend = backendLabel.apply(call.tool());
        String outcome = reply.outcome().id();
        if (metrics.isPresent()) {
            metrics.get().call(call.tool().name(), backend, outcome, nanos);
            metrics.get().tenantCall(call.principal().tenant(), outcome);
        }
        if (callLog.isPresent()) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("tool", call.tool().name());
            f.put("version", call.tool().version());
            f.put("backend", backend);
            f.put("tenant", call.principal().tenant());
            f.put("outcome", outcome);
            f.put("ms", Math.round(nanos / 10_000.0) / 100.0);
            callLog.get().call(f);
        }
        try {
            bus.publish(event(call, reply, backend, nanos / 1000));
        } catch (RuntimeException e) {
            // the tail is an observer: it never fails a call
        }
        return reply;
    }

    private TailEvent.Call event(Call call, ToolReply reply, String backend, long micros) {
        Receipt receipt = reply instanceof ToolReply.Result r ? r.receipt() : Receipt.none();
        Set<String> hosts = new LinkedHashSet<>();
        for (EgressRecord e : receipt.egress()) {
            if (!e.host().isEmpty()) {
                hosts.add(e.host());
            }
        }
        List<String> console = new ArrayList<>();
        boolean truncated = false;
        if (reply instanceof ToolReply.Result r) {
            int left = consoleChars;
            for (ObjectNode log : r.logs()) {
                if (console.size() >= MAX_LINES || left <= 0) {
                    truncated = true;
                    break;
                }
                JsonNode data = log.path("data");
                String line =
                        log.path("level").asText("info") + ": " + (data.isTextual() ? data.asText() : data.toString());
                if (line.length() > left) {
                    line = line.substring(0, left);
                    truncated = true;
                }
                left -= line.length();
                console.add(line);
            }
        }
        CatalogEntry tool = call.tool();
        return new TailEvent.Call(
                Instant.now(),
                node,
                bus.nextCallSeq(),
                call.principal().tenant(),
                tool.name(),
                tool.version(),
                backend,
                reply.outcome().id(),
                micros,
                receipt.cpu().toNanos() / 1000,
                receipt.wall().toNanos() / 1000,
                receipt.allocatedBytes(),
                List.copyOf(hosts),
                List.copyOf(call.dlpRules()),
                console,
                truncated);
    }
}
