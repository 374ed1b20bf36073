package dev.atoll.gateway.internal.tail;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** One event of the live tail: a closed set. Serialised as one JSON object per SSE event. */
public sealed interface TailEvent {

    /** When it happened. */
    Instant at();

    /** The node it happened on ({@code node.id}). */
    String node();

    /** The SSE event name: {@code call}, {@code admin}. */
    String type();

    /** The event as JSON (the SSE {@code data}). */
    ObjectNode toJson();

    /**
     * A {@code tools/call} that finished.
     *
     * @param at when it finished
     * @param node the node that ran it
     * @param seq a number unique among this node's call events since start (links a tail line to its receipt)
     * @param tenant the caller's tenant
     * @param tool the tool's name
     * @param version the tool's version (0 for an upstream tool, which has no versions)
     * @param backend {@code isolate} or {@code upstream}
     * @param outcome the outcome id ({@code ok}, {@code tool_error}, ...)
     * @param latencyMicros time through the gateway's pipeline
     * @param cpuMicros guest CPU time (0 when the backend does not measure)
     * @param wallMicros guest wall time
     * @param allocatedBytes bytes the guest allocated
     * @param egressHosts hosts the call's outbound requests went to (allowed or refused), in order, distinct
     * @param dlpRules ids of the DLP rules that matched a payload of the call, sorted
     * @param console the tool's console output after DLP (bounded, see {@code tail.console-bytes})
     * @param consoleTruncated whether console lines or characters were left out
     */
    record Call(
            Instant at,
            String node,
            long seq,
            String tenant,
            String tool,
            int version,
            String backend,
            String outcome,
            long latencyMicros,
            long cpuMicros,
            long wallMicros,
            long allocatedBytes,
            List<String> egressHosts,
            List<String> dlpRules,
            List<String> console,
            boolean consoleTruncated)
            implements TailEvent {

        /** Rejects nulls and copies the lists. */
        public Call {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(tool, "tool");
            Objects.requireNonNull(backend, "backend");
            Objects.requireNonNull(outcome, "outcome");
            egressHosts = List.copyOf(egressHosts);
            dlpRules = List.copyOf(dlpRules);
            console = List.copyOf(console);
        }

        @Override
        public String type() {
            return "call";
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("type", type())
                    .put("at", at.toString())
                    .put("node", node)
                    .put("seq", seq)
                    .put("tenant", tenant)
                    .put("tool", tool)
                    .put("version", version)
                    .put("backend", backend)
                    .put("outcome", outcome)
                    .put("latencyMs", latencyMicros / 1000.0);
            n.putObject("receipt")
                    .put("cpuMs", cpuMicros / 1000.0)
                    .put("wallMs", wallMicros / 1000.0)
                    .put("allocatedBytes", allocatedBytes)
                    .set("egressHosts", strings(egressHosts));
            n.set("dlpRules", strings(dlpRules));
            n.set("console", strings(console));
            n.put("consoleTruncated", consoleTruncated);
            return n;
        }
    }

    /**
     * An operator's or the gateway's own action: a deploy, approval, rejection, rollback, a tool put
     * out of service, an upstream added, approved or removed, an upstream tool pulled (a rug pull), an
     * upstream server changing state.
     *
     * @param at when it happened
     * @param node the node that saw it
     * @param action what happened, e.g. {@code tool.approve}, {@code upstream.state}, {@code upstream.tool.pulled}
     * @param target the tool or upstream concerned
     * @param actor who acted ({@code system} for the gateway itself)
     * @param detail a short human-readable detail (may be empty)
     */
    record Admin(Instant at, String node, String action, String target, String actor, String detail)
            implements TailEvent {

        /** Rejects nulls. */
        public Admin {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(actor, "actor");
            Objects.requireNonNull(detail, "detail");
        }

        @Override
        public String type() {
            return "admin";
        }

        @Override
        public ObjectNode toJson() {
            return JsonNodeFactory.instance
                    .objectNode()
                    .put("type", type())
                    .put("at", at.toString())
                    .put("node", node)
                    .put("action", action)
                    .put("target", target)
                    .put("actor", actor)
                    .put("detail", detail);
        }
    }

    /** The tool (or upstream) an event concerns: {@code --tool} filters match it. */
    default String subject() {
        return switch (this) {
            case Call c -> c.tool();
            case Admin a -> a.target();
        };
    }

    private static com.fasterxml.jackson.databind.node.ArrayNode strings(List<String> values) {
        var a = JsonNodeFactory.instance.arrayNode();
        values.forEach(a::add);
        return a;
    }
}
