package dev.atoll.gateway.internal.logs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.CatalogEntry;
import dev.atoll.gateway.backend.ToolReply;
import dev.atoll.gateway.internal.pipeline.Call;
import dev.atoll.gateway.internal.pipeline.CallHandler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One {@link ServerLog} line per call ({@code log.calls: true}): tool, version, backend, tenant,
 * outcome and latency in milliseconds. Arguments, results and logs are never written.
 */
public final class CallLogStage implements CallHandler {

    private final ServerLog log;
    private final Function<CatalogEntry, String> backendLabel;
    private final CallHandler next;

    /**
     * @param log where lines go
     * @param backendLabel the {@code backend} of a tool ({@code isolate}, {@code upstream})
     * @param next the next stage
     */
    public CallLogStage(ServerLog log, Function<CatalogEntry, String> backendLabel, CallHandler next) {
        this.log = Objects.requireNonNull(log, "log");
        this.backendLabel = Objects.requireNonNull(backendLabel, "backendLabel");
        this.next = Objects.requireNonNull(next, "next");
    }

    @Override
    public ToolReply handle(Call call, ObjectNode arguments) {
        long started = System.nanoTime();
        ToolReply reply = next.handle(call, arguments);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("tool", call.tool().name());
        f.put("version", call.tool().version());
        f.put("backend", backendLabel.apply(call.tool()));
        f.put("tenant", call.principal().tenant());
        f.put("outcome", reply.outcome().id());
        f.put("ms", Math.round((System.nanoTime() - started) / 10_000.0) / 100.0);
        log.call(f);
        return reply;
    }
}
