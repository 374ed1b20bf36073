package dev.atoll.gateway.dlp;

import java.util.Objects;

/**
 * Who and what a scan is for; the policy selects actions by these.
 *
 * @param tenant the calling tenant's id (non-blank)
 * @param tool the tool's name (non-blank)
 * @param direction where the payload is going
 */
public record ScanContext(String tenant, String tool, Direction direction) {

    /** Rejects blank names. */
    public ScanContext {
        Objects.requireNonNull(direction, "direction");
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("tenant must not be blank, got '" + tenant + "'");
        }
        if (tool == null || tool.isBlank()) {
            throw new IllegalArgumentException("tool must not be blank, got '" + tool + "'");
        }
    }

    /**
     * @param tenant the tenant id
     * @param tool the tool name
     * @param direction the direction
     * @return the context
     */
    public static ScanContext of(String tenant, String tool, Direction direction) {
        return new ScanContext(tenant, tool, direction);
    }
}
