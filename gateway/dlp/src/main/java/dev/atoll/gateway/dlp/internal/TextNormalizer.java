package dev.atoll.gateway.dlp.internal;

import java.text.Normalizer;
import org.jspecify.annotations.Nullable;

/**
 * NFKC normalisation (fullwidth letters, ligatures, compatibility forms to their plain forms) with
 * format characters (zero-width spaces and joiners, bidi controls, soft hyphen, tag characters:
 * Unicode category Cf) and control characters other than tab, CR and LF removed, and the Cyrillic and
 * Greek letters that look like Latin ones ({@code а е о р с у х і ј ѕ}, {@code α ο ρ ι κ ν}, ...)
 * folded to them, keeping a map from each output character back to the original span, so that
 * matches can be redacted in the original string.
 */
final class TextNormalizer {

    /**
     * A normalised text and, when it differs from the original, the original span of each character.
     *
     * @param text the normalised text
     * @param from per character of {@code text}, the original start index (null: identity)
     * @param to per character of {@code text}, the original end index, exclusive (null: identity)
     * @param hidden whether format characters (category Cf) were removed
     */
    record Normalized(String text, int @Nullable [] from, int @Nullable [] to, boolean hidden) {

        /** An identity mapping. */
        Normalized(String text) {
            this(text, null, null, false);
        }

        int originalStart(int i) {
            return from == null ? i : from[i];
        }

        int originalEnd(int endExclusive) {
            return to == null ? endExclusive : to[endExclusive - 1];
        }
    }

    private TextNormalizer() {}

    /**
     * @param s any text
     * @return the normalised text with its offset map
     */
    static Normalized normalize(String s) {
        boolean strip = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (removed(cp) || (cp <= 0xffff && fold((char) cp) != cp)) {
                strip = true;
                break;
            }
            i += Character.charCount(cp);
        }
        if (!strip && Normalizer.isNormalized(s, Normalizer.Form.NFKC)) {
            return new Normalized(s);
        }
        boolean hidden = false;
        StringBuilder out = new StringBuilder(s.length());
        int[] from = new int[s.length() + 8];
        int[] to = new int[s.length() + 8];
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int start = i;
            i += Character.charCount(cp);
            if (removed(cp)) {
                hidden |= Character.getType(cp) == Character.FORMAT;
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
                String n = Normalizer.normalize(seg, Normalizer.Form.NFKC);
                for (int k = 0; k < n.length(); k++) {
                    out.append(fold(n.charAt(k)));
                }
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
        return new Normalized(out.toString(), from, to, hidden);
    }

    /** Cyrillic and Greek letters that look like Latin ones, and the Latin letter each folds to. */
    private static final String CONFUSABLE =
            "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u0501\u051b\u051d\u04bb\u04cf\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425\u0423\u0406\u0408\u0405\u03b1\u03bf\u03c1\u03b9\u03ba\u03bd\u03c5\u03c7\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7";

    private static final String LATIN = "aeopcyxijsdqwhlABEKMHOPCTXYIJSaopikvuxABEZHIKMNOPTYX";

    /**
     * @param c a character
     * @return the Latin letter it looks like, or itself
     */
    static char fold(char c) {
        if (c < 0x391 || c > 0x51d) {
            return c;
        }
        int i = CONFUSABLE.indexOf(c);
        return i < 0 ? c : LATIN.charAt(i);
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
            return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7f;
        }
        int t = Character.getType(cp);
        return t == Character.FORMAT || t == Character.CONTROL;
    }

    private static boolean combining(int cp) {
        if (cp < 0x300) {
            return false;
        }
        int t = Character.getType(cp);
        return t == Character.NON_SPACING_MARK
                || t == Character.ENCLOSING_MARK
                || t == Character.COMBINING_SPACING_MARK;
    }
}
