package dev.atoll.runtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.runtime.InvalidToolException;
import dev.atoll.runtime.LimitOverrides;
import dev.atoll.runtime.ToolManifest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a tool's manifest strictly: unknown keys are errors (a typo such as {@code egres} must not
 * silently drop a restriction), every value has its documented type and shape.
 */
public final class ManifestParser {

    static final Pattern TOOL_NAME = Pattern.compile("[a-z0-9_]{1,64}");
    static final Pattern SECRET_NAME = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
    /** A DNS name (lowercase) with an optional port. IP literals are rejected by the egress policy. */
    static final Pattern HOST = Pattern.compile(
            "(?=.{1,253}(:|$))[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:[0-9]{1,5})?");

    static final int MAX_DESCRIPTION = 8192;
    private static final Set<String> KEYS = Set.of(
            "name",
            "title",
            "description",
            "inputSchema",
            "outputSchema",
            "annotations",
            "egress",
            "secrets",
            "limits",
            "resources",
            "resourceTemplates",
            "prompts");
    private static final Set<String> LIMIT_KEYS = Set.of("cpuMs", "wallMs", "memoryMb", "outputKb", "logKb");

    private ManifestParser() {}

    /**
     * Parses a manifest.
     *
     * @param node the JSON of the exported {@code tool} object
     * @return the manifest
     * @throws InvalidToolException naming the first problem found
     */
    public static ToolManifest parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new InvalidToolException("the tool file must export a manifest object: export const tool = {"
                    + " name, description, inputSchema }");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new InvalidToolException("tool." + key + " is not a manifest key; allowed: " + sorted(KEYS));
            }
        }
        String name = requiredText(node, "name");
        if (!TOOL_NAME.matcher(name).matches()) {
            throw new InvalidToolException("tool.name must match [a-z0-9_]{1,64}, got " + quote(name));
        }
        String description = requiredText(node, "description");
        if (description.isBlank() || description.length() > MAX_DESCRIPTION) {
            throw new InvalidToolException("tool.description must be 1-" + MAX_DESCRIPTION + " characters");
        }
        Optional<String> title = node.has("title") ? Optional.of(requiredText(node, "title")) : Optional.empty();
        ObjectNode input = objectSchema(node, "inputSchema")
                .orElseThrow(() -> new InvalidToolException(
                        "tool.inputSchema is required (a JSON Schema with" + " type \"object\")"));
        Optional<ObjectNode> output = objectSchema(node, "outputSchema");
        Optional<ObjectNode> annotations = Optional.empty();
        if (node.has("annotations")) {
            if (!node.get("annotations").isObject()) {
                throw new InvalidToolException("tool.annotations must be an object");
            }
            annotations = Optional.of((ObjectNode) node.get("annotations"));
        }
        List<String> egress = hosts(node.get("egress"), "tool.egress");
        Map<String, List<String>> secrets = new LinkedHashMap<>();
        JsonNode s = node.get("secrets");
        if (s != null) {
            if (!s.isObject()) {
                throw new InvalidToolException("tool.secrets must be an object: { SECRET_NAME: [\"host\", ...] }");
            }
            for (var e : s.properties()) {
                if (!SECRET_NAME.matcher(e.getKey()).matches()) {
                    throw new InvalidToolException(
                            "tool.secrets key must match [A-Z][A-Z0-9_]{0,63}, got " + quote(e.getKey()));
                }
                List<String> bound = hosts(e.getValue(), "tool.secrets." + e.getKey());
                if (bound.isEmpty()) {
                    throw new InvalidToolException(
                            "tool.secrets." + e.getKey() + " must list at least one host the secret may be sent to");
                }
                secrets.put(e.getKey(), bound);
            }
        }
        return new ToolManifest(
                name,
                title,
                description,
                input,
                output,
                annotations,
                egress,
                secrets,
                limits(node.get("limits")),
                FeatureParser.parse(node));
    }

    private static LimitOverrides limits(JsonNode l) {
        if (l == null) {
            return LimitOverrides.none();
        }
        if (!l.isObject()) {
            throw new InvalidToolException("tool.limits must be an object, e.g. { cpuMs: 50, memoryMb: 16 }");
        }
        for (Iterator<String> it = l.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!LIMIT_KEYS.contains(key)) {
                throw new InvalidToolException(
                        "tool.limits." + key + " is not a limit; allowed: " + sorted(LIMIT_KEYS));
            }
        }
        return new LimitOverrides(
                limit(l, "cpuMs"), limit(l, "wallMs"), limit(l, "memoryMb"), limit(l, "outputKb"), limit(l, "logKb"));
    }

    private static OptionalLong limit(JsonNode l, String key) {
        JsonNode v = l.get(key);
        if (v == null) {
            return OptionalLong.empty();
        }
        if (!v.canConvertToExactIntegral() || !v.canConvertToLong() || v.asLong() <= 0 || v.asLong() > 1_000_000_000L) {
            throw new InvalidToolException("tool.limits." + key + " must be a positive integer, got " + v);
        }
        return OptionalLong.of(v.asLong());
    }

    private static List<String> hosts(JsonNode list, String where) {
        List<String> out = new ArrayList<>();
        if (list == null) {
            return out;
        }
        if (!list.isArray()) {
            throw new InvalidToolException(where + " must be an array of host names");
        }
        for (JsonNode h : list) {
            if (!h.isTextual()) {
                throw new InvalidToolException(where + " must contain host names (strings), got " + h);
            }
            String host = h.asText();
            if (!HOST.matcher(host).matches() || !host.equals(host.toLowerCase(Locale.ROOT))) {
                throw new InvalidToolException(
                        where + ": " + quote(host) + " is not a lowercase host name with an optional :port");
            }
            out.add(host);
        }
        return out;
    }

    private static Optional<ObjectNode> objectSchema(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isObject() || !"object".equals(v.path("type").asText(""))) {
            throw new InvalidToolException("tool." + key + " must be a JSON Schema object with type \"object\"");
        }
        return Optional.of((ObjectNode) v);
    }

    private static String requiredText(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual()) {
            throw new InvalidToolException("tool." + key + " must be a string");
        }
        return v.asText();
    }

    private static String quote(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        StringBuilder b = new StringBuilder("\"");
        cut.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.append('"').toString();
    }

    private static String sorted(Set<String> keys) {
        return keys.stream().sorted().toList().toString();
    }
}
