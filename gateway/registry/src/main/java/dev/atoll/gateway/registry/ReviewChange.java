package dev.atoll.gateway.registry;

import java.util.Objects;

/**
 * A change to what waits for review, made on any node of the fleet (docs/fleet.md, "Propagation"):
 * a version was deployed (quarantined until approved) or rejected. These change nothing that is
 * served, so they do not move the catalogue revision; {@link Registry#onReviewChange} tells every
 * node of them at once, for whatever shows the review queue.
 *
 * @param kind what happened
 * @param tool the tool's name
 * @param version the version concerned (1 or more)
 */
public record ReviewChange(Kind kind, String tool, int version) {

    /** What happened to the version. */
    public enum Kind {
        /** A new version was deployed and waits, quarantined, for review. */
        DEPLOYED,
        /** A quarantined version was rejected. */
        REJECTED
    }

    /** Rejects nulls and a version below 1. */
    public ReviewChange {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(tool, "tool");
        if (version < 1) {
            throw new IllegalArgumentException("version must be 1 or more, got " + version);
        }
    }
}
