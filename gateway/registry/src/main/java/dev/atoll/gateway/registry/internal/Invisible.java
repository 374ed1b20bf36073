package dev.atoll.gateway.registry.internal;

/** Characters a reader cannot see: zero-width, bidi controls, Unicode tags, variation selectors, fillers. */
final class Invisible {

    private Invisible() {}

    /**
     * Whether a code point is invisible or reorders text.
     *
     * @param cp a code point
     * @return true for format characters (zero-width space/joiners, bidi embeddings, overrides and
     *     isolates, word joiner, BOM, Unicode tags), variation selectors, Hangul and braille blanks,
     *     and control characters other than tab, line feed and carriage return
     */
    static boolean is(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.FORMAT
                || type == Character.CONTROL
                || (cp >= 0xFE00 && cp <= 0xFE0F)
                || (cp >= 0xE0100 && cp <= 0xE01EF)
                || (cp >= 0xE0000 && cp <= 0xE007F)
                || cp == 0x115F
                || cp == 0x1160
                || cp == 0x3164
                || cp == 0xFFA0
                || cp == 0x2800
                || cp == 0x180E
                || cp == 0x034F;
    }
}
