package dev.atoll.gateway.registry.internal;

import java.text.Normalizer;
import java.util.Map;

/**
 * Confusable-name skeletons in the spirit of Unicode TR39 section 4: two names with the same
 * skeleton look alike to a human (or a model) even though they differ. The mapping table is a
 * small subset of {@code confusables.txt}: Latin look-alikes from Cyrillic, Greek, Armenian and
 * fullwidth forms (fullwidth via NFKD), digits that pass for letters, and a few multi-letter
 * sequences ({@code rn} for {@code m}, {@code vv} for {@code w}, {@code cl} for {@code d}).
 * Marks are stripped, default-ignorable characters dropped, case folded, {@code -} read as {@code _}.
 */
public final class Skeleton {

    private static final Map<Integer, String> MAP = Map.ofEntries(
            // Cyrillic lower case
            Map.entry(0x0430, "a"),
            Map.entry(0x0435, "e"),
            Map.entry(0x043E, "o"),
            Map.entry(0x0440, "p"),
            Map.entry(0x0441, "c"),
            Map.entry(0x0443, "y"),
            Map.entry(0x0445, "x"),
            Map.entry(0x0456, "i"),
            Map.entry(0x0458, "j"),
            Map.entry(0x0455, "s"),
            Map.entry(0x0501, "d"),
            Map.entry(0x04BB, "h"),
            Map.entry(0x051B, "q"),
            Map.entry(0x051D, "w"),
            Map.entry(0x0475, "v"),
            Map.entry(0x0457, "i"),
            Map.entry(0x043A, "k"),
            Map.entry(0x043C, "m"),
            Map.entry(0x0442, "t"),
            Map.entry(0x0432, "b"),
            Map.entry(0x043D, "h"),
            Map.entry(0x0433, "r"),
            Map.entry(0x04CF, "l"),
            // Cyrillic upper case (before case folding, so they map to the Latin capital look-alike)
            Map.entry(0x0410, "a"),
            Map.entry(0x0412, "b"),
            Map.entry(0x0415, "e"),
            Map.entry(0x041A, "k"),
            Map.entry(0x041C, "m"),
            Map.entry(0x041D, "h"),
            Map.entry(0x041E, "o"),
            Map.entry(0x0420, "p"),
            Map.entry(0x0421, "c"),
            Map.entry(0x0422, "t"),
            Map.entry(0x0425, "x"),
            Map.entry(0x0406, "l"),
            Map.entry(0x0408, "j"),
            Map.entry(0x0405, "s"),
            // Greek
            Map.entry(0x03B1, "a"),
            Map.entry(0x03BF, "o"),
            Map.entry(0x03C1, "p"),
            Map.entry(0x03BD, "v"),
            Map.entry(0x03B9, "i"),
            Map.entry(0x03BA, "k"),
            Map.entry(0x03C4, "t"),
            Map.entry(0x03C5, "u"),
            Map.entry(0x03C7, "x"),
            Map.entry(0x03B5, "e"),
            Map.entry(0x0391, "a"),
            Map.entry(0x0392, "b"),
            Map.entry(0x0395, "e"),
            Map.entry(0x0396, "z"),
            Map.entry(0x0397, "h"),
            Map.entry(0x0399, "l"),
            Map.entry(0x039A, "k"),
            Map.entry(0x039C, "m"),
            Map.entry(0x039D, "n"),
            Map.entry(0x039F, "o"),
            Map.entry(0x03A1, "p"),
            Map.entry(0x03A4, "t"),
            Map.entry(0x03A5, "y"),
            Map.entry(0x03A7, "x"),
            // Armenian
            Map.entry(0x0585, "o"),
            Map.entry(0x0578, "n"),
            Map.entry(0x057D, "u"),
            Map.entry(0x0570, "h"),
            // Latin look-alikes
            Map.entry((int) '0', "o"),
            Map.entry((int) 'O', "o"),
            Map.entry((int) '1', "l"),
            Map.entry((int) 'I', "l"),
            Map.entry((int) '|', "l"),
            Map.entry(0x0131, "i"),
            Map.entry(0x0237, "j"),
            Map.entry(0x0269, "i"),
            Map.entry(0x01C0, "l"),
            Map.entry(0x2113, "l"),
            Map.entry((int) '-', "_"),
            Map.entry(0x2010, "_"),
            Map.entry(0x2011, "_"),
            Map.entry(0x2013, "_"),
            Map.entry(0x2014, "_"),
            Map.entry(0x2212, "_"));

    private Skeleton() {}

    /**
     * The skeleton of a name.
     *
     * @param s a name
     * @return its skeleton; equal skeletons mean confusable names
     */
    public static String of(String s) {
        String decomposed = Normalizer.normalize(s, Normalizer.Form.NFKD);
        StringBuilder b = new StringBuilder(decomposed.length());
        decomposed.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            if (type == Character.NON_SPACING_MARK
                    || type == Character.ENCLOSING_MARK
                    || type == Character.COMBINING_SPACING_MARK
                    || Invisible.is(cp)) {
                return;
            }
            String mapped = MAP.get(cp);
            if (mapped != null) {
                b.append(mapped);
            } else {
                b.append(new String(Character.toChars(cp)).toLowerCase(java.util.Locale.ROOT));
            }
        });
        String folded = b.toString();
        // Multi-letter look-alikes, after case folding.
        return folded.replace("rn", "m").replace("vv", "w").replace("cl", "d");
    }

    /**
     * Whether two different names look alike.
     *
     * @param a a name
     * @param b another name
     * @return true when they differ but share a skeleton
     */
    public static boolean confusable(String a, String b) {
        return !a.equals(b) && of(a).equals(of(b));
    }
}
