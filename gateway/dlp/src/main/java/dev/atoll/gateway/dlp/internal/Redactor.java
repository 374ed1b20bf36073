package dev.atoll.gateway.dlp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.atoll.gateway.dlp.Part;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Replaces matched spans by {@code [REDACTED:rule-id]} in a copy of a payload. A match found only in a
 * decoded layer replaces the whole JSON string value (or, in text, the encoded segment), since the
 * encoded form cannot be cut at the secret's boundaries. Member names are renamed the same way.
 */
public final class Redactor {

    private Redactor() {}

    /**
     * @param root the original payload (not modified)
     * @param matches the matches to redact
     * @param pack the rules, for their ids
     * @return a redacted copy
     */
    public static JsonNode redact(JsonNode root, List<RawMatch> matches, CompiledPack pack) {
        Map<List<Object>, List<RawMatch>> values = new LinkedHashMap<>();
        Map<List<Object>, List<RawMatch>> keys = new LinkedHashMap<>();
        for (RawMatch m : matches) {
            (m.part() == Part.KEY ? keys : values)
                    .computeIfAbsent(m.path(), p -> new ArrayList<>())
                    .add(m);
        }
        JsonNode copy = root.deepCopy();
        for (Map.Entry<List<Object>, List<RawMatch>> e : values.entrySet()) {
            List<Object> path = e.getKey();
            if (path.isEmpty()) {
                copy = TextNode.valueOf(apply(copy.asText(), e.getValue(), pack, true));
                continue;
            }
            JsonNode parent = navigate(copy, path.subList(0, path.size() - 1));
            Object last = path.getLast();
            if (parent instanceof ObjectNode o && last instanceof String k) {
                o.put(k, apply(o.get(k).asText(), e.getValue(), pack, true));
            } else if (parent instanceof ArrayNode a && last instanceof Integer i) {
                a.set(i, TextNode.valueOf(apply(a.get(i).asText(), e.getValue(), pack, true)));
            }
        }
        List<Map.Entry<List<Object>, List<RawMatch>>> renames = new ArrayList<>(keys.entrySet());
        renames.sort(Comparator.comparingInt((Map.Entry<List<Object>, List<RawMatch>> e) ->
                        e.getKey().size())
                .reversed());
        for (Map.Entry<List<Object>, List<RawMatch>> e : renames) {
            List<Object> path = e.getKey();
            if (navigate(copy, path.subList(0, path.size() - 1)) instanceof ObjectNode o) {
                String key = (String) path.getLast();
                rename(o, key, apply(key, e.getValue(), pack, true));
            }
        }
        return copy;
    }

    /**
     * @param text the original text
     * @param matches the matches to redact
     * @param pack the rules, for their ids
     * @return the text with each matched span (or encoded segment) replaced
     */
    public static String redactText(String text, List<RawMatch> matches, CompiledPack pack) {
        return apply(text, matches, pack, false);
    }

    private static String apply(String s, List<RawMatch> ms, CompiledPack pack, boolean wholeIfEncoded) {
        if (wholeIfEncoded) {
            for (RawMatch m : ms) {
                if (!m.encodings().isEmpty()
                        && ms.stream()
                                .noneMatch(x -> x.encodings().isEmpty()
                                        && x.start() <= m.start()
                                        && x.end() >= m.end()
                                        && x.ruleIndex() == m.ruleIndex())) {
                    return label(pack, m);
                }
            }
        }
        List<RawMatch> sorted = new ArrayList<>(ms);
        sorted.sort(Comparator.comparingInt(RawMatch::start)
                .thenComparing(Comparator.comparingInt(RawMatch::end).reversed()));
        StringBuilder out = new StringBuilder(s.length());
        int pos = 0;
        int i = 0;
        while (i < sorted.size()) {
            RawMatch first = sorted.get(i);
            int start = first.start();
            int end = first.end();
            i++;
            while (i < sorted.size() && sorted.get(i).start() < end) {
                end = Math.max(end, sorted.get(i).end());
                i++;
            }
            out.append(s, pos, start).append(label(pack, first));
            pos = end;
        }
        out.append(s, pos, s.length());
        return out.toString();
    }

    private static String label(CompiledPack pack, RawMatch m) {
        return "[REDACTED:" + pack.rule(m.ruleIndex()).id() + "]";
    }

    private static @Nullable JsonNode navigate(JsonNode node, List<Object> path) {
        JsonNode n = node;
        for (Object seg : path) {
            if (n == null) {
                return null;
            }
            n = seg instanceof Integer i ? n.get(i) : n.get((String) seg);
        }
        return n;
    }

    private static void rename(ObjectNode o, String from, String to) {
        if (!o.has(from)) {
            return;
        }
        String name = to;
        for (int n = 2; o.has(name) && !name.equals(from); n++) {
            name = to + "#" + n;
        }
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        o.properties().forEach(e -> entries.add(Map.entry(e.getKey(), e.getValue())));
        o.removeAll();
        for (Map.Entry<String, JsonNode> e : entries) {
            o.set(e.getKey().equals(from) ? name : e.getKey(), e.getValue());
        }
    }
}
