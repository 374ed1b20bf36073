package dev.atoll.gateway.internal.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.ToolOutcome;
import dev.atoll.gateway.backend.ToolReply;
import dev.atoll.gateway.dlp.Action;
import dev.atoll.gateway.dlp.Category;
import dev.atoll.gateway.dlp.Direction;
import dev.atoll.gateway.dlp.DlpEngine;
import dev.atoll.gateway.dlp.DlpResult;
import dev.atoll.gateway.dlp.ScanContext;
import dev.atoll.gateway.internal.metrics.GatewayMetrics;
import dev.atoll.runtime.Receipt;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * Data-loss prevention around the call: scans the arguments (a block ends the call before the tool
 * runs; a redaction passes the redacted arguments on), then the result and each log notification (a
 * blocked log line is dropped). Every scan with matches goes to {@link DlpAudit}; the matched rule
 * ids go on the {@link Call} for its audit record. Prompt-injection findings in a result that is not
 * blocked are also reported to the client in the result's {@code _meta}.
 */
public final class DlpStage implements CallHandler {

    /** The {@code _meta} key of a result in which prompt-injection findings are reported. */
    public static final String INJECTION_META = "dev.atoll/injection";

    private static final Logger LOG = Logger.getLogger(DlpStage.class.getName());

    private final DlpEngine engine;
    private final DlpAudit audit;
    private final Optional<GatewayMetrics> metrics;
    private final CallHandler next;

    /**
     * Creates the stage.
     *
     * @param engine the DLP engine
     * @param audit where scans with matches are recorded
     * @param next the next stage
     */
    public DlpStage(DlpEngine engine, DlpAudit audit, CallHandler next) {
        this(engine, audit, Optional.empty(), next);
    }

