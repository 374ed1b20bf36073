package dev.atoll.runtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.runtime.InvalidToolException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Bounds a schema from a tool file before it is compiled (issue #18, W9): its depth and size, its
 * {@code $ref}s (local JSON pointers only, and no cycle that applies a schema to the same value again
 * without descending into it, such as {@code {"$ref": "#"}}, which would recurse without end at every
 * call), and its patterns' length and counted repetition (RE2 keeps matching linear, but a nested
 * {@code ((a{1000}){1000}){1000}} compiles into a program of a billion instructions).
 */
final class SchemaBounds {

    static final int MAX_DEPTH = 64;
    static final int MAX_NODES = 20_000;
    static final int MAX_PATTERN_CHARS = 2048;
    static final long MAX_REPETITION = 10_000;

    /** Keywords whose subschemas apply to the same value (no descent). */
    private static final Set<String> IN_PLACE_ARRAYS = Set.of("allOf", "anyOf", "oneOf");

    private static final Set<String> IN_PLACE_ONE = Set.of("not", "if", "then", "else");
    private static final Set<String> IN_PLACE_MAPS = Set.of("dependentSchemas");

    private SchemaBounds() {}

    /**
     * @param where the schema's name for messages ({@code tool.inputSchema})
     * @param schema the schema
     * @throws InvalidToolException naming the first bound exceeded
     */
    static void check(String where, JsonNode schema) {
        int[] nodes = {0};
        size(where, schema, 0, nodes);
        Map<String, List<String>> inPlace = new HashMap<>();
        edges(where, schema, "", schema, inPlace);
        Set<String> done = new HashSet<>();
        for (String start : inPlace.keySet()) {
            cycle(where, start, inPlace, new HashSet<>(), done);
        }
    }

    private static void size(String where, JsonNode n, int depth, int[] nodes) {
        if (depth > MAX_DEPTH) {
            throw new InvalidToolException(where + " nests deeper than " + MAX_DEPTH + " levels");
        }
        if (++nodes[0] > MAX_NODES) {
            throw new InvalidToolException(where + " has more than " + MAX_NODES + " JSON values");
        }
        for (JsonNode c : n) {
            size(where, c, depth + 1, nodes);
        }
    }

