package dev.atoll.gateway.internal.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.CatalogEntry;
import dev.atoll.gateway.backend.ToolReply;
import dev.atoll.gateway.internal.tail.TailBus;
import dev.atoll.gateway.internal.tail.TailEvent;
import dev.atoll.runtime.EgressRecord;
import dev.atoll.runtime.Receipt;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Publishes every finished call to the live tail ({@link TailBus}): outermost, so it sees the reply
 * the caller gets (console output after DLP, the audit stage's refusals) and times the whole path.
 * Publishing never blocks the call (the bus drops slow subscribers).
 */
public final class TailStage implements CallHandler {

    /** Most console lines one event carries. */
    static final int MAX_LINES = 50;

    private final TailBus bus;
    private final String node;
    private final int consoleChars;
    private final Function<CatalogEntry, String> backendLabel;
    private final CallHandler next;

    /**
     * Creates the stage.
     *
     * @param bus the bus
     * @param node this node's id
     * @param consoleChars most characters of console output one event carries
     * @param backendLabel the {@code backend} of a tool ({@code isolate}, {@code upstream})
     * @param next the next stage
     */
    public TailStage(TailBus bus, String node, int consoleChars, Function<CatalogEntry, String> backendLabel,
            CallHandler next) {
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
        long micros = (System.nanoTime() - started) / 1000;
        try {
            bus.publish(event(call, reply, micros));
        } catch (RuntimeException e) {
            // the tail is an observer: it never fails a call
        }
        return reply;
    }

    private TailEvent.Call event(Call call, ToolReply reply, long micros) {
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
                String line = log.path("level").asText("info") + ": " + (data.isTextual() ? data.asText() : data.toString());
                if (line.length() > left) {
                    line = line.substring(0, left);
                    truncated = true;
                }
                left -= line.length();
                console.add(line);
            }
        }
        CatalogEntry tool = call.tool();
        return new TailEvent.Call(Instant.now(), node, bus.nextCallSeq(), call.principal().tenant(), tool.name(),
                tool.version(), backendLabel.apply(tool), reply.outcome().id(), micros, receipt.cpu().toNanos() / 1000,
                receipt.wall().toNanos() / 1000, receipt.allocatedBytes(), List.copyOf(hosts),
                List.copyOf(call.dlpRules()), console, truncated);
    }
}
