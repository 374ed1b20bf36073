package dev.atoll.gateway.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.runtime.Language;
import dev.atoll.runtime.ToolSource;
import java.util.Objects;

/**
 * An approved, enabled tool version as the MCP layer serves it.
 *
 * @param name the tool name
 * @param version the serving version
 * @param digest its pinned digest
 * @param language guest language
 * @param fileName file name
 * @param code source text
 * @param manifest manifest JSON (read-only by convention: use {@link #manifestCopy()} to modify)
 * @param regions the regions it serves in, sorted; empty means every region
 */
public record ServingTool(
        String name,
        int version,
        String digest,
        Language language,
        String fileName,
        String code,
        ObjectNode manifest,
        java.util.SortedSet<String> regions) {

    /** Rejects nulls. */
    public ServingTool {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(manifest, "manifest");
        regions = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(regions));
    }

    /**
     * Whether a node of this region serves the tool (docs/fleet.md, "Regions and placement").
     *
     * @param region the node's region
     * @return true when the tool is placed everywhere or in {@code region}
     */
    public boolean servesIn(String region) {
        return regions.isEmpty() || regions.contains(region);
    }

    /** A copy of the manifest that the caller may change. */
    public ObjectNode manifestCopy() {
        return manifest.deepCopy();
    }

    /** The tool file as the runtime and the isolate pool take it. */
    public ToolSource toolSource() {
        return new ToolSource(language, fileName, code);
    }
}
