package dev.atoll.gateway.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.runtime.Language;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One immutable version of a tool (its code is read with {@link Registry#code(String, int)}).
 *
 * @param name the tool name
 * @param version the version number, 1, 2, ... per tool
 * @param digest the version digest (lowercase hex SHA-256 of the canonical form)
 * @param state review state
 * @param language guest language
 * @param fileName the uploaded file name
 * @param codeDigest lowercase hex SHA-256 of the code's UTF-8 bytes
 * @param manifest the manifest JSON
 * @param createdAt when it was deployed
 * @param createdBy who deployed it
 * @param decidedAt when it was approved or rejected
 * @param decidedBy who approved or rejected it
 */
public record ToolVersion(
        String name,
        int version,
        String digest,
        ToolState state,
        Language language,
        String fileName,
        String codeDigest,
        ObjectNode manifest,
        Instant createdAt,
        String createdBy,
        Optional<Instant> decidedAt,
        Optional<String> decidedBy) {

    /** Rejects nulls and copies the manifest. */
    public ToolVersion {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(codeDigest, "codeDigest");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(createdBy, "createdBy");
        Objects.requireNonNull(decidedAt, "decidedAt");
        Objects.requireNonNull(decidedBy, "decidedBy");
        manifest = manifest.deepCopy();
    }

    /** The manifest JSON (a copy). */
    @Override
    public ObjectNode manifest() {
        return manifest.deepCopy();
    }

    /** The manifest's description. */
    public String description() {
        return manifest.path("description").asText();
    }
}
