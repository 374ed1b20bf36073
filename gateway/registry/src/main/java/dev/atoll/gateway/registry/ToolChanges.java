package dev.atoll.gateway.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a version changes compared with the last approved version, and the poisoning signs found in
 * it: what an operator reviews before approving.
 *
 * @param name the tool name
 * @param version the version reviewed
 * @param digest its digest
 * @param comparedTo the approved version it is compared with; empty when none was ever approved
 *     (then every field present is listed as added)
 * @param changes the fields that differ, in {@link Field} order
 * @param signs poisoning signs found in the version's texts and name
 */
public record ToolChanges(
        String name,
        int version,
        String digest,
        Optional<Integer> comparedTo,
        List<Change> changes,
        List<PoisoningSign> signs) {

    /** Copies the lists. */
    public ToolChanges {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(comparedTo, "comparedTo");
        changes = List.copyOf(changes);
        signs = List.copyOf(signs);
    }

    /** True when nothing differs from the compared version (a re-approval of the same content). */
    public boolean unchanged() {
        return changes.isEmpty();
    }

    /** The parts of a tool version that are compared. */
    public enum Field {
        /** Manifest {@code title}. */
        TITLE,
        /** Manifest {@code description}. */
        DESCRIPTION,
        /** Manifest {@code inputSchema}. */
        INPUT_SCHEMA,
        /** Manifest {@code outputSchema}. */
        OUTPUT_SCHEMA,
        /** Manifest {@code annotations}. */
        ANNOTATIONS,
        /** Manifest {@code egress}: hosts fetch may reach. */
        EGRESS,
        /** Manifest {@code secrets}: secret bindings. */
        SECRETS,
        /** Manifest {@code limits}. */
        LIMITS,
        /** Any other manifest key. */
        OTHER,
        /** The guest language. */
        LANGUAGE,
        /** The code: before/after are the code digests. */
        CODE
    }

    /**
     * One changed field. Absent values are {@link com.fasterxml.jackson.databind.node.MissingNode}.
     *
     * @param field which field
     * @param key the manifest key (for {@link Field#OTHER}); otherwise the field's manifest key or
     *     {@code language}/{@code code}
     * @param before the value in the compared (approved) version
     * @param after the value in the reviewed version
     */
    public record Change(Field field, String key, JsonNode before, JsonNode after) {

        /** Rejects nulls. */
        public Change {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
        }
    }
}
