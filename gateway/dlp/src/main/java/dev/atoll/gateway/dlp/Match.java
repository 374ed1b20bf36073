package dev.atoll.gateway.dlp;

import java.util.List;

/**
 * One detection. It never holds the matched value: {@link #valueHash()} is a keyed hash prefix of it,
 * enough to correlate the same value across audit records without revealing it.
 *
 * @param ruleId the rule that matched
 * @param category the rule's category
 * @param severity the rule's severity
 * @param pointer JSON pointer (RFC 6901) of the value, or of the object whose member name matched
 *                ({@link Part#KEY}); empty for text scans and for the root. A member name that itself
 *                matched a rule appears in pointers as {@code [REDACTED:rule-id]}.
 * @param part value, member name, or text
 * @param start start of the span (UTF-16 index into the original string); for a match found inside a
 *              decoded layer, the start of the outermost encoded segment that holds it
 * @param end end of the span, exclusive
 * @param encodings the layers decoded to find it, outermost first (empty: found as written, after
 *                  normalisation)
 * @param valueHash the first 12 hex digits of HMAC-SHA-256 of the matched value under the engine's hash key
 */
public record Match(
        String ruleId,
        Category category,
        Severity severity,
        String pointer,
        Part part,
        int start,
        int end,
        List<Encoding> encodings,
        String valueHash) {

    /** Copies the list. */
    public Match {
        encodings = List.copyOf(encodings);
    }

    /**
     * @return whether the match was only found inside decoded layers
     */
    public boolean encoded() {
        return !encodings.isEmpty();
    }
}
