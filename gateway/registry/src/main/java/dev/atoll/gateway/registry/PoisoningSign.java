package dev.atoll.gateway.registry;

import java.util.Objects;

/**
 * A sign of tool poisoning found in a tool version: text aimed at the model rather than the user,
 * hidden characters, a name that imitates another tool, or a request to read files or keys. Signs
 * are for the reviewer; they do not block a deploy or an approval by themselves.
 *
 * @param kind what was found
 * @param location where: {@code name}, {@code title}, {@code description}, or a JSON pointer into
 *     the manifest such as {@code /inputSchema/properties/path/description}
 * @param evidence the matching text, escaped (control, format and non-printing characters as
 *     {@code \\uXXXX}) and cut to 120 characters, safe to print
 */
public record PoisoningSign(Kind kind, String location, String evidence) {

    /** Rejects nulls. */
    public PoisoningSign {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(evidence, "evidence");
    }

    /** The kinds of sign. */
    public enum Kind {
        /** Instructions aimed at the model: "ignore previous instructions", "do not tell the user"... */
        MODEL_INSTRUCTION,
        /** Tags that hide text from a human reader or fake a system message: {@code <IMPORTANT>}, {@code <!-- -->}. */
        HIDDEN_TAG,
        /** Zero-width, bidirectional-control, Unicode tag or other invisible characters. */
        INVISIBLE_CHARACTER,
        /** The name looks like another tool's name (same TR39-style skeleton). */
        CONFUSABLE_NAME,
        /** A request to read local files, keys or credentials ({@code ~/.ssh}, {@code id_rsa}, {@code .env}...). */
        SENSITIVE_FILE
    }
}
