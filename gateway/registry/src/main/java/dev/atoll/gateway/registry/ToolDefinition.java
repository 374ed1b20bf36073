package dev.atoll.gateway.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.runtime.Language;
import dev.atoll.runtime.ToolManifest;
import dev.atoll.runtime.ToolSource;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything a deploy hands to the registry: the tool file and its parsed manifest. The registry
 * computes the version's digest from it ({@link #digest()}, docs/registry.md "Digest").
 *
 * @param name the tool name, {@code [a-z0-9_]{1,64}}; must equal the manifest's {@code name}
 * @param language the guest language
 * @param fileName the file name (stack traces); not part of the digest
 * @param code the source text; its UTF-8 bytes are part of the digest
 * @param manifest the manifest as JSON, as {@link ToolManifest#toJson()} produces it
 * @param source who defines the tool: {@code upload} for uploaded files; later {@code upstream:NAME}.
 *     A name belongs to one source: a deploy from another source is a {@code CONFLICT}.
 */
public record ToolDefinition(
        String name, Language language, String fileName, String code, ObjectNode manifest, String source) {

    /** The source of tools uploaded through the admin API or CLI. */
    public static final String UPLOAD = "upload";

    private static final Pattern SOURCE = Pattern.compile("[a-z][a-z0-9_.:-]{0,199}");

    /** Validates the components and copies the manifest. */
    public ToolDefinition {
        Names.requireTool(name);
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(source, "source");
        // Same file-name and size rules as the runtime.
        new ToolSource(language, fileName, code);
        if (!SOURCE.matcher(source).matches()) {
            throw new IllegalArgumentException(
                    "source must match [a-z][a-z0-9_.:-]{0,199}, got " + Names.quote(source));
        }
        if (!manifest.path("name").isTextual() || !manifest.get("name").asText().equals(name)) {
            throw new IllegalArgumentException("manifest name "
                    + Names.quote(manifest.path("name").asText()) + " differs from the tool name '" + name + "'");
        }
        if (!manifest.path("description").isTextual()) {
            throw new IllegalArgumentException("manifest of '" + name + "' has no string description");
        }
        if (!manifest.path("inputSchema").isObject()) {
            throw new IllegalArgumentException("manifest of '" + name + "' has no inputSchema object");
        }
        manifest = manifest.deepCopy();
    }

    /**
     * An uploaded tool from its source and parsed manifest.
     *
     * @param source the tool file
     * @param manifest its manifest, as the runtime parsed it
     * @return the definition, source {@link #UPLOAD}
     */
    public static ToolDefinition of(ToolSource source, ToolManifest manifest) {
        return new ToolDefinition(
                manifest.name(), source.language(), source.fileName(), source.code(), manifest.toJson(), UPLOAD);
    }

    /** The manifest (a copy: the definition stays immutable). */
    @Override
    public ObjectNode manifest() {
        return manifest.deepCopy();
    }

    /** The tool version digest: lowercase hex SHA-256 of the canonical form (docs/registry.md). */
    public String digest() {
        return dev.atoll.gateway.store.Canonical.toolDigest(language, code, manifest);
    }

    /** The tool file as the runtime takes it. */
    public ToolSource toolSource() {
        return new ToolSource(language, fileName, code);
    }
}
