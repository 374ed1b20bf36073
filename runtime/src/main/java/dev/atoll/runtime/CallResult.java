package dev.atoll.runtime;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * The result of one call: its outcome, the console messages it logged and what it consumed.
 *
 * @param outcome how the call ended
 * @param logs captured console messages, bounded by the log limits
 * @param receipt resources used
 */
public record CallResult(Outcome outcome, List<LogEntry> logs, Receipt receipt) {

    /** Copies the logs and rejects nulls. */
    public CallResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(receipt, "receipt");
        logs = List.copyOf(logs);
    }

    /** Whether the outcome is {@link OutcomeKind#OK}. */
    public boolean ok() {
        return outcome.kind() == OutcomeKind.OK;
    }

    /**
     * The result as the JSON object {@code atoll run} prints: {@code outcome}, {@code result} (ok only),
     * {@code error} (otherwise: {@code message}, {@code stack}, {@code details}), {@code logs} and
     * {@code receipt} (with {@code egress}: one entry per outbound request, if there were any).
     *
     * @return a new JSON object
     */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("outcome", outcome.kind().wireName());
        switch (outcome) {
            case Outcome.Ok ok -> root.set("result", ok.value());
            case Outcome.ToolError e -> error(root, e.message()).set("stack", strings(e.stack()));
            case Outcome.InvalidArguments e -> error(root, e.message()).set("details", strings(e.errors()));
            case Outcome.InvalidOutput e -> error(root, e.message()).set("details", strings(e.errors()));
            case Outcome.LoadShed e ->
                error(root, e.message()).put("retryAfterMs", e.retryAfter().toMillis());
            case Outcome.InvalidTool e -> error(root, e.message());
            case Outcome.CpuExceeded e -> error(root, e.message());
            case Outcome.MemoryExceeded e -> error(root, e.message());
            case Outcome.WallExceeded e -> error(root, e.message());
            case Outcome.OutputTooLarge e -> error(root, e.message());
            case Outcome.InternalError e -> error(root, e.message());
        }
        ArrayNode logArray = root.putArray("logs");
        for (LogEntry log : logs) {
            logArray.addObject().put("level", log.level().wireName()).put("message", log.message());
        }
        ObjectNode r = root.putObject("receipt");
        r.put("cpuMs", receipt.cpu().toNanos() / 1e6);
        r.put("wallMs", receipt.wall().toNanos() / 1e6);
        r.put("allocatedBytes", receipt.allocatedBytes());
        if (receipt.droppedLogs() > 0) {
            r.put("droppedLogs", receipt.droppedLogs());
        }
        if (!receipt.egress().isEmpty()) {
            ArrayNode egress = r.putArray("egress");
            for (EgressRecord e : receipt.egress()) {
                ObjectNode n = egress.addObject().put("host", e.host()).put("method", e.method());
                if (e.status() > 0) {
                    n.put("status", e.status());
                }
                n.put("bytesSent", e.bytesSent())
                        .put("bytesReceived", e.bytesReceived())
                        .put("ms", e.elapsed().toNanos() / 1e6)
                        .put("result", e.result());
            }
        }
        return root;
    }

    private static ObjectNode error(ObjectNode root, String message) {
        return root.putObject("error").put("message", message);
    }

    private static ArrayNode strings(List<String> items) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        items.forEach(a::add);
        return a;
    }
}
