package dev.atoll.host.bindings.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Secret placeholders ({@code atoll-secret:NAME}) in request text and bytes: finding them, putting the
 * real values in, and scrubbing real values out of what goes back to the guest. Bytes are handled
 * through their ISO-8859-1 view (one char per byte), so arbitrary binary bodies survive unchanged.
 */
public final class Secrets {
    /** The placeholder prefix, as in {@code env.secrets.NAME}. */
    public static final String PREFIX = "atoll-secret:";

    private static final Pattern PLACEHOLDER = Pattern.compile("atoll-secret:([A-Z][A-Z0-9_]{0,63})");

    private Secrets() {}

    /** Names of every placeholder in {@code text}; also flags a bare prefix as the name {@code ""}. */
    public static Set<String> names(String text) {
        Set<String> names = new LinkedHashSet<>();
        if (!text.contains(PREFIX)) {
            return names;
        }
        Matcher m = PLACEHOLDER.matcher(text);
        int matched = 0;
        while (m.find()) {
            names.add(m.group(1));
            matched++;
        }
        int occurrences = 0;
        for (int i = text.indexOf(PREFIX); i >= 0; i = text.indexOf(PREFIX, i + 1)) {
            occurrences++;
        }
        if (occurrences > matched) {
            names.add("");
        }
        return names;
    }

    /** Names of every placeholder in {@code bytes}. */
    public static Set<String> names(byte[] bytes) {
        return names(latin1(bytes));
    }

    /** {@code text} with every placeholder whose name has a value replaced by that value. */
    public static String substitute(String text, Map<String, String> values) {
        if (!text.contains(PREFIX)) {
            return text;
        }
        return PLACEHOLDER
                .matcher(text)
                .replaceAll(m -> Matcher.quoteReplacement(values.getOrDefault(m.group(1), m.group())));
    }

    /** {@code bytes} with placeholders replaced by the UTF-8 bytes of their values. */
    public static byte[] substitute(byte[] bytes, Map<String, String> values) {
        String view = latin1(bytes);
        if (!view.contains(PREFIX)) {
            return bytes;
        }
        return bytes(PLACEHOLDER
                .matcher(view)
                .replaceAll(m -> Matcher.quoteReplacement(
                        values.containsKey(m.group(1))
                                ? latin1(values.get(m.group(1)).getBytes(StandardCharsets.UTF_8))
                                : m.group())));
    }

    /** {@code text} with every secret value replaced by its placeholder (longest values first). */
    public static String scrub(String text, Map<String, String> values) {
        String out = text;
        for (Map.Entry<String, String> e : longestFirst(values)) {
            out = out.replace(e.getValue(), PREFIX + e.getKey());
        }
        return out;
    }

    /** {@code bytes} with the UTF-8 bytes of every secret value replaced by its placeholder. */
    public static byte[] scrub(byte[] bytes, Map<String, String> values) {
        if (values.isEmpty()) {
            return bytes;
        }
        String view = latin1(bytes);
        String out = view;
        for (Map.Entry<String, String> e : longestFirst(values)) {
            out = out.replace(latin1(e.getValue().getBytes(StandardCharsets.UTF_8)), PREFIX + e.getKey());
        }
        return out.equals(view) ? bytes : bytes(out);
    }

    private static List<Map.Entry<String, String>> longestFirst(Map<String, String> values) {
        List<Map.Entry<String, String>> entries = new ArrayList<>(values.entrySet());
        entries.sort(Comparator.comparingInt(
                        (Map.Entry<String, String> e) -> e.getValue().length())
                .reversed());
        return entries;
    }

    static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }
}