    /** Collects, per schema location (JSON pointer), the locations applied to the same value. */
    private static void edges(String where, JsonNode root, String at, JsonNode n, Map<String, List<String>> out) {
        if (!n.isObject()) {
            return;
        }
        List<String> to = out.computeIfAbsent(at, k -> new ArrayList<>());
        for (var e : n.properties()) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            String child = at + "/" + key.replace("~", "~0").replace("/", "~1");
            if (key.equals("$ref")) {
                if (!v.isTextual()
                        || !(v.textValue().equals("#") || v.textValue().startsWith("#/"))) {
                    throw new InvalidToolException(where + child + ": only local references (\"#\" or \"#/...\")"
                            + " are supported, got " + v);
                }
                String target = decode(v.textValue().substring(1));
                if (root.at(target).isMissingNode()) {
                    throw new InvalidToolException(where + child + ": " + v.textValue() + " points at nothing");
                }
                to.add(target);
            } else if (key.equals("$dynamicRef") || key.equals("$recursiveRef")) {
                throw new InvalidToolException(where + child + ": " + key + " is not supported; use $ref");
            } else if (IN_PLACE_ARRAYS.contains(key) && v.isArray()) {
                for (int i = 0; i < v.size(); i++) {
                    to.add(child + "/" + i);
                }
            } else if (IN_PLACE_ONE.contains(key)) {
                to.add(child);
            } else if (IN_PLACE_MAPS.contains(key) && v.isObject()) {
                for (var d : v.properties()) {
                    to.add(child + "/" + d.getKey().replace("~", "~0").replace("/", "~1"));
                }
            } else if (key.equals("pattern") && v.isTextual()) {
                checkPattern(v.textValue());
            }
            if (v.isObject()) {
                edges(where, root, child, v, out);
            } else if (v.isArray()) {
                for (int i = 0; i < v.size(); i++) {
                    edges(where, root, child + "/" + i, v.get(i), out);
                }
            }
        }
        if (n.has("patternProperties") && n.get("patternProperties").isObject()) {
            n.get("patternProperties").fieldNames().forEachRemaining(SchemaBounds::checkPattern);
        }
    }

    private static String decode(String pointer) {
        return java.net.URLDecoder.decode(pointer.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void cycle(
            String where, String at, Map<String, List<String>> inPlace, Set<String> path, Set<String> done) {
        if (done.contains(at)) {
            return;
        }
        if (!path.add(at)) {
            throw new InvalidToolException(where + ": the schema at \"#" + at + "\" applies itself to the same"
                    + " value through $ref/allOf/anyOf/oneOf/not/if/then/else without descending into it: it"
                    + " would recurse without end");
        }
        for (String next : inPlace.getOrDefault(at, List.of())) {
            cycle(where, next, inPlace, path, done);
        }
        path.remove(at);
        done.add(at);
    }

    /**
     * @param regex a schema pattern
     * @throws InvalidToolException if it is longer than {@value #MAX_PATTERN_CHARS} characters or its
     *     size once counted repetitions are expanded (what RE2 compiles it into: each atom counts once,
     *     {@code x{n,m}} counts {@code x} m times, nested counts multiply) exceeds {@value #MAX_REPETITION}
     */
    static void checkPattern(String regex) {
        if (regex.length() > MAX_PATTERN_CHARS) {
            throw new InvalidToolException("pattern is longer than " + MAX_PATTERN_CHARS + " characters");
        }
        // Per open group: {size so far, size of the last item (what a quantifier repeats)}.
        List<long[]> levels = new ArrayList<>();
        levels.add(new long[2]);
        boolean inClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            long[] level = levels.getLast();
            if (inClass) {
                if (c == '\\') {
                    i++;
                } else if (c == ']') {
                    inClass = false;
                }
                continue;
            }
            switch (c) {
                case '\\' -> {
                    i++;
                    atom(level);
                }
                case '[' -> {
                    inClass = true;
                    atom(level);
                }
                case '(' -> levels.add(new long[2]);
                case ')' -> {
                    if (levels.size() > 1) {
                        long inner = levels.removeLast()[0];
                        long[] parent = levels.getLast();
                        parent[0] = add(parent[0], inner);
                        parent[1] = inner;
                    }
                }
                case '|' -> level[1] = 0;
                case '*', '+', '?' -> {}
                case '{' -> {
                    int close = regex.indexOf('}', i);
                    long count = close < 0 ? -1 : maxCount(regex.substring(i + 1, close));
                    if (count < 0) {
                        atom(level); // a literal brace
                        continue;
                    }
                    level[0] = add(level[0], multiply(level[1], count - 1));
                    level[1] = multiply(level[1], count);
                    i = close;
                }
                default -> atom(level);
            }
            if (levels.getFirst()[0] > MAX_REPETITION || levels.getLast()[0] > MAX_REPETITION) {
                throw new InvalidToolException(
                        "pattern '" + (regex.length() > 80 ? regex.substring(0, 80) + "..." : regex)
                                + "' is too large once its counted repetitions are expanded (more than "
                                + MAX_REPETITION + " atoms)");
            }
        }
    }

    private static void atom(long[] level) {
        level[0] = add(level[0], 1);
        level[1] = 1;
    }

    /** The largest count of a {@code {n}}, {@code {n,}} or {@code {n,m}} body; -1 if it is not one. */
    private static long maxCount(String body) {
        if (!body.matches("[0-9]{1,9}(,[0-9]{0,9})?")) {
            return -1;
        }
        int comma = body.indexOf(',');
        if (comma < 0) {
            return Long.parseLong(body);
        }
        String max = body.substring(comma + 1);
        return max.isEmpty() ? Long.parseLong(body.substring(0, comma)) + 1 : Long.parseLong(max);
    }

    private static long add(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    private static long multiply(long a, long b) {
        return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }
}
