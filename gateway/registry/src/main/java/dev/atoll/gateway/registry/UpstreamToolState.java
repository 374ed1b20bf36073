package dev.atoll.gateway.registry;

/** The review state of one tool of an upstream server. */
public enum UpstreamToolState {
    /** Reported by the server but never approved: invisible to agents. */
    QUARANTINED,
    /** Approved: its definition is pinned; it serves while the server reports exactly that definition. */
    APPROVED,
    /** Its definition changed after approval (a rug pull): out of service until approved again. */
    PULLED
}
