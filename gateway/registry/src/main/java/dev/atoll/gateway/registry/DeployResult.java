package dev.atoll.gateway.registry;

import java.util.Objects;

/**
 * What a deploy did.
 *
 * @param version the version: new, or the existing one with the same digest
 * @param created true when a new version was made (quarantined), false when an existing version
 *     had the same digest (the deploy was idempotent and changed nothing)
 */
public record DeployResult(ToolVersion version, boolean created) {

    /** Rejects nulls. */
    public DeployResult {
        Objects.requireNonNull(version, "version");
    }
}
