package dev.atoll.gateway.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.atoll.gateway.registry.ToolChanges.Change;
import dev.atoll.gateway.registry.ToolChanges.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** The field-by-field comparison of two tool versions. Pure functions. */
public final class ToolDiff {

    private static final Map<String, Field> KNOWN = Map.of(
            "title", Field.TITLE,
            "description", Field.DESCRIPTION,
            "inputSchema", Field.INPUT_SCHEMA,
            "outputSchema", Field.OUTPUT_SCHEMA,
            "annotations", Field.ANNOTATIONS,
            "egress", Field.EGRESS,
            "secrets", Field.SECRETS,
            "limits", Field.LIMITS);

    private ToolDiff() {}

    /** One side of a comparison. */
    public record Side(String language, String codeDigest, JsonNode manifest) {}

    /**
     * The changes from {@code before} to {@code after}; with no {@code before}, everything present
     * in {@code after} is a change from missing.
     *
     * @param before the compared (approved) version, empty for none
     * @param after the reviewed version
     * @return changes in {@link Field} order, {@code OTHER} keys sorted
     */
    public static List<Change> diff(Optional<Side> before, Side after) {
        JsonNode b = before.map(Side::manifest).orElse(MissingNode.getInstance());
        JsonNode a = after.manifest();
        List<Change> known = new ArrayList<>();
        for (Field f : Field.values()) {
            String key = keyOf(f);
            if (key == null) {
                continue;
            }
            JsonNode bv = b.path(key);
            JsonNode av = a.path(key);
            if (!bv.equals(av)) {
                known.add(new Change(f, key, bv, av));
            }
        }
        TreeSet<String> others = new TreeSet<>();
        b.fieldNames().forEachRemaining(others::add);
        a.fieldNames().forEachRemaining(others::add);
        others.removeAll(KNOWN.keySet());
        others.remove("name");
        for (String key : others) {
            JsonNode bv = b.path(key);
            JsonNode av = a.path(key);
            if (!bv.equals(av)) {
                known.add(new Change(Field.OTHER, key, bv, av));
            }
        }
        JsonNode bl = before.<JsonNode>map(s -> TextNode.valueOf(s.language())).orElse(MissingNode.getInstance());
        if (!bl.equals(TextNode.valueOf(after.language()))) {
            known.add(new Change(Field.LANGUAGE, "language", bl, TextNode.valueOf(after.language())));
        }
        JsonNode bc =
                before.<JsonNode>map(s -> TextNode.valueOf(s.codeDigest())).orElse(MissingNode.getInstance());
        if (!bc.equals(TextNode.valueOf(after.codeDigest()))) {
            known.add(new Change(Field.CODE, "code", bc, TextNode.valueOf(after.codeDigest())));
        }
        // Field order: the enum's; OTHER keys were appended after the known fields and before LANGUAGE/CODE.
        known.sort(java.util.Comparator.comparing(Change::field));
        return known;
    }

    /** The manifest key of a known field; null for those compared apart (OTHER, LANGUAGE, CODE). */
    private static @Nullable String keyOf(Field f) {
        return switch (f) {
            case TITLE -> "title";
            case DESCRIPTION -> "description";
            case INPUT_SCHEMA -> "inputSchema";
            case OUTPUT_SCHEMA -> "outputSchema";
            case ANNOTATIONS -> "annotations";
            case EGRESS -> "egress";
            case SECRETS -> "secrets";
            case LIMITS -> "limits";
            case OTHER, LANGUAGE, CODE -> null;
        };
    }
}
