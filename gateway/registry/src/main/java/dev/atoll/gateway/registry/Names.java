package dev.atoll.gateway.registry;

import java.util.regex.Pattern;

/** Name rules shared by the registry types. */
final class Names {

    /** Tool names, as the runtime's manifest parser enforces them. */
    static final Pattern TOOL = Pattern.compile("[a-z0-9_]{1,64}");

    private Names() {}

    static String requireTool(String name) {
        if (name == null || !TOOL.matcher(name).matches()) {
            throw new IllegalArgumentException("tool name must match [a-z0-9_]{1,64}, got " + quote(name));
        }
        return name;
    }

    /** Quotes a value for an error message: escaped, cut to 80 characters. */
    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("'");
        s.codePoints().limit(80).forEach(cp -> {
            if (cp < 0x20
                    || cp == 0x7f
                    || (cp >= 0x80 && cp < 0xa0)
                    || Character.getType(cp) == Character.FORMAT
                    || cp == '\''
                    || cp == '\\') {
                b.append(String.format("\\u%04x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.append(s.codePointCount(0, s.length()) > 80 ? "...'" : "'").toString();
    }
}
