package dev.atoll.gateway.registry;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A tool with all its versions.
 *
 * @param name the tool name
 * @param source who defines it ({@link ToolDefinition#UPLOAD} for uploads)
 * @param enabled false when an operator disabled it: nothing serves, whatever the versions' states
 * @param servingVersion the approved version that serves (while enabled); empty before the first approval
 * @param versions all versions, oldest first
 * @param createdAt when the first version was deployed
 * @param updatedAt when the tool last changed
 * @param regions the regions it serves in, sorted; empty means every region (docs/fleet.md,
 *     "Regions and placement")
 */
public record ToolInfo(
        String name,
        String source,
        boolean enabled,
        Optional<Integer> servingVersion,
        List<ToolVersion> versions,
        Instant createdAt,
        Instant updatedAt,
        java.util.SortedSet<String> regions) {

    /** Rejects nulls and copies the list. */
    public ToolInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(servingVersion, "servingVersion");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        versions = List.copyOf(versions);
        regions = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(regions));
    }

    /** The version with this number. */
    public Optional<ToolVersion> version(int version) {
        return versions.stream().filter(v -> v.version() == version).findFirst();
    }

    /** The newest version. */
    public ToolVersion latest() {
        return versions.getLast();
    }

    /** True when the tool is enabled and has a serving version. */
    public boolean serving() {
        return enabled && servingVersion.isPresent();
    }
}
