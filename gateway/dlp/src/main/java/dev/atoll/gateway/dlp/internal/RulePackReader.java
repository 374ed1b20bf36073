package dev.atoll.gateway.dlp.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.dlp.Category;
import dev.atoll.gateway.dlp.DlpException;
import dev.atoll.gateway.dlp.Rule;
import dev.atoll.gateway.dlp.Severity;
import dev.atoll.gateway.dlp.Validator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a rule pack from JSON: {@code {"version": 1, "rules": [{...}]}}. Unknown members are errors,
 * so that a typo cannot silently drop a restriction.
 */
public final class RulePackReader {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> RULE_KEYS = Set.of(
            "id",
            "description",
            "category",
            "severity",
            "keywords",
            "pattern",
            "group",
            "before",
            "after",
            "digits",
            "digitShape",
            "invisible",
            "requires",
            "requiresWithin",
            "keyPattern",
            "valuePattern",
            "validators",
            "generic",
            "examples");

    private RulePackReader() {}

    /**
     * @param json the pack's JSON text
     * @param source a name for messages
     * @return the rules
     * @throws DlpException naming the source, rule and member on any error
     */
    public static List<Rule> read(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new DlpException(source + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new DlpException(source + ": a rule pack is a JSON object with a \"rules\" array");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("version") && !k.equals("rules") && !k.equals("description")) {
                throw new DlpException(source + ": unknown member '" + k + "' (expected version, description, rules)");
            }
        }
        if (root.has("version") && root.get("version").asInt() != 1) {
            throw new DlpException(source + ": unsupported version " + root.get("version") + " (expected 1)");
        }
        JsonNode rules = root.path("rules");
        if (!rules.isArray()) {
            throw new DlpException(source + ": \"rules\" must be an array");
        }
        List<Rule> out = new ArrayList<>();
        int i = 0;
        for (JsonNode r : rules) {
            String where = source + ": rules[" + i + "]"
                    + (r.path("id").isTextual() ? " (" + r.get("id").asText() + ")" : "");
            try {
                out.add(rule(r, where));
            } catch (DlpException e) {
                throw Objects.requireNonNull(e.getMessage(), "message").startsWith(source)
                        ? e
                        : new DlpException(where + ": " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new DlpException(where + ": " + e.getMessage(), e);
            }
            i++;
        }
        return out;
    }

    private static Rule rule(JsonNode r, String where) {
        if (!r.isObject()) {
            throw new DlpException(where + ": a rule is a JSON object");
        }
        for (Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!RULE_KEYS.contains(k)) {
                throw new DlpException(where + ": unknown member '" + k + "'");
            }
        }
        List<String> keywords = new ArrayList<>();
        for (JsonNode k : r.path("keywords")) {
            keywords.add(k.asText());
        }
        List<String> requires = new ArrayList<>();
        for (JsonNode k : r.path("requires")) {
            requires.add(k.asText());
        }
        List<Validator> validators = new ArrayList<>();
        for (JsonNode v : r.path("validators")) {
            validators.add(validator(v, where));
        }
        JsonNode ex = r.path("examples");
        List<JsonNode> pos = new ArrayList<>();
        List<JsonNode> neg = new ArrayList<>();
        ex.path("positive").forEach(pos::add);
        ex.path("negative").forEach(neg::add);
        return new Rule(
                text(r, "id", where),
                text(r, "description", where),
                Category.valueOf(upper(text(r, "category", where))),
                Severity.valueOf(upper(text(r, "severity", where))),
                keywords,
                optional(r, "pattern"),
                r.path("group").asInt(0),
                r.path("before").asInt(64),
                r.path("after").asInt(256),
                r.path("digits").asInt(0),
                Rule.DigitShape.valueOf(
                        upper(r.path("digitShape").asText("any")).replace('-', '_')),
                r.path("invisible").asBoolean(false),
                requires,
                r.path("requiresWithin").asInt(r.path("after").asInt(256)),
                optional(r, "keyPattern"),
                optional(r, "valuePattern"),
                validators,
                r.path("generic").asBoolean(false),
                new Rule.Examples(pos, neg));
    }

    private static Validator validator(JsonNode v, String where) {
        String type = v.path("type").asText("");
        return switch (type) {
            case "luhn" -> new Validator.Luhn();
            case "iban" -> new Validator.IbanMod97();
            case "entropy" -> {
                if (!v.path("min").isNumber()) {
                    throw new DlpException(where + ": the entropy validator needs a numeric \"min\"");
                }
                yield new Validator.Entropy(v.get("min").asDouble());
            }
            case "crc32-base62" -> new Validator.Crc32Base62();
            case "us-ssn" -> new Validator.UsSsn();
            case "jwt" -> new Validator.Jwt();
            case "not-placeholder" -> new Validator.NotPlaceholder();
            default ->
                throw new DlpException(where + ": unknown validator type '" + type
                        + "' (luhn, iban, entropy, crc32-base62, us-ssn, jwt, not-placeholder)");
        };
    }

    private static String text(JsonNode r, String key, String where) {
        JsonNode v = r.get(key);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new DlpException(where + ": \"" + key + "\" must be a non-blank string");
        }
        return v.asText();
    }

    private static Optional<String> optional(JsonNode r, String key) {
        JsonNode v = r.get(key);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }

    private static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }
}
