package dev.atoll.gateway.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.registry.PoisoningSign;
import dev.atoll.gateway.registry.PoisoningSign.Kind;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds poisoning signs in a tool's name and texts (title, description, annotation strings, every
 * string value and property name in its schemas). Pure functions.
 *
 * <p>Text is matched after removing invisible characters and NFKC normalisation, so
 * {@code ig\u200Bnore previous instructions} or fullwidth letters do not evade the patterns.
 */
public final class PoisoningScanner {

    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL;

    private record Rule(Kind kind, Pattern pattern) {}

    private static Rule rule(Kind kind, String regex) {
        return new Rule(kind, Pattern.compile(regex, FLAGS));
    }

    private static final List<Rule> RULES = List.of(
            // Hidden or fake-system tags.
            rule(
                    Kind.HIDDEN_TAG,
                    "<\\s*/?\\s*(important|system|instructions?|hidden|secret|admin|assistant|prompt"
                            + "|context|note|sys|im_start|im_end)\\b[^>]{0,200}>"),
            rule(Kind.HIDDEN_TAG, "<!--"),
            rule(Kind.HIDDEN_TAG, "\\[/?\\s*(inst|sys|system)\\s*\\]|<\\|[a-z_]{2,20}\\|>"),
            // Instructions aimed at the model.
            rule(
                    Kind.MODEL_INSTRUCTION,
                    "\\b(ignore|disregard|forget|override|bypass)\\b[^.\\n]{0,40}?\\b(previous|prior"
                            + "|above|earlier|all|any|other|system|safety|existing)\\b[^.\\n]{0,30}?\\b(instructions?|prompts?|rules"
                            + "|messages?|directives?|guidelines|guardrails|context|constraints)\\b"),
            rule(
                    Kind.MODEL_INSTRUCTION,
                    "\\b(do\\s+not|don'?t|never|must\\s+not)\\s+(tell|inform|notify|mention|reveal"
                            + "|show|alert|disclose|say)\\b[^.\\n]{0,40}?\\b(user|human|operator|anyone)\\b"),
            rule(
                    Kind.MODEL_INSTRUCTION,
                    "\\bwithout\\s+(telling|informing|notifying|asking|alerting|showing)\\s+"
                            + "(the\\s+|your\\s+)?(user|human|operator)\\b"),
            rule(
                    Kind.MODEL_INSTRUCTION,
                    "\\b(the\\s+)?user\\s+(must|should|need)\\s*(not|n'?t)\\s+(know|see|be\\s+told|notice)\\b"),
            rule(
                    Kind.MODEL_INSTRUCTION,
                    "\\b(before|after|instead\\s+of)\\s+(using|calling|invoking|running)\\s+"
                            + "(this|any|the|other|another)\\b[^.\\n]{0,20}?\\btools?\\b"),
            rule(
                    Kind.MODEL_INSTRUCTION,
                    "\\byou\\s+(must|should|need\\s+to|have\\s+to|are\\s+required\\s+to)\\s+"
                            + "(always\\s+|first\\s+|also\\s+)*(call|use|invoke|run|read|send|pass|include|forward|add|provide)\\b"),
            rule(
                    Kind.MODEL_INSTRUCTION,
                    "\\b(system\\s+prompt|new\\s+instructions|you\\s+are\\s+now|from\\s+now\\s+on"
                            + "|act\\s+as\\s+(an?\\s+)?(admin|root|system|developer))\\b"),
            rule(Kind.MODEL_INSTRUCTION, "\\bwhen\\s+(the\\s+)?[\\w.-]+\\s+tool\\s+is\\s+(used|called|invoked)\\b"),
            // Requests to read files, keys or credentials.
            rule(
                    Kind.SENSITIVE_FILE,
                    "~/?\\.ssh\\b|\\.ssh/|\\bid_(rsa|dsa|ecdsa|ed25519)\\b|\\bauthorized_keys\\b"
                            + "|\\bknown_hosts\\b"),
            rule(
                    Kind.SENSITIVE_FILE,
                    "(^|[\\s/'\"`(\\[])\\.env(\\.[a-z]+)?\\b|\\.aws/|\\.netrc\\b|\\.npmrc\\b|\\.pypirc\\b"
                            + "|\\.pgpass\\b|\\.git-credentials\\b|\\.docker/config|\\bkubeconfig\\b|\\.kube/config"
                            + "|/etc/(passwd|shadow|sudoers)\\b|\\bmcp\\.json\\b|\\.cursor/|\\.config/"),
            rule(
                    Kind.SENSITIVE_FILE,
                    "\\bcredentials?\\b|\\bprivate[\\s_-]?keys?\\b|\\bapi[\\s_-]?keys?\\b"
                            + "|\\bsecret[\\s_-]?keys?\\b|\\baccess[\\s_-]?tokens?\\b|\\bseed\\s+phrase\\b|\\bwallet\\.dat\\b"
                            + "|\\bpasswords?\\s+files?\\b"));

