package dev.atoll.gateway.internal.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * The host's check of a guest's sampling and elicitation requests before they reach a client, and of
 * the client's answers (to those and to an upstream's {@code roots/list}) before they reach the guest
 * or the upstream: the MCP shapes, with bounds.
 */
public final class ClientRequests {

    private static final Set<String> ROLES = Set.of("user", "assistant");
    private static final Set<String> SAMPLING_KEYS = Set.of(
            "messages",
            "maxTokens",
            "systemPrompt",
            "temperature",
            "stopSequences",
            "modelPreferences",
            "includeContext",
            "metadata");
    private static final Set<String> ELICIT_KEYS = Set.of("message", "requestedSchema", "mode");
    private static final Set<String> PRIMITIVES = Set.of("string", "number", "integer", "boolean", "array");
    private static final Set<String> ACTIONS = Set.of("accept", "decline", "cancel");

    private ClientRequests() {}

    /**
     * Checks a request.
     *
     * @param method {@code sampling/createMessage} or {@code elicitation/create}
     * @param params the guest's params
     * @return what is wrong, or empty if it may be sent
     */
    public static Optional<String> check(String method, ObjectNode params) {
        return method.equals("sampling/createMessage") ? sampling(params) : elicitation(params);
    }

    /**
     * Checks a client's answer.
     *
     * @param method the request's method ({@code sampling/createMessage}, {@code elicitation/create},
     *     {@code roots/list})
     * @param result the client's result
     * @return what is wrong, or empty if the guest may have it
     */
    public static Optional<String> checkAnswer(String method, JsonNode result) {
        if (!result.isObject()) {
            return Optional.of("the client's answer is not an object");
        }
        if (method.equals("roots/list")) {
            return roots(result);
        }
        if (method.equals("sampling/createMessage")) {
            if (!ROLES.contains(result.path("role").asText(""))
                    || (!result.path("content").isObject()
                            && !result.path("content").isArray())) {
                return Optional.of("the client's sampling answer has no role and content");
            }
            return Optional.empty();
        }
        if (!ACTIONS.contains(result.path("action").asText(""))) {
            return Optional.of("the client's elicitation answer has no action accept, decline or cancel");
        }
        if (result.has("content") && !result.get("content").isObject()) {
            return Optional.of("the client's elicitation content is not an object");
        }
        return Optional.empty();
    }

    /** Most roots a client's answer may list. */
    public static final int MAX_ROOTS = 1000;

    /**
     * A {@code roots/list} answer: only {@code roots} (and {@code _meta}), at most {@link #MAX_ROOTS},
     * each a {@code file://} URI of at most 4096 characters and an optional name of at most 1024.
     */
    private static Optional<String> roots(JsonNode result) {
        Optional<String> keys = only(result, Set.of("roots", "_meta"));
        if (keys.isPresent()) {
            return keys;
        }
        JsonNode roots = result.path("roots");
        if (!roots.isArray() || roots.size() > MAX_ROOTS) {
            return Optional.of("the client's roots answer needs a roots array of at most " + MAX_ROOTS);
        }
        for (JsonNode r : roots) {
            if (!r.isObject() || only(r, Set.of("uri", "name", "_meta")).isPresent()) {
                return Optional.of("each root must be an object with uri and an optional name");
            }
            JsonNode uri = r.path("uri");
            if (!uri.isTextual()
                    || uri.textValue().length() > 4096
                    || !uri.textValue().startsWith("file://")) {
                return Optional.of("each root's uri must be a file:// URI of at most 4096 characters");
            }
            try {
                new java.net.URI(uri.textValue());
            } catch (java.net.URISyntaxException e) {
                return Optional.of("a root's uri is not a valid URI");
            }
            if (r.has("name")
                    && (!r.get("name").isTextual() || r.get("name").textValue().length() > 1024)) {
                return Optional.of("a root's name must be a string of at most 1024 characters");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> sampling(ObjectNode p) {
        Optional<String> keys = only(p, SAMPLING_KEYS);
        if (keys.isPresent()) {
            return keys;
        }
        JsonNode messages = p.path("messages");
        if (!messages.isArray() || messages.isEmpty() || messages.size() > 100) {
            return Optional.of("messages must be an array of 1-100 messages");
        }
        for (JsonNode m : messages) {
            if (!m.isObject()
                    || !ROLES.contains(m.path("role").asText(""))
                    || (!m.path("content").isObject() && !m.path("content").isArray())) {
                return Optional.of("each message needs a role (user or assistant) and content");
            }
        }
        JsonNode max = p.path("maxTokens");
        if (!max.canConvertToExactIntegral() || max.asLong() < 1 || max.asLong() > 1_000_000) {
            return Optional.of("maxTokens must be an integer from 1 to 1000000");
        }
        return Optional.empty();
    }

    private static Optional<String> elicitation(ObjectNode p) {
        Optional<String> keys = only(p, ELICIT_KEYS);
        if (keys.isPresent()) {
            return keys;
        }
        if (!p.path("message").isTextual()) {
            return Optional.of("message must be a string");
        }
        JsonNode schema = p.path("requestedSchema");
        if (!schema.isObject()
                || !"object".equals(schema.path("type").asText())
                || !schema.path("properties").isObject()) {
            return Optional.of("requestedSchema must be an object schema with properties");
        }
        for (Iterator<JsonNode> it = schema.get("properties").elements(); it.hasNext(); ) {
            JsonNode prop = it.next();
            if (!PRIMITIVES.contains(prop.path("type").asText(""))) {
                return Optional.of("requestedSchema properties must be of type string, number, integer, boolean"
                        + " or array (enum multi-select)");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> only(JsonNode n, Set<String> keys) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!keys.contains(k)) {
                return Optional.of("unexpected key '" + (k.length() > 40 ? k.substring(0, 40) : k) + "'");
            }
        }
        return Optional.empty();
    }
}
