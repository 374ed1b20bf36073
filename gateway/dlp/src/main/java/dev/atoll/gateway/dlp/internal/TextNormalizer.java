package dev.atoll.gateway.dlp.internal;

import java.text.Normalizer;

/**
 * NFKC normalisation (fullwidth letters, ligatures, compatibility forms to their plain forms) with
 * format characters (zero-width spaces and joiners, bidi controls, soft hyphen: Unicode category Cf)
 * and control characters other than tab, CR and LF removed, keeping a map from each output character
 * back to the original span, so that matches can be redacted in the original string.
 */
final class TextNormalizer {

    /**
     * A normalised text and, when it differs from the original, the original span of each character.
     *
     * @param text the normalised text
     * @param from per character of {@code text}, the original start index (null: identity)
     * @param to per character of {@code text}, the original end index, exclusive (null: identity)
     */
    record Normalized(String text, int[] from, int[] to) {
        int originalStart(int i) {
            return from == null ? i : from[i];
        }

        int originalEnd(int endExclusive) {
            return to == null ? endExclusive : to[endExclusive - 1];
        }
    }

    private TextNormalizer() {
    }

    /**
     * @param s any text
     * @return the normalised text with its offset map
     */
    static Normalized normalize(String s) {
        boolean strip = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (removed(c)) {
                strip = true;
                break;
            }
        }
        if (!strip && Normalizer.isNormalized(s, Normalizer.Form.NFKC)) {
            return new Normalized(s, null, null);
        }
        StringBuilder out = new StringBuilder(s.length());
        int[] from = new int[s.length() + 8];
        int[] to = new int[s.length() + 8];
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int start = i;
            i += Character.charCount(cp);
            if (removed(cp)) {
                continue;
            }
            // A base character and the combining marks after it normalise together.
            while (i < s.length() && combining(s.codePointAt(i))) {
                i += Character.charCount(s.codePointAt(i));
            }
            int before = out.length();
            if (cp < 0x80 && i == start + 1) {
                out.append((char) cp);
            } else {
                String seg = stripRemoved(s.substring(start, i));
                out.append(Normalizer.normalize(seg, Normalizer.Form.NFKC));
            }
            if (out.length() > from.length) {
                int cap = Math.max(out.length(), from.length * 2);
                from = java.util.Arrays.copyOf(from, cap);
                to = java.util.Arrays.copyOf(to, cap);
            }
            for (int k = before; k < out.length(); k++) {
                from[k] = start;
                to[k] = i;
            }
        }
        return new Normalized(out.toString(), from, to);
    }

    private static String stripRemoved(String seg) {
        StringBuilder b = new StringBuilder(seg.length());
        seg.codePoints().filter(cp -> !removed(cp)).forEach(b::appendCodePoint);
        return b.toString();
    }

    /**
     * @param cp a code point
     * @return whether normalisation removes it (Cf, or Cc other than tab, LF, CR)
     */
    static boolean removed(int cp) {
        if (cp < 0x80) {
            return cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r' || cp == 0x7f;
        }
        int t = Character.getType(cp);
        return t == Character.FORMAT || t == Character.CONTROL;
    }

    private static boolean combining(int cp) {
        if (cp < 0x300) {
            return false;
        }
        int t = Character.getType(cp);
        return t == Character.NON_SPACING_MARK || t == Character.ENCLOSING_MARK || t == Character.COMBINING_SPACING_MARK;
    }
}
