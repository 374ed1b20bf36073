package dev.atoll.gateway.internal.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The host's check of what a module's resource, prompt and completion handlers return: the guest
 * decides nothing the client sees without this. Shapes are MCP's ({@code ReadResourceResult},
 * {@code GetPromptResult}, {@code CompleteResult}); unknown keys, other URIs than the one read, media
 * types that are not {@code type/subtype}, invalid base64, roles other than {@code user} and
 * {@code assistant}, and oversized lists are refused with a message naming the problem.
 */
public final class FeatureResults {

    /** Most contents of one read, messages of one prompt, values of one completion. */
    public static final int MAX_ITEMS = 100;

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Pattern MEDIA_TYPE =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");
    private static final Set<String> CONTENT_KEYS = Set.of("uri", "mimeType", "text", "blob");
    private static final Set<String> ROLES = Set.of("user", "assistant");

    private FeatureResults() {}

    /** A result the host refuses. */
    public static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * A {@code ReadResourceResult} from what a resource handler returned: a string (the text of the
     * resource), or {@code {contents: [...]}} whose items may leave out {@code uri} and {@code mimeType}.
     *
     * @param value the handler's value
     * @param uri the URI read
     * @param declaredMime the declared media type, or "" if none
     * @return the result
     * @throws Invalid if it is not a valid result for that URI
     */
    public static ObjectNode read(JsonNode value, String uri, String declaredMime) {
        String mime = declaredMime.isEmpty() ? "text/plain" : declaredMime;
        ObjectNode result = F.objectNode();
        ArrayNode out = result.putArray("contents");
        if (value.isTextual()) {
            out.addObject().put("uri", uri).put("mimeType", mime).put("text", value.textValue());
            return result;
        }
        if (!value.isObject() || value.size() != 1 || !value.path("contents").isArray()) {
            throw new Invalid("a resource handler must return a string or { contents: [...] }");
        }
        JsonNode contents = value.get("contents");
        if (contents.isEmpty() || contents.size() > MAX_ITEMS) {
            throw new Invalid("contents must hold 1-" + MAX_ITEMS + " items");
        }
        for (JsonNode c : contents) {
            ObjectNode item = resourceContents(c, "contents[]", mime);
            if (!item.get("uri").textValue().equals(uri)) {
                throw new Invalid("contents[].uri must be the URI read (" + uri + ")");
            }
            out.add(item);
        }
        return result;
    }

    /**
     * A {@code GetPromptResult} from what a prompt handler returned: {@code {description?, messages}}
     * or just the messages array.
     *
     * @param value the handler's value
     * @param description the declared description, or "" if none
     * @return the result
     * @throws Invalid if it is not valid
     */
    public static ObjectNode prompt(JsonNode value, String description) {
        JsonNode messages = value.isArray() ? value : value.path("messages");
        if (value.isObject()) {
            only(value, Set.of("description", "messages"), "the prompt result");
        }
        if (!messages.isArray() || messages.isEmpty() || messages.size() > MAX_ITEMS) {
            throw new Invalid("a prompt handler must return { messages: [...] } with 1-" + MAX_ITEMS + " messages");
        }
        ObjectNode result = F.objectNode();
        JsonNode d = value.path("description");
        if (d.isTextual()) {
            result.put("description", d.textValue());
        } else if (!d.isMissingNode()) {
            throw new Invalid("description must be a string");
        } else if (!description.isEmpty()) {
            result.put("description", description);
        }
        ArrayNode out = result.putArray("messages");
        for (JsonNode m : messages) {
            if (!m.isObject()) {
                throw new Invalid("messages[] must be objects { role, content }");
            }
            only(m, Set.of("role", "content"), "messages[]");
            String role = m.path("role").asText("");
            if (!ROLES.contains(role)) {
                throw new Invalid("messages[].role must be user or assistant");
            }
            ObjectNode msg = out.addObject();
            msg.put("role", role);
            msg.set("content", contentBlock(m.path("content")));
        }
        return result;
    }

    /**
     * A {@code CompleteResult} from what a completion handler returned: an array of strings or
     * {@code {values, total?, hasMore?}}; at most {@link #MAX_ITEMS} values are kept.
     *
     * @param value the handler's value
     * @return the result
     * @throws Invalid if it is not valid
     */
    public static ObjectNode completion(JsonNode value) {
        JsonNode values = value.isArray() ? value : value.path("values");
        if (value.isObject()) {
            only(value, Set.of("values", "total", "hasMore"), "the completion");
        }
        if (!values.isArray()) {
            throw new Invalid("a completion handler must return an array of strings or { values: [...] }");
        }
        ObjectNode result = F.objectNode();
        ObjectNode c = result.putObject("completion");
        ArrayNode out = c.putArray("values");
        for (JsonNode v : values) {
            if (!v.isTextual() || v.textValue().length() > 1024) {
                throw new Invalid("completion values must be strings of at most 1024 characters");
            }
            if (out.size() < MAX_ITEMS) {
                out.add(v.textValue());
            }
        }
        JsonNode total = value.path("total");
        if (total.canConvertToExactIntegral() && total.asLong() >= 0) {
            c.put("total", Math.max(total.asLong(), values.size()));
        } else if (!total.isMissingNode()) {
            throw new Invalid("total must be a non-negative integer");
        }
        JsonNode more = value.path("hasMore");
        if (more.isBoolean()) {
            c.put("hasMore", more.booleanValue() || values.size() > MAX_ITEMS);
        } else if (!more.isMissingNode()) {
            throw new Invalid("hasMore must be true or false");
        } else if (values.size() > MAX_ITEMS) {
            c.put("hasMore", true);
        }
        return result;
    }

