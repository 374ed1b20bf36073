package dev.atoll.runtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.runtime.InvalidToolException;
import dev.atoll.runtime.ModuleFeatures;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the {@code resources}, {@code resourceTemplates} and {@code prompts} of a manifest as strictly
 * as the rest of it: unknown keys are errors, URIs are absolute, templates are RFC 6570 level 1
 * ({@code {name}} only), media types are {@code type/subtype}, names are unique within the module.
 */
final class FeatureParser {

    static final int MAX_ENTRIES = 256;
    static final int MAX_URI = 2048;
    static final int MAX_NAME = 128;
    /** A prompt name: what MCP clients show and send back. */
    static final Pattern PROMPT_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    /** An RFC 6838 media type without parameters. */
    static final Pattern MEDIA_TYPE =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");

    static final Pattern TEMPLATE_VAR = Pattern.compile("\\{([A-Za-z0-9_]{1,64})\\}");
    private static final Set<String> RESOURCE_KEYS =
            Set.of("uri", "name", "title", "description", "mimeType", "size", "annotations");
    private static final Set<String> TEMPLATE_KEYS =
            Set.of("uriTemplate", "name", "title", "description", "mimeType", "annotations");
    private static final Set<String> PROMPT_KEYS = Set.of("name", "title", "description", "arguments");
    private static final Set<String> ARGUMENT_KEYS = Set.of("name", "title", "description", "required");

    private FeatureParser() {}

    static ModuleFeatures parse(JsonNode manifest) {
        List<ObjectNode> resources = new ArrayList<>();
        Set<String> uris = new HashSet<>();
        for (ObjectNode r : entries(manifest, "resources")) {
            String where = "tool.resources[" + resources.size() + "]";
            keys(r, RESOURCE_KEYS, where);
            String uri = text(r, "uri", where, MAX_URI);
            absoluteUri(uri, where + ".uri");
            if (!uris.add(uri)) {
                throw new InvalidToolException(where + ".uri repeats " + uri);
            }
            common(r, where);
            JsonNode size = r.get("size");
            if (size != null && (!size.canConvertToExactIntegral() || size.asLong() < 0)) {
                throw new InvalidToolException(where + ".size must be a non-negative integer");
            }
            resources.add(r);
        }
        List<ObjectNode> templates = new ArrayList<>();
        for (ObjectNode t : entries(manifest, "resourceTemplates")) {
            String where = "tool.resourceTemplates[" + templates.size() + "]";
            keys(t, TEMPLATE_KEYS, where);
            String template = text(t, "uriTemplate", where, MAX_URI);
            template(template, where + ".uriTemplate");
            common(t, where);
            templates.add(t);
        }
        List<ObjectNode> prompts = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (ObjectNode p : entries(manifest, "prompts")) {
            String where = "tool.prompts[" + prompts.size() + "]";
            keys(p, PROMPT_KEYS, where);
            String name = text(p, "name", where, 64);
            if (!PROMPT_NAME.matcher(name).matches()) {
                throw new InvalidToolException(where + ".name must match [A-Za-z0-9_.-]{1,64}");
            }
            if (!names.add(name)) {
                throw new InvalidToolException(where + ".name repeats " + name);
            }
            optionalText(p, "title", where, MAX_NAME);
            optionalText(p, "description", where, ManifestParser.MAX_DESCRIPTION);
            JsonNode args = p.get("arguments");
            if (args != null) {
                if (!args.isArray() || args.size() > 64) {
                    throw new InvalidToolException(where + ".arguments must be an array of at most 64 arguments");
                }
                Set<String> argNames = new HashSet<>();
                for (int i = 0; i < args.size(); i++) {
                    String aw = where + ".arguments[" + i + "]";
                    if (!(args.get(i) instanceof ObjectNode a)) {
                        throw new InvalidToolException(aw + " must be an object");
                    }
                    keys(a, ARGUMENT_KEYS, aw);
                    String an = text(a, "name", aw, 64);
                    if (!PROMPT_NAME.matcher(an).matches() || !argNames.add(an)) {
                        throw new InvalidToolException(aw + ".name must be a unique name of [A-Za-z0-9_.-]{1,64}");
                    }
                    optionalText(a, "title", aw, MAX_NAME);
                    optionalText(a, "description", aw, ManifestParser.MAX_DESCRIPTION);
                    if (a.has("required") && !a.get("required").isBoolean()) {
                        throw new InvalidToolException(aw + ".required must be true or false");
                    }
                }
            }
            prompts.add(p);
        }
        return new ModuleFeatures(resources, templates, prompts);
    }

    /**
     * The variables of a checked template, in order.
     *
     * @param template an RFC 6570 level-1 template
     * @return its variable names
     */
    static List<String> variables(String template) {
        List<String> out = new ArrayList<>();
        Matcher m = TEMPLATE_VAR.matcher(template);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static void template(String template, String where) {
        List<String> vars = variables(template);
        if (vars.isEmpty()) {
            throw new InvalidToolException(where + " has no {variable}: declare it under resources instead");
        }
        if (new HashSet<>(vars).size() != vars.size()) {
            throw new InvalidToolException(where + " repeats a variable");
        }
        String plain = TEMPLATE_VAR.matcher(template).replaceAll("x");
        if (plain.indexOf('{') >= 0 || plain.indexOf('}') >= 0) {
            throw new InvalidToolException(where + " must use only simple {variable} expressions (RFC 6570 level 1)");
        }
        absoluteUri(plain, where);
    }

    private static void absoluteUri(String uri, String where) {
        try {
            URI u = new URI(uri);
            if (!u.isAbsolute()) {
                throw new InvalidToolException(where + " must be an absolute URI with a scheme, e.g. test://name");
            }
        } catch (URISyntaxException e) {
            throw new InvalidToolException(where + " is not a URI: " + e.getReason());
        }
    }

    private static void common(ObjectNode n, String where) {
        text(n, "name", where, MAX_NAME);
        optionalText(n, "title", where, MAX_NAME);
        optionalText(n, "description", where, ManifestParser.MAX_DESCRIPTION);
        optionalText(n, "mimeType", where, 255);
        if (n.has("mimeType")
                && !MEDIA_TYPE.matcher(n.get("mimeType").textValue()).matches()) {
            throw new InvalidToolException(where + ".mimeType must be a media type such as text/plain");
        }
        if (n.has("annotations") && !n.get("annotations").isObject()) {
            throw new InvalidToolException(where + ".annotations must be an object");
        }
    }

    private static List<ObjectNode> entries(JsonNode manifest, String key) {
        JsonNode v = manifest.get(key);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray() || v.size() > MAX_ENTRIES) {
            throw new InvalidToolException("tool." + key + " must be an array of at most " + MAX_ENTRIES + " objects");
        }
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!(e instanceof ObjectNode o)) {
                throw new InvalidToolException("tool." + key + " must contain objects");
            }
            out.add(o);
        }
        return out;
    }

    private static void keys(ObjectNode n, Set<String> allowed, String where) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new InvalidToolException(where + "." + k + " is not allowed; allowed: "
                        + allowed.stream().sorted().toList());
            }
        }
    }

    private static String text(ObjectNode n, String key, String where, int max) {
        JsonNode v = n.get(key);
        if (v == null
                || !v.isTextual()
                || v.textValue().isBlank()
                || v.textValue().length() > max) {
            throw new InvalidToolException(
                    where + "." + key + " must be a non-blank string of at most " + max + " characters");
        }
        return v.textValue();
    }

    private static void optionalText(ObjectNode n, String key, String where, int max) {
        if (n.has(key)) {
            text(n, key, where, max);
        }
    }
}
