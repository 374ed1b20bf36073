package dev.atoll.gateway.backend;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a tool's {@code x-mcp-header} annotations against the 2026-07-28 rules (tools page,
 * "x-mcp-header"; transports page, "Custom Headers from Tool Parameters"): clients must drop a tool
 * whose annotations break them, so the gateway refuses such a tool at deploy instead of serving a
 * definition that clients silently hide.
 */
public final class HeaderAnnotations {

    private static final String KEY = "x-mcp-header";

    private HeaderAnnotations() {}

    /**
     * Every broken rule, or an empty list.
     *
     * @param inputSchema the tool's input schema
     * @return one message per problem, naming the JSON path of the annotation
     */
    public static List<String> problems(JsonNode inputSchema) {
        List<String> out = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        walk(inputSchema, "", true, out, seen);
        return out;
    }

    /**
     * @param reachable whether {@code node} is reached from the root through {@code properties} keys only
     */
    private static void walk(
            JsonNode node, String path, boolean reachable, List<String> out, Map<String, String> seen) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), path + "/" + i, false, out, seen);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        JsonNode header = node.get(KEY);
        if (header != null) {
            check(node, header, path.isEmpty() ? "/" : path, reachable, out, seen);
        }
        for (var it = node.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equals("properties") && e.getValue().isObject()) {
                for (var p = e.getValue().properties().iterator(); p.hasNext(); ) {
                    var prop = p.next();
                    walk(prop.getValue(), path + "/properties/" + prop.getKey(), reachable, out, seen);
                }
            } else if (!e.getKey().equals(KEY)) {
                walk(e.getValue(), path + "/" + e.getKey(), false, out, seen);
            }
        }
    }

    private static void check(
            JsonNode schema,
            JsonNode header,
            String path,
            boolean reachable,
            List<String> out,
            Map<String, String> seen) {
        String where = KEY + " at " + path;
        if (!reachable || path.equals("/")) {
            out.add(where + ": only properties reached from the schema root through 'properties' alone may be"
                    + " mirrored into headers (not through items, oneOf/anyOf/allOf/not, if/then/else or $ref)");
        }
        if (!header.isTextual() || header.textValue().isEmpty()) {
            out.add(where + ": the value must be a non-empty string");
            return;
        }
        String name = header.textValue();
        for (int i = 0; i < name.length(); i++) {
            if (!tchar(name.charAt(i))) {
                out.add(where + ": '" + name + "' is not an HTTP field-name token (RFC 9110 tchar only)");
                return;
            }
        }
        String previous = seen.putIfAbsent(name.toLowerCase(Locale.ROOT), path);
        if (previous != null) {
            out.add(where + ": '" + name + "' repeats the header of " + previous + " (names are case-insensitive)");
        }
        JsonNode type = schema.get("type");
        if (type == null
                || !type.isTextual()
                || !(type.textValue().equals("string")
                        || type.textValue().equals("integer")
                        || type.textValue().equals("boolean"))) {
            out.add(where + ": the property must have type string, integer or boolean (not number, object, array"
                    + " or a list of types)");
        }
    }

    private static boolean tchar(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