    /** An empty {@code CompleteResult}. */
    public static ObjectNode noCompletion() {
        ObjectNode result = F.objectNode();
        result.putObject("completion").putArray("values");
        return result;
    }

    private static ObjectNode resourceContents(JsonNode c, String where, String defaultMime) {
        if (!c.isObject()) {
            throw new Invalid(where + " must be objects");
        }
        only(c, CONTENT_KEYS, where);
        ObjectNode item = F.objectNode();
        String uri = c.path("uri").asText("");
        if (c.has("uri") && !c.get("uri").isTextual()) {
            throw new Invalid(where + ".uri must be a string");
        }
        item.put("uri", uri);
        String mime = c.has("mimeType") ? mediaType(c.get("mimeType"), where) : defaultMime;
        item.put("mimeType", mime);
        boolean text = c.has("text");
        boolean blob = c.has("blob");
        if (text == blob) {
            throw new Invalid(where + " must have exactly one of text and blob");
        }
        if (text) {
            if (!c.get("text").isTextual()) {
                throw new Invalid(where + ".text must be a string");
            }
            item.put("text", c.get("text").textValue());
        } else {
            item.put("blob", base64(c.get("blob"), where + ".blob"));
        }
        return item;
    }

    private static ObjectNode contentBlock(JsonNode b) {
        if (!b.isObject()) {
            throw new Invalid("messages[].content must be a content block object");
        }
        String type = b.path("type").asText("");
        ObjectNode out = F.objectNode();
        out.put("type", type);
        switch (type) {
            case "text" -> {
                only(b, Set.of("type", "text", "annotations"), "text content");
                if (!b.path("text").isTextual()) {
                    throw new Invalid("text content needs a string text");
                }
                out.put("text", b.get("text").textValue());
            }
            case "image", "audio" -> {
                only(b, Set.of("type", "data", "mimeType", "annotations"), type + " content");
                out.put("data", base64(b.path("data"), type + " content data"));
                out.put("mimeType", mediaType(b.path("mimeType"), type + " content"));
            }
            case "resource" -> {
                only(b, Set.of("type", "resource", "annotations"), "resource content");
                ObjectNode r = resourceContents(b.path("resource"), "resource content", "text/plain");
                absoluteUri(r.get("uri").textValue(), "resource content uri");
                out.set("resource", r);
            }
            case "resource_link" -> {
                only(
                        b,
                        Set.of("type", "uri", "name", "title", "description", "mimeType", "size", "annotations"),
                        "resource_link content");
                absoluteUri(b.path("uri").asText(""), "resource_link uri");
                if (!b.path("name").isTextual()) {
                    throw new Invalid("resource_link content needs a string name");
                }
                ObjectNode copy = ((ObjectNode) b).deepCopy();
                if (copy.has("mimeType")) {
                    mediaType(copy.get("mimeType"), "resource_link content");
                }
                return copy;
            }
            default -> throw new Invalid("content type must be text, image, audio, resource or resource_link");
        }
        if (b.has("annotations")) {
            if (!b.get("annotations").isObject()) {
                throw new Invalid("annotations must be an object");
            }
            out.set("annotations", b.get("annotations").deepCopy());
        }
        return out;
    }

    private static String mediaType(JsonNode m, String where) {
        if (!m.isTextual() || !MEDIA_TYPE.matcher(m.textValue()).matches()) {
            throw new Invalid(where + ".mimeType must be a media type such as text/plain");
        }
        return m.textValue();
    }

    private static String base64(JsonNode v, String where) {
        if (!v.isTextual()) {
            throw new Invalid(where + " must be a base64 string");
        }
        try {
            Base64.getDecoder().decode(v.textValue());
        } catch (IllegalArgumentException e) {
            throw new Invalid(where + " is not valid base64");
        }
        return v.textValue();
    }

    private static void absoluteUri(String uri, String where) {
        try {
            if (!new URI(uri).isAbsolute()) {
                throw new Invalid(where + " must be an absolute URI");
            }
        } catch (URISyntaxException e) {
            throw new Invalid(where + " is not a URI");
        }
    }

    private static void only(JsonNode n, Set<String> keys, String where) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!keys.contains(k)) {
                throw new Invalid(
                        where + " has an unexpected key '" + (k.length() > 40 ? k.substring(0, 40) : k) + "'");
            }
        }
    }
}
