package dev.atoll.gateway.internal.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import dev.atoll.gateway.internal.http.Caller;
import dev.atoll.runtime.Receipt;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The gateway's own {@code retrieve_tools} tool (off unless {@code mcp.tool-search.enabled}): BM25
 * search over the tools the caller's token may call, returning the best {@code limit} with their
 * schemas, for agents that cannot load every schema of a large catalogue. It is a backend of its own:
 * a call goes through the same pipeline as any {@code tools/call} (metrics with backend
 * {@code gateway}, an audit record, DLP on the query and on the definitions returned), with the
 * caller's scope in the per-call entry's handle so that the search sees only the tools the caller
 * may call. Its version is 0 and its digest the SHA-256 of its definition.
 */
final class RetrieveTools implements ToolBackend {

    /** The tool's name, reserved in the registry (no catalogue tool can have it). */
    static final String NAME = "retrieve_tools";
    /** Longest query accepted. */
    static final int MAX_QUERY_CHARS = 1000;

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ToolSearch search;
    private final int defaultResults;
    private final int maxResults;
    private final ObjectNode definition;
    private final String digest;

    /**
     * The handle of a per-call entry: who calls (the search is limited to what it may call).
     *
     * @param caller the caller
     */
    record Scope(Caller caller) {}

    /**
     * @param search the index
     * @param defaultResults results when the call gives no {@code limit}
     * @param maxResults the largest {@code limit} accepted
     */
    RetrieveTools(ToolSearch search, int defaultResults, int maxResults) {
        this.search = Objects.requireNonNull(search, "search");
        if (maxResults < 1 || defaultResults < 1 || defaultResults > maxResults) {
            throw new IllegalArgumentException("mcp.tool-search: need 1 <= default-results <= max-results, got "
                    + defaultResults + " and " + maxResults);
        }
        this.defaultResults = defaultResults;
        this.maxResults = maxResults;
        this.definition = definition(defaultResults, maxResults);
        try {
            this.digest = java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(JSON.writeValueAsBytes(definition)));
        } catch (java.security.NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The catalogue entry of one call by a caller, to send through the call pipeline.
     *
     * @param caller who calls
     * @return the entry (this backend, the caller's scope as handle)
     */
    CatalogEntry entry(Caller caller) {
        return new CatalogEntry(NAME, 0, digest, definition, this, new Scope(caller));
    }

    @Override
    public ToolReply call(CatalogEntry entry, ObjectNode arguments, CallContext context) {
        ObjectNode result = call(((Scope) entry.handle()).caller(), arguments);
        return new ToolReply.Result(
                result,
                List.of(),
                List.of(),
                result.path("isError").asBoolean() ? ToolOutcome.TOOL_ERROR : ToolOutcome.OK,
                Receipt.none());
    }

    /** @return the MCP {@code Tool} object listed by {@code tools/list} */
    ObjectNode definition() {
        return definition;
    }

    /**
     * Runs a search for a caller.
     *
     * @param caller who asks (only tools it may call are searched)
     * @param arguments {@code query} and optional {@code limit}
     * @return a tool result: {@code structuredContent.tools} (definitions, best first) and the same as
     *     JSON text; or {@code isError} with a message for bad arguments
     */
    ObjectNode call(Caller caller, ObjectNode arguments) {
        for (var it = arguments.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("query") && !k.equals("limit")) {
                return error("unknown argument '" + JsonRpc.truncate(k, 64) + "' (expected query, limit)");
            }
        }
        JsonNode q = arguments.path("query");
        if (!q.isTextual() || q.textValue().isBlank()) {
            return error("query must be a non-blank string");
        }
        if (q.textValue().length() > MAX_QUERY_CHARS) {
            return error("query must be at most " + MAX_QUERY_CHARS + " characters, got "
                    + q.textValue().length());
        }
        int limit = defaultResults;
        JsonNode l = arguments.get("limit");
        if (l != null && !l.isNull()) {
            if (!l.canConvertToExactIntegral()
                    || !l.canConvertToInt()
                    || l.intValue() < 1
                    || l.intValue() > maxResults) {
                return error("limit must be an integer from 1 to " + maxResults + ", got "
                        + JsonRpc.truncate(l.toString(), 32));
            }
            limit = l.intValue();
        }
        Optional<Set<String>> allowed = caller.tools().contains("*") ? Optional.empty() : Optional.of(caller.tools());
        ObjectNode structured = F.objectNode();
        ArrayNode tools = structured.putArray("tools");
        for (ToolSearch.Hit h : search.search(q.textValue(), limit, allowed)) {
            tools.add(h.entry().definition());
        }
        ObjectNode result = F.objectNode();
        try {
            result.putArray("content").addObject().put("type", "text").put("text", JSON.writeValueAsString(structured));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        result.set("structuredContent", structured);
        result.put("isError", false);
        return result;
    }

    private static ObjectNode error(String message) {
        ObjectNode result = F.objectNode();
        result.putArray("content").addObject().put("type", "text").put("text", "retrieve_tools: " + message);
        result.put("isError", true);
        return result;
    }

    private static ObjectNode definition(int defaultResults, int maxResults) {
        ObjectNode d = F.objectNode();
        d.put("name", NAME);
        d.put("title", "Search the available tools");
        d.put(
                "description",
                "Finds the tools that best match a description of a task (BM25 over tool names, "
                        + "titles, descriptions and parameter names) and returns them with their input schemas. "
                        + "Use it when the tool list is too large to read: describe what you need, then call the tools found.");
        ObjectNode schema = d.putObject("inputSchema");
        schema.put("type", "object");
        ObjectNode props = schema.putObject("properties");
        props.putObject("query")
                .put("type", "string")
                .put("minLength", 1)
                .put("maxLength", MAX_QUERY_CHARS)
                .put("description", "What the tool should do, in words (e.g. 'create a github issue')");
        props.putObject("limit")
                .put("type", "integer")
                .put("minimum", 1)
                .put("maximum", maxResults)
                .put("default", defaultResults)
                .put("description", "How many tools to return at most");
        schema.putArray("required").add("query");
        schema.put("additionalProperties", false);
        ObjectNode output = d.putObject("outputSchema");
        output.put("type", "object");
        output.putObject("properties")
                .putObject("tools")
                .put("type", "array")
                .putObject("items")
                .put("type", "object");
        output.putArray("required").add("tools");
        d.putObject("annotations").put("readOnlyHint", true).put("openWorldHint", false);
        return d;
    }
}