    /**
     * Creates the stage, timing every scan ({@code atoll.dlp.scan}).
     *
     * @param engine the DLP engine
     * @param audit where scans with matches are recorded
     * @param metrics the metrics, if enabled
     * @param next the next stage
     */
    public DlpStage(DlpEngine engine, DlpAudit audit, Optional<GatewayMetrics> metrics, CallHandler next) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.next = Objects.requireNonNull(next, "next");
    }

    @Override
    public ToolReply handle(Call call, ObjectNode arguments) {
        DlpResult<JsonNode> in = scan(call, arguments, Direction.INBOUND);
        if (in.blocked()) {
            return blocked("the arguments", in);
        }
        call.wrapClient(link -> new DlpLink(call, link));
        ToolReply reply = next.handle(call, (ObjectNode) in.payloadOr(arguments));
        return reply instanceof ToolReply.Result r ? scanResult(call, r) : reply;
    }

    private ToolReply scanResult(Call call, ToolReply.Result r) {
        DlpResult<JsonNode> result = scan(call, r.result(), Direction.OUTBOUND);
        if (result.blocked()) {
            return blocked("the result", result);
        }
        List<ObjectNode> logs = new ArrayList<>(r.logs().size());
        for (ObjectNode log : r.logs()) {
            DlpResult<JsonNode> l = scan(call, log, Direction.OUTBOUND);
            if (!l.blocked()) {
                logs.add((ObjectNode) l.payloadOr(log));
            }
        }
        ObjectNode payload = flagInjection(call, result, (ObjectNode) result.payloadOr(r.result()));
        return new ToolReply.Result(payload, logs, r.progress(), r.outcome(), r.receipt());
    }

    /**
     * Surfaces prompt-injection findings (logged or redacted) to the client: {@code _meta} of the result
     * gets {@value #INJECTION_META} with the rule ids and the strongest action taken, so that an agent
     * or its user can treat the result as suspect. The finding is also in the audit log and the log.
     */
    private static ObjectNode flagInjection(Call call, DlpResult<JsonNode> scan, ObjectNode result) {
        Set<String> rules = new TreeSet<>();
        Action strongest = Action.LOG;
        for (var f : scan.findings()) {
            if (f.match().category() == Category.INJECTION) {
                rules.add(f.match().ruleId());
                strongest = strongest.max(f.action());
            }
        }
        if (rules.isEmpty()) {
            return result;
        }
        LOG.info(() -> "prompt-injection signs in the result of tool "
                + call.tool().name() + " (tenant " + call.principal().tenant() + "): " + String.join(", ", rules));
        ObjectNode flagged = result.deepCopy();
        ObjectNode meta = flagged.get("_meta") instanceof ObjectNode m ? m : flagged.putObject("_meta");
        ObjectNode note = meta.putObject(INJECTION_META);
        rules.forEach(note.putArray("rules")::add);
        note.put("action", strongest.name().toLowerCase(Locale.ROOT));
        return flagged;
    }

    private DlpResult<JsonNode> scan(Call call, JsonNode payload, Direction direction) {
        long started = System.nanoTime();
        DlpResult<JsonNode> result = engine.scan(
                payload, ScanContext.of(call.principal().tenant(), call.tool().name(), direction));
        metrics.ifPresent(
                m -> m.dlpScan(direction.name().toLowerCase(java.util.Locale.ROOT), System.nanoTime() - started));
        audit.accept(result);
        result.findings().forEach(f -> call.dlpMatched(f.match().ruleId()));
        return result;
    }

    /**
     * DLP on what flows between a running call and its client: progress messages and sampling or
     * elicitation requests are scanned outbound (a block drops the progress message or fails the
     * request), the client's answers inbound (a block fails the request; a redaction passes the
     * redacted answer to the guest).
     */
    private final class DlpLink implements dev.atoll.gateway.backend.ClientLink {
        private final Call call;
        private final dev.atoll.gateway.backend.ClientLink link;

        DlpLink(Call call, dev.atoll.gateway.backend.ClientLink link) {
            this.call = call;
            this.link = link;
        }

        @Override
        public boolean progress(double progress, java.util.OptionalDouble total, java.util.Optional<String> message) {
            if (message.isEmpty()) {
                return link.progress(progress, total, message);
            }
            ObjectNode m = JsonNodeFactory.instance.objectNode().put("message", message.get());
            DlpResult<JsonNode> r = scan(call, m, Direction.OUTBOUND);
            if (r.blocked()) {
                return link.progress(progress, total, java.util.Optional.empty());
            }
            return link.progress(
                    progress,
                    total,
                    java.util.Optional.of(r.payloadOr(m).path("message").asText("")));
        }

        @Override
        public boolean supports(String capability) {
            return link.supports(capability);
        }

        @Override
        public java.util.concurrent.CompletableFuture<JsonNode> request(
                String method, ObjectNode params, java.time.Duration timeout) {
            DlpResult<JsonNode> out = scan(call, params, Direction.OUTBOUND);
            if (out.blocked()) {
                return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException(
                        "blocked by data loss prevention: the request contains data matching a blocking rule"));
            }
            return link.request(method, (ObjectNode) out.payloadOr(params), timeout)
                    .thenApply(answer -> {
                        DlpResult<JsonNode> in = scan(call, answer, Direction.INBOUND);
                        if (in.blocked()) {
                            throw new IllegalStateException(
                                    "blocked by data loss prevention: the client's answer contains data matching a blocking rule");
                        }
                        return in.payloadOr(answer);
                    });
        }
    }

    /** A tool result saying DLP stopped the call; names rule ids and where, never the value. */
    private static ToolReply blocked(String what, DlpResult<?> result) {
        ObjectNode res = JsonNodeFactory.instance.objectNode();
        Set<String> rules = new TreeSet<>();
        result.findings().stream()
                .filter(f -> f.action() == Action.BLOCK)
                .forEach(f -> rules.add(f.match().ruleId()));
        String why = rules.isEmpty()
                ? "the scan could not complete within its limits"
                : "data matching rule(s) " + String.join(", ", rules);
        res.putArray("content")
                .addObject()
                .put("type", "text")
                .put("text", "Blocked by data loss prevention: " + what + " contain " + why + ".");
        res.put("isError", true);
        return new ToolReply.Result(res, List.of(), List.of(), ToolOutcome.DLP_BLOCKED, Receipt.none());
    }
}
