package dev.atoll.gateway.internal.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.CallContext;
import dev.atoll.gateway.backend.CatalogEntry;
import dev.atoll.gateway.backend.ToolBackend;
import dev.atoll.gateway.backend.ToolOutcome;
import dev.atoll.gateway.backend.ToolReply;
import dev.atoll.gateway.internal.mcp.JsonRpc;
import dev.atoll.gateway.internal.mcp.UriTemplate;
import dev.atoll.isolate.pool.IsolatePool;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.Entry;
import dev.atoll.runtime.Invocation;
import dev.atoll.runtime.LogEntry;
import dev.atoll.runtime.Outcome;
import dev.atoll.runtime.Receipt;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Runs JS tools in fresh pooled contexts and maps their outcomes onto MCP results: a tool's failure
 * (thrown error, limits, invalid arguments or output) is an {@code isError: true} result the model can
 * read; only overload and internal faults are JSON-RPC errors.
 */
public final class IsolateBackend implements ToolBackend {

    /** JSON-RPC error code (implementation-defined server error range) for a shed call. */
    public static final int OVERLOADED = -32001;

    private static final Set<String> RESULT_KEYS = Set.of("content", "isError", "structuredContent", "_meta");
    private static final Set<String> CONTENT_TYPES = Set.of("text", "image", "audio", "resource", "resource_link");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final IsolatePool pool;
    private final ToolBreaker breaker;

    /**
     * Creates the backend.
     *
     * @param pool the isolate pool
     * @param breaker the circuit breaker: calls of a tool version it is suspending are refused
     */
    public IsolateBackend(IsolatePool pool, ToolBreaker breaker) {
        this.pool = pool;
        this.breaker = breaker;
    }

    /**
     * Loads a tool version into the pool (parsed once, cached by digest) and makes it the active
     * version of its name, so its warm contexts start filling.
     *
     * @param source the tool file
     * @return the loaded tool
     */
    public Tool deploy(ToolSource source) {
        return pool.deploy(source);
    }

    /**
     * Loads an approved tool version into the pool, as {@link #deploy(ToolSource)}, only if its
     * manifest is the approved one (which the loaded tool then enforces).
     *
     * @param source the tool file
     * @param approved the stored, approved manifest
     * @return the loaded tool
     * @throws dev.atoll.runtime.InvalidToolException a manifest mismatch if they differ
     */
    public Tool deploy(ToolSource source, dev.atoll.runtime.ToolManifest approved) {
        return pool.deploy(source, approved);
    }

    /**
     * Drops a tool name's warm contexts.
     *
     * @param name the tool name
     */
    public void retire(String name) {
        pool.retire(name);
    }

    /**
     * The MCP {@code Tool} definition of a loaded tool.
     *
     * @param tool the tool
     * @return {@code name}, {@code title}, {@code description}, {@code inputSchema},
     *     {@code outputSchema}, {@code annotations}
     */
    public static ObjectNode definition(Tool tool) {
        var m = tool.manifest();
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        d.put("name", m.name());
        m.title().ifPresent(t -> d.put("title", t));
        d.put("description", m.description());
        d.set("inputSchema", m.inputSchema().deepCopy());
        m.outputSchema().ifPresent(s -> d.set("outputSchema", s.deepCopy()));
        m.annotations().ifPresent(a -> d.set("annotations", a.deepCopy()));
        return d;
    }

    @Override
    public ToolReply call(CatalogEntry entry, ObjectNode arguments, CallContext context) {
        if (entry.handle() instanceof IsolateFeatures.ModuleFeature f) {
            return feature(entry, f.tool(), arguments, context);
        }
        Tool tool = (Tool) entry.handle();
        if (breaker.suspended(tool)) {
            return new ToolReply.Rejected(
                    -32603,
                    "the tool cannot run: it is suspended by the circuit breaker",
                    ToolOutcome.INVALID_TOOL,
                    Optional.empty());
        }
        CallResult r =
                pool.call(tool, arguments, new Invocation(Entry.TOOL, context.tenant(), List.of(context.client())));
        List<ObjectNode> logs = logs(r.logs(), entry.name());
        Receipt receipt = r.receipt();
        ToolOutcome outcome = ToolOutcome.of(r.outcome().kind());
        return switch (r.outcome()) {
            case Outcome.Ok ok -> new ToolReply.Result(success(tool, ok.value()), logs, List.of(), outcome, receipt);
            case Outcome.LoadShed shed ->
                new ToolReply.Rejected(
                        OVERLOADED, "server overloaded: " + shed.message(), outcome, Optional.of(shed.retryAfter()));
            case Outcome.InternalError e -> new ToolReply.Rejected(-32603, "internal error", outcome, Optional.empty());
            case Outcome.InvalidTool e ->
                new ToolReply.Rejected(-32603, "the tool cannot run: " + e.message(), outcome, Optional.empty());
            case Outcome.ToolError e -> failure(e.message(), logs, outcome, receipt);
            case Outcome.InvalidArguments e -> failure(e.message() + details(e.errors()), logs, outcome, receipt);
            case Outcome.InvalidOutput e -> failure(e.message() + details(e.errors()), logs, outcome, receipt);
            case Outcome.CpuExceeded e -> failure(e.message(), logs, outcome, receipt);
            case Outcome.MemoryExceeded e -> failure(e.message(), logs, outcome, receipt);
            case Outcome.WallExceeded e -> failure(e.message(), logs, outcome, receipt);
            case Outcome.OutputTooLarge e -> failure(e.message(), logs, outcome, receipt);
        };
    }

