package dev.atoll.runtime.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NumericNode;
import dev.atoll.runtime.InvalidToolException;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Reads a JavaScript tool's manifest from its source text, on the host, without running any of it:
 * the initializer of {@code export const tool = ...} must be a static, JSON-like literal (objects,
 * arrays, strings in single or double quotes, numbers, {@code true}, {@code false}, {@code null};
 * unquoted keys, trailing commas and comments allowed). Identifiers, calls, template literals, spreads,
 * computed keys, methods and getters are refused, because a computed manifest can differ between the
 * evaluation an operator reviews and the one that later runs (issue #18, W1).
 *
 * <p>The scanner that finds the declaration skips comments, strings, template literals and regular
 * expression literals; it does not need to be a full JavaScript parser, because the literal it finds is
 * compared with what the module's evaluation exports, and a module whose two disagree is refused.
 */
public final class ManifestLiteral {

    private static final JsonFactory LENIENT = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
            .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(JsonReadFeature.ALLOW_LEADING_DECIMAL_POINT_FOR_NUMBERS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(LENIENT);
    /** Keywords after which a {@code /} starts a regular expression, not a division. */
    private static final Set<String> REGEX_AFTER = Set.of(
            "return",
            "typeof",
            "instanceof",
            "in",
            "of",
            "new",
            "delete",
            "void",
            "throw",
            "case",
            "do",
            "else",
            "yield",
            "await",
            "export",
            "default");

    private static final String RULE = "the manifest must be a static literal: export const tool = { name: '...',"
            + " description: '...', inputSchema: { ... } } with only strings, numbers, true, false, null,"
            + " arrays and objects (no variables, calls, template literals, spreads or computed keys)";

    /** Numbers compare by value (JSON.stringify writes 1.0 as 1), everything else as Jackson does. */
    static final Comparator<JsonNode> SAME_VALUE = (a, b) -> {
        if (a instanceof NumericNode x && b instanceof NumericNode y) {
            return x.decimalValue().compareTo(y.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private ManifestLiteral() {}

    /**
     * Whether two manifests (as JSON) are the same, numbers compared by value.
     *
     * @param a one manifest
     * @param b the other
     * @return whether they are equal
     */
    public static boolean same(JsonNode a, JsonNode b) {
        return a.equals(SAME_VALUE, b);
    }

    /**
     * The manifest literal of a JavaScript module.
     *
     * @param code the module source
     * @return the literal's value
     * @throws InvalidToolException if there is no single {@code export const tool = {...}} or its
     *     initializer is not a static literal, naming the line
     */
    public static JsonNode js(String code) {
        List<Integer> starts = new Scanner(code).declarations();
        if (starts.isEmpty()) {
            throw new InvalidToolException("the tool file must declare its manifest as a literal:"
                    + " export const tool = { name, description, inputSchema } (" + RULE + ")");
        }
        if (starts.size() > 1) {
            throw new InvalidToolException("the tool file declares export const tool more than once");
        }
        int start = starts.getFirst();
        try (JsonParser p = LENIENT.createParser(new StringReader(code.substring(start)))) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw notLiteral(code, start, "tool is not an object literal");
            }
            JsonNode node = MAPPER.readTree(p);
            int end = start + (int) p.currentLocation().getCharOffset();
            checkEnd(code, end);
            return node;
        } catch (JsonProcessingException e) {
            int at = start
                    + (int) Math.max(
                            0, e.getLocation() == null ? 0 : e.getLocation().getCharOffset());
            throw notLiteral(code, Math.min(at, code.length()), e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidToolException("cannot read the manifest literal: " + e.getMessage());
        }
    }

    /** After the literal: {@code ;}, the end of the file, or a line break before a new statement. */
    private static void checkEnd(String code, int end) {
        int i = end;
        boolean newline = false;
        while (i < code.length()) {
            char c = code.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029') {
                newline = true;
                i++;
            } else if (Character.isWhitespace(c) || c == '\uFEFF') {
                i++;
            } else if (code.startsWith("//", i)) {
                while (i < code.length() && code.charAt(i) != '\n') {
                    i++;
                }
            } else if (code.startsWith("/*", i)) {
                int close = code.indexOf("*/", i + 2);
                if (close < 0) {
                    return; // an unterminated comment: the module will not evaluate
                }
                if (code.substring(i, close).indexOf('\n') >= 0) {
                    newline = true;
                }
                i = close + 2;
            } else {
                break;
            }
        }
        if (i >= code.length() || code.charAt(i) == ';') {
            return;
        }
        char c = code.charAt(i);
        if (newline && (Character.isLetter(c) || c == '_' || c == '$')) {
            return;
        }
        throw notLiteral(code, i, "the literal continues with '" + c + "' (end it with ;)");
    }

    private static InvalidToolException notLiteral(String code, int at, String detail) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < at && i < code.length(); i++) {
            if (code.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        String first = detail == null ? "" : detail.lines().findFirst().orElse("");
        if (first.length() > 200) {
            first = first.substring(0, 200) + "...";
        }
        return new InvalidToolException("tool manifest at line " + line + ", column " + column + ": " + RULE
                + (first.isEmpty() ? "" : "; " + first));
    }

    /**
     * Finds the top-level {@code export const tool =} declarations: skips comments, strings, template
     * literals (with their substitutions) and regular expression literals, and counts bracket depth.
     */
    private static final class Scanner {
        private final String s;
        private int i;
        private int depth;
        /** The last significant token: an identifier or keyword, a number, or one punctuator char. */
        private String last = "";

        private final List<String> recent = new ArrayList<>();
        private final List<Integer> found = new ArrayList<>();

        Scanner(String s) {
            this.s = s;
        }

        List<Integer> declarations() {
            scan(false);
            return found;
        }

        /** Scans until the end, or (inside a template substitution) until its closing brace. */
        private void scan(boolean substitution) {
            int base = depth;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '/') {
                    while (i < s.length() && s.charAt(i) != '\n') {
                        i++;
                    }
                } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
                    int close = s.indexOf("*/", i + 2);
                    i = close < 0 ? s.length() : close + 2;
                } else if (c == '\'' || c == '"') {
                    string(c);
                    token("\"");
                } else if (c == '`') {
                    template();
                    token("`");
                } else if (c == '/') {
                    if (regexAllowed()) {
                        regex();
                        token("/re/");
                    } else {
                        i++;
                        token("/");
                    }
                } else if (Character.isJavaIdentifierStart(c) || c == '\\') {
                    int start = i;
                    while (i < s.length() && Character.isJavaIdentifierPart(s.charAt(i))) {
                        i++;
                    }
                    if (i == start) {
                        i++;
                    }
                    token(s.substring(start, i));
                } else if (Character.isDigit(c)) {
                    while (i < s.length()
                            && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '.' || s.charAt(i) == '_')) {
                        i++;
                    }
                    token("0");
                } else if (Character.isWhitespace(c) || c == '\uFEFF') {
                    i++;
                } else {
                    i++;
                    if (c == '{' || c == '(' || c == '[') {
                        depth++;
                    } else if (c == '}' || c == ')' || c == ']') {
                        if (substitution && c == '}' && depth == base) {
                            return;
                        }
                        depth--;
                    }
                    token(String.valueOf(c));
                    if (c == '=' && depth == 0 && isDeclaration()) {
                        found.add(i);
                    }
                }
            }
        }

        private boolean isDeclaration() {
            int n = recent.size();
            return n >= 4
                    && recent.get(n - 4).equals("export")
                    && recent.get(n - 3).equals("const")
                    && recent.get(n - 2).equals("tool")
                    && recent.get(n - 1).equals("=")
                    && (i >= s.length() || (s.charAt(i) != '=' && s.charAt(i) != '>'));
        }

        private void token(String t) {
            last = t;
            if (depth == 0) {
                recent.add(t);
                if (recent.size() > 8) {
                    recent.removeFirst();
                }
            }
        }

        private boolean regexAllowed() {
            if (last.isEmpty()) {
                return true;
            }
            char c = last.charAt(0);
            if (Character.isJavaIdentifierStart(c)) {
                return REGEX_AFTER.contains(last);
            }
            return !(last.equals("0")
                    || last.equals(")")
                    || last.equals("]")
                    || last.equals("}")
                    || last.equals("\"")
                    || last.equals("`")
                    || last.equals("/re/"));
        }

        private void string(char quote) {
            i++;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\\') {
                    i += 2;
                } else if (c == quote || c == '\n') {
                    i++;
                    return;
                } else {
                    i++;
                }
            }
        }

        private void template() {
            i++;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\\') {
                    i += 2;
                } else if (c == '`') {
                    i++;
                    return;
                } else if (c == '$' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                    i += 2;
                    int outer = depth;
                    String outerLast = last;
                    last = "";
                    depth++; // nothing inside a substitution is at the top level
                    scan(true); // consumes the closing brace
                    depth = outer;
                    last = outerLast;
                } else {
                    i++;
                }
            }
        }

        private void regex() {
            i++;
            boolean inClass = false;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\\') {
                    i += 2;
                } else if (c == '\n') {
                    return;
                } else if (inClass) {
                    inClass = c != ']';
                    i++;
                } else if (c == '[') {
                    inClass = true;
                    i++;
                } else if (c == '/') {
                    i++;
                    while (i < s.length() && Character.isJavaIdentifierPart(s.charAt(i))) {
                        i++;
                    }
                    return;
                } else {
                    i++;
                }
            }
        }
    }
}
