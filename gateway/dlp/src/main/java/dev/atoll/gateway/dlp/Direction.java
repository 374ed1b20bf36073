package dev.atoll.gateway.dlp;

/** Where a scanned payload is going. */
public enum Direction {
    /** Tool-call arguments, from the agent to the tool, before the tool runs. */
    INBOUND,
    /** Tool results, from the tool to the agent, before the agent sees them. */
    OUTBOUND,
    /** A request a tool sends out through {@code fetch} (URL, headers, body). */
    EGRESS_REQUEST,
    /** The response to a tool's {@code fetch}, before the tool sees it. */
    EGRESS_RESPONSE
}