    /**
     * Serves {@code resources/read}, {@code prompts/get} or {@code completion/complete} with the
     * module's handler, in a fresh context under the tool's limits, and checks what it returns.
     */
    private ToolReply feature(CatalogEntry entry, Tool tool, ObjectNode request, CallContext context) {
        if (breaker.suspended(tool)) {
            return new ToolReply.Rejected(
                    -32603,
                    "the module cannot run: it is suspended by the circuit breaker",
                    ToolOutcome.INVALID_TOOL,
                    Optional.empty());
        }
        String method = request.path("method").asText("");
        JsonNode params = request.path("params");
        var features = tool.manifest().features();
        ObjectNode guestRequest = JSON.createObjectNode();
        Entry kind;
        String declared = "";
        switch (method) {
            case "resources/read" -> {
                kind = Entry.RESOURCE;
                String uri = params.path("uri").asText("");
                guestRequest.put("uri", uri);
                ObjectNode vars = guestRequest.putObject("params");
                Optional<ObjectNode> direct = features.resources().stream()
                        .filter(r -> r.path("uri").asText().equals(uri))
                        .findFirst();
                if (direct.isPresent()) {
                    declared = direct.get().path("mimeType").asText("");
                } else {
                    Optional<ObjectNode> template = Optional.empty();
                    for (ObjectNode t : features.resourceTemplates()) {
                        var m = UriTemplate.of(t.path("uriTemplate").asText()).match(uri);
                        if (m.isPresent()) {
                            m.get().forEach(vars::put);
                            template = Optional.of(t);
                            break;
                        }
                    }
                    if (template.isEmpty()) {
                        return new ToolReply.Rejected(
                                JsonRpc.RESOURCE_NOT_FOUND,
                                "Resource not found",
                                ToolOutcome.INVALID_ARGUMENTS,
                                Optional.empty());
                    }
                    declared = template.get().path("mimeType").asText("");
                }
            }
            case "prompts/get" -> {
                kind = Entry.PROMPT;
                String name = params.path("name").asText("");
                ObjectNode prompt = features.prompts().stream()
                        .filter(p -> p.path("name").asText().equals(name))
                        .findFirst()
                        .orElse(null);
                if (prompt == null) {
                    return new ToolReply.Rejected(
                            -32602, "Unknown prompt", ToolOutcome.INVALID_ARGUMENTS, Optional.empty());
                }
                ObjectNode args = params.path("arguments").isObject()
                        ? (ObjectNode) params.get("arguments")
                        : JSON.createObjectNode();
                for (JsonNode a : prompt.path("arguments")) {
                    if (a.path("required").asBoolean(false)
                            && !args.path(a.path("name").asText()).isTextual()) {
                        return new ToolReply.Rejected(
                                -32602,
                                "Invalid params: missing required argument '"
                                        + a.path("name").asText() + "'",
                                ToolOutcome.INVALID_ARGUMENTS,
                                Optional.empty());
                    }
                }
                for (var it = args.properties().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    if (!e.getValue().isTextual()) {
                        return new ToolReply.Rejected(
                                -32602,
                                "Invalid params: prompt arguments must be strings",
                                ToolOutcome.INVALID_ARGUMENTS,
                                Optional.empty());
                    }
                }
                guestRequest.put("name", name);
                guestRequest.set("arguments", args.deepCopy());
                declared = prompt.path("description").asText("");
            }
            case "completion/complete" -> {
                kind = Entry.COMPLETE;
                guestRequest.set("ref", params.path("ref").deepCopy());
                guestRequest.set("argument", params.path("argument").deepCopy());
                guestRequest.set(
                        "context",
                        params.path("context").isObject()
                                ? params.get("context").deepCopy()
                                : JSON.createObjectNode());
            }
            default -> {
                return new ToolReply.Rejected(
                        -32601, "Method not found", ToolOutcome.INVALID_ARGUMENTS, Optional.empty());
            }
        }
        CallResult r = pool.call(tool, guestRequest, new Invocation(kind, context.tenant(), List.of(context.client())));
        List<ObjectNode> logs = logs(r.logs(), entry.name());
        ToolOutcome outcome = ToolOutcome.of(r.outcome().kind());
        String what = switch (kind) {
            case RESOURCE -> "resource handler";
            case PROMPT -> "prompt handler";
            default -> "completion handler";
        };
        return switch (r.outcome()) {
            case Outcome.Ok ok -> {
                try {
                    ObjectNode result = switch (kind) {
                        case RESOURCE ->
                            FeatureResults.read(
                                    ok.value(), guestRequest.path("uri").asText(), declared);
                        case PROMPT -> FeatureResults.prompt(ok.value(), declared);
                        default -> FeatureResults.completion(ok.value());
                    };
                    yield new ToolReply.Result(result, logs, List.of(), outcome, r.receipt());
                } catch (FeatureResults.Invalid e) {
                    yield new ToolReply.Rejected(
                            -32603,
                            "the module's " + what + " returned an invalid result: " + e.getMessage(),
                            ToolOutcome.INVALID_OUTPUT,
                            Optional.empty());
                }
            }
            case Outcome.LoadShed shed ->
                new ToolReply.Rejected(
                        OVERLOADED, "server overloaded: " + shed.message(), outcome, Optional.of(shed.retryAfter()));
            case Outcome.ToolError e
            when kind == Entry.COMPLETE && e.message().startsWith(NO_EXPORT) ->
                // A module without a completion handler offers no suggestions: an empty completion.
                new ToolReply.Result(FeatureResults.noCompletion(), logs, List.of(), ToolOutcome.OK, r.receipt());
            case Outcome.ToolError e ->
                new ToolReply.Rejected(
                        -32603, "the module's " + what + " failed: " + e.message(), outcome, Optional.empty());
            default ->
                new ToolReply.Rejected(
                        -32603,
                        "the module's " + what + " failed: "
                                + r.outcome().kind().name().toLowerCase(java.util.Locale.ROOT),
                        outcome,
                        Optional.empty());
        };
    }

