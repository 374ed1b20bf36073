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
import dev.atoll.runtime.Receipt;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
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
    private final CallHandler next;

    /**
     * Creates the stage.
     *
     * @param engine the DLP engine
     * @param audit where scans with matches are recorded
     * @param next the next stage
     */
    public DlpStage(DlpEngine engine, DlpAudit audit, CallHandler next) {
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
        LOG.info(() -> "prompt-injection signs in the result of tool " + call.tool().name() + " (tenant "
                + call.principal().tenant() + "): " + String.join(", ", rules));
        ObjectNode flagged = result.deepCopy();
        ObjectNode meta = flagged.get("_meta") instanceof ObjectNode m ? m : flagged.putObject("_meta");
        ObjectNode note = meta.putObject(INJECTION_META);
        rules.forEach(note.putArray("rules")::add);
        note.put("action", strongest.name().toLowerCase(Locale.ROOT));
        return flagged;
    }

    private DlpResult<JsonNode> scan(Call call, JsonNode payload, Direction direction) {
        DlpResult<JsonNode> result = engine.scan(payload,
                ScanContext.of(call.principal().tenant(), call.tool().name(), direction));
        audit.accept(result);
        result.findings().forEach(f -> call.dlpMatched(f.match().ruleId()));
        return result;
    }

    /** A tool result saying DLP stopped the call; names rule ids and where, never the value. */
    private static ToolReply blocked(String what, DlpResult<?> result) {
        ObjectNode res = JsonNodeFactory.instance.objectNode();
        Set<String> rules = new TreeSet<>();
        result.findings().stream().filter(f -> f.action() == Action.BLOCK).forEach(f -> rules.add(f.match().ruleId()));
        String why = rules.isEmpty() ? "the scan could not complete within its limits"
                : "data matching rule(s) " + String.join(", ", rules);
        res.putArray("content").addObject().put("type", "text")
                .put("text", "Blocked by data loss prevention: " + what + " contain " + why + ".");
        res.put("isError", true);
        return new ToolReply.Result(res, List.of(), List.of(), ToolOutcome.DLP_BLOCKED, Receipt.none());
    }
}
