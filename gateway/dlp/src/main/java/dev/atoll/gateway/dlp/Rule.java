package dev.atoll.gateway.dlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One detector of a rule pack. A rule is tried on a piece of text only where one of its keywords
 * occurs (or, for {@code digits} rules, where a run of at least that many digits occurs): its
 * {@code pattern} (RE2 syntax, linear time) runs over a window of {@code before} characters before
 * and {@code after} characters after the hit. The match (or its capturing {@code group}) must then
 * pass every validator. A rule with a {@code keyPattern} also matches a JSON string value whose
 * member name matches it (and one of the keywords), when the value matches {@code valuePattern}.
 *
 * @param id unique id, {@code [a-z0-9][a-z0-9.-]*}, at most 64 characters; used in
 *           {@code [REDACTED:id]}, errors and audit records
 * @param description what it detects
 * @param category secret or PII
 * @param severity how bad a leak is
 * @param keywords lower-case ASCII strings, one of which must occur (case-insensitively) near a match;
 *                 may be empty only for {@code digits} rules or rules that should run everywhere (avoid: slow)
 * @param pattern the text pattern (RE2), if any
 * @param group the capturing group that is the sensitive value (0: the whole match)
 * @param before window characters before a keyword hit (or digit run)
 * @param after window characters after the start of a keyword hit (or the end of a digit run)
 * @param digits 0, or the minimum digits of a digit run that triggers this rule instead of keywords
 * @param digitShape for {@code digits} rules, what else the digit run needs to trigger the rule
 * @param invisible instead of keywords or digits: the pattern runs over the original string (before
 *                  normalisation, which removes them) when it holds invisible characters (Unicode
 *                  format characters, category Cf: zero-width spaces and joiners, bidi controls,
 *                  tag characters U+E0000..U+E007F)
 * @param requires literal strings (case-sensitive) of which at least one must occur within
 *                 {@code requiresWithin} characters from the start of a keyword hit for the hit to count
 *                 (empty: none needed); a cheap filter before the regex
 * @param requiresWithin how far from a keyword hit's start {@code requires} is looked for
 * @param keyPattern a pattern (RE2) for JSON member names whose string values this rule checks, if any
 * @param valuePattern the pattern such a value must contain (its {@code group} is the sensitive value),
 *                     if any; without it the whole value is
 * @param validators checks the value must pass
 * @param generic a fallback rule (e.g. "password = …"): dropped where a non-generic rule matched an
 *                overlapping span
 * @param examples values it must and must not match (the pack's tests run them all)
 */
public record Rule(
        String id,
        String description,
        Category category,
        Severity severity,
        List<String> keywords,
        Optional<String> pattern,
        int group,
        int before,
        int after,
        int digits,
        DigitShape digitShape,
        boolean invisible,
        List<String> requires,
        int requiresWithin,
        Optional<String> keyPattern,
        Optional<String> valuePattern,
        List<Validator> validators,
        boolean generic,
        Examples examples) {

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9.-]{0,63}");

    /** Largest {@code before}/{@code after} window. */
    public static final int MAX_WINDOW = 65_536;

    /**
     * Examples of a rule: text (a JSON string) or JSON payloads (any other JSON value).
     *
     * @param positive each must produce a match of the rule
     * @param negative none may produce a match of the rule
     */
    public record Examples(List<JsonNode> positive, List<JsonNode> negative) {
        /** Copies the lists. */
        public Examples {
            positive = List.copyOf(positive);
            negative = List.copyOf(negative);
        }
    }

    /** What a digit run needs, besides enough digits, to trigger a {@code digits} rule. */
    public enum DigitShape {
        /** Any run of enough digits. */
        ANY,
        /**
         * A run with separators ({@code " -./()"}) in at least two places between digits, or right after
         * a {@code +} (phone numbers, SSNs; not dates without time, decimals or plain numbers).
         */
        SEPARATED,
        /** A run with no separator or with separators in at least two places (not a decimal number). */
        NOT_DECIMAL,
        /** A run that starts at most two characters after an upper-case ASCII letter (IBAN-like). */
        AFTER_LETTER
    }

    /** Checks every field, compiles the patterns once, and fails naming the rule and the offending value. */
    public Rule {
        Objects.requireNonNull(id, "id");
        if (!ID.matcher(id).matches()) {
            throw new DlpException("rule id must match [a-z0-9][a-z0-9.-]{0,63}, got '" + id + "'");
        }
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(severity, "severity");
        keywords = List.copyOf(keywords);
        for (String k : keywords) {
            if (k.isEmpty()
                    || !k.equals(k.toLowerCase(Locale.ROOT))
                    || !k.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                throw new DlpException(
                        "rule " + id + ": keywords must be non-empty lower-case printable ASCII, got '" + k + "'");
            }
        }
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(keyPattern, "keyPattern");
        Objects.requireNonNull(valuePattern, "valuePattern");
        if (pattern.isEmpty() && keyPattern.isEmpty()) {
            throw new DlpException("rule " + id + ": needs a pattern, a keyPattern or both");
        }
        if (valuePattern.isPresent() && keyPattern.isEmpty()) {
            throw new DlpException("rule " + id + ": valuePattern needs a keyPattern");
        }
        if (keyPattern.isPresent() && keywords.isEmpty()) {
            throw new DlpException(
                    "rule " + id + ": a keyPattern rule needs keywords (they select the member names to check)");
        }
        int groups = Math.max(groups(id, "pattern", pattern), groups(id, "valuePattern", valuePattern));
        groups(id, "keyPattern", keyPattern);
        if (group < 0 || group > groups) {
            throw new DlpException(
                    "rule " + id + ": group must be within 0.." + groups + " (the patterns' groups), got " + group);
        }
        if (before < 0 || before > MAX_WINDOW || after < 1 || after > MAX_WINDOW) {
            throw new DlpException("rule " + id + ": before must be within 0.." + MAX_WINDOW + " and after within 1.."
                    + MAX_WINDOW + ", got " + before + " and " + after);
        }
        if (digits < 0 || digits > 64) {
            throw new DlpException("rule " + id + ": digits must be within 0..64, got " + digits);
        }
        if (digits > 0 && !keywords.isEmpty()) {
            throw new DlpException("rule " + id + ": a digits rule has no keywords, got " + keywords);
        }
        if (digits > 0 && pattern.isEmpty()) {
            throw new DlpException("rule " + id + ": a digits rule needs a pattern");
        }
        Objects.requireNonNull(digitShape, "digitShape");
        if (invisible && (digits > 0 || !keywords.isEmpty() || pattern.isEmpty() || keyPattern.isPresent())) {
            throw new DlpException(
                    "rule " + id + ": an invisible rule has a pattern and no keywords, digits or keyPattern");
        }
        requires = List.copyOf(requires);
        if (requiresWithin < 1 || requiresWithin > MAX_WINDOW) {
            throw new DlpException(
                    "rule " + id + ": requiresWithin must be within 1.." + MAX_WINDOW + ", got " + requiresWithin);
        }
        for (String r : requires) {
            if (r.isEmpty()) {
                throw new DlpException("rule " + id + ": requires must not hold an empty string");
            }
        }
        validators = List.copyOf(validators);
        Objects.requireNonNull(examples, "examples");
    }

    private static int groups(String id, String what, Optional<String> regex) {
        if (regex.isEmpty()) {
            return 0;
        }
        try {
            return Pattern.compile(regex.get()).groupCount();
        } catch (PatternSyntaxException e) {
            throw new DlpException("rule " + id + ": invalid " + what + ": " + e.getMessage(), e);
        }
    }
}