    private static final String NO_EXPORT = "the module exports no function";

    private static String details(List<String> errors) {
        return errors.isEmpty() ? "" : ": " + String.join("; ", errors);
    }

    private static ToolReply failure(String message, List<ObjectNode> logs, ToolOutcome outcome, Receipt receipt) {
        ObjectNode result = JSON.createObjectNode();
        result.putArray("content").addObject().put("type", "text").put("text", message);
        result.put("isError", true);
        return new ToolReply.Result(result, logs, List.of(), outcome, receipt);
    }

    /**
     * Maps a tool's return value onto a {@code CallToolResult}: with an output schema the value is the
     * {@code structuredContent} (and its JSON a text block); a value already shaped like a
     * {@code CallToolResult} (only {@code content}/{@code isError}/{@code structuredContent} keys and a
     * {@code content} array of typed blocks) passes through; a string is one text block; anything
     * else is its JSON as one text block.
     */
    static ObjectNode success(Tool tool, JsonNode value) {
        ObjectNode result = JSON.createObjectNode();
        if (tool.manifest().outputSchema().isPresent()) {
            result.putArray("content").addObject().put("type", "text").put("text", value.toString());
            result.set("structuredContent", value);
            result.put("isError", false);
            return result;
        }
        if (isCallToolResult(value)) {
            ObjectNode copy = ((ObjectNode) value).deepCopy();
            if (!copy.has("isError")) {
                copy.put("isError", false);
            }
            return copy;
        }
        result.putArray("content")
                .addObject()
                .put("type", "text")
                .put("text", value.isTextual() ? value.textValue() : value.toString());
        result.put("isError", false);
        return result;
    }

    private static boolean isCallToolResult(JsonNode value) {
        if (!(value instanceof ObjectNode o) || !(o.get("content") instanceof ArrayNode content)) {
            return false;
        }
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            if (!RESULT_KEYS.contains(it.next())) {
                return false;
            }
        }
        if (o.has("isError") && !o.get("isError").isBoolean()) {
            return false;
        }
        for (JsonNode block : content) {
            if (!block.isObject() || !CONTENT_TYPES.contains(block.path("type").asText(""))) {
                return false;
            }
        }
        return true;
    }

    private static List<ObjectNode> logs(List<LogEntry> entries, String logger) {
        List<ObjectNode> out = new ArrayList<>(entries.size());
        for (LogEntry e : entries) {
            ObjectNode n = JSON.createObjectNode();
            n.put(
                    "level",
                    switch (e.level()) {
                        case DEBUG -> "debug";
                        case LOG, INFO -> "info";
                        case WARN -> "warning";
                        case ERROR -> "error";
                    });
            n.put("logger", logger);
            n.put("data", e.message());
            out.add(n);
        }
        return out;
    }
}
