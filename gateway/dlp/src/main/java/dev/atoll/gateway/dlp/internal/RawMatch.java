package dev.atoll.gateway.dlp.internal;

import dev.atoll.gateway.dlp.Encoding;
import dev.atoll.gateway.dlp.Match;
import dev.atoll.gateway.dlp.Part;
import dev.atoll.gateway.dlp.Rule;
import java.util.List;

/**
 * A match with what redaction needs: the path of original member names and indices (which may
 * themselves be sensitive, so it is never exposed), besides the public {@link Match}.
 *
 * @param ruleIndex index of the rule in the pack
 * @param path original path segments ({@code String} member names, {@code Integer} indices); for a
 *             {@link Part#KEY} match, the last segment is the member name that matched
 * @param pointer the public pointer (matched member names replaced)
 * @param part value, key or text
 * @param start span start in the original string
 * @param end span end, exclusive
 * @param encodings decoded layers
 * @param hash keyed hash prefix of the value
 * @param generic whether the rule is generic
 */
public record RawMatch(
        int ruleIndex,
        List<Object> path,
        String pointer,
        Part part,
        int start,
        int end,
        List<Encoding> encodings,
        String hash,
        boolean generic) {

    /**
     * @param rule the rule (from the pack, by {@link #ruleIndex()})
     * @return the public match
     */
    public Match toMatch(Rule rule) {
        return new Match(rule.id(), rule.category(), rule.severity(), pointer, part, start, end, encodings, hash);
    }

    /** No path: it may hold a sensitive member name. */
    @Override
    public String toString() {
        return "RawMatch[rule=" + ruleIndex + ", pointer=" + pointer + ", part=" + part + ", span=" + start + ".." + end
                + ", encodings=" + encodings + ", hash=" + hash + "]";
    }
}