    private PoisoningScanner() {}

    /**
     * Scans a tool version.
     *
     * @param name the tool name
     * @param manifest its manifest JSON
     * @param otherNames the names of the registry's other tools (for confusable names)
     * @return the signs found, in a stable order
     */
    public static List<PoisoningSign> scan(String name, JsonNode manifest, Collection<String> otherNames) {
        List<PoisoningSign> signs = new ArrayList<>();
        scanText("name", name, signs);
        for (String other : new TreeSet<>(otherNames)) {
            if (Skeleton.confusable(name, other)) {
                signs.add(new PoisoningSign(
                        Kind.CONFUSABLE_NAME, "name", escape(name) + " looks like the tool " + escape(other)));
            }
        }
        for (Map.Entry<String, JsonNode> field : manifest.properties()) {
            String key = field.getKey();
            if (key.equals("name") || key.equals("limits")) {
                continue;
            }
            walk("/" + pointerEscape(key), field.getValue(), signs);
        }
        return List.copyOf(new LinkedHashSet<>(signs));
    }

    private static void walk(String location, JsonNode node, List<PoisoningSign> signs) {
        if (node.isTextual()) {
            scanText(location, node.asText(), signs);
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                String child = location + "/" + pointerEscape(e.getKey());
                scanText(child + " (key)", e.getKey(), signs);
                walk(child, e.getValue(), signs);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(location + "/" + i, node.get(i), signs);
            }
        }
    }

    /**
     * Scans one text.
     *
     * @param location where the text is
     * @param text the text
     * @param signs where to add the signs found
     */
    static void scanText(String location, String text, List<PoisoningSign> signs) {
        Set<String> hidden = new TreeSet<>();
        StringBuilder visible = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (Invisible.is(cp)) {
                hidden.add(String.format("U+%04X", cp));
            } else {
                visible.appendCodePoint(cp);
            }
        });
        if (!hidden.isEmpty()) {
            signs.add(new PoisoningSign(Kind.INVISIBLE_CHARACTER, location, String.join(" ", hidden)));
        }
        String clean = Normalizer.normalize(visible, Normalizer.Form.NFKC);
        for (Rule r : RULES) {
            Matcher m = r.pattern().matcher(clean);
            if (m.find()) {
                signs.add(new PoisoningSign(r.kind(), location, escape(m.group().strip())));
            }
        }
    }

    private static String pointerEscape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    /** Escapes control, format and non-printing characters as \\uXXXX and cuts to 120 characters. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(cp -> {
            if (cp < 0x20
                    || cp == 0x7f
                    || (cp >= 0x80 && cp < 0xa0)
                    || Invisible.is(cp)
                    || cp == 0x2028
                    || cp == 0x2029) {
                b.append(String.format("\\u%04X", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.length() > 120 ? b.substring(0, 117) + "..." : b.toString();
    }
}
