package dev.atoll.gateway.registry;

/**
 * The review state of one tool version. A version is born {@link #QUARANTINED}; only an
 * {@link #APPROVED} version can serve. Whether the tool serves at all is the tool-level
 * {@code enabled} flag ({@link ToolInfo#enabled()}).
 */
public enum ToolState {
    /** New and unreviewed: invisible and uncallable for every tenant. */
    QUARANTINED,
    /** Reviewed and pinned by digest; may serve (the serving one is {@link ToolInfo#servingVersion()}). */
    APPROVED,
    /** Reviewed and refused; never serves. */
    REJECTED
}
