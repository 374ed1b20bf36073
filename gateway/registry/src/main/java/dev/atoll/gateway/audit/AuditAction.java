package dev.atoll.gateway.audit;

/** The actions Atoll records, with their wire names as stored in the {@code action} column. */
public enum AuditAction {
    /** A tool version was deployed (new or idempotent). */
    DEPLOY("tool.deploy"),
    /** A version was approved. */
    APPROVE("tool.approve"),
    /** A version was rejected. */
    REJECT("tool.reject"),
    /** The serving version was rolled back. */
    ROLLBACK("tool.rollback"),
    /** A tool was disabled. */
    DISABLE("tool.disable"),
    /**
     * The gateway took a tool version out of service: the circuit breaker (its calls did not stop when
     * cancelled, or broke their limits too many times in a row), or its module exported a manifest
     * other than the approved one. The tool is disabled until an operator enables it.
     */
    SUSPEND("tool.suspend"),
    /** A tool was enabled. */
    ENABLE("tool.enable"),
    /** A tool and its versions were deleted. */
    DELETE("tool.delete"),
    /** A token was created. */
    TOKEN_CREATE("token.create"),
    /** A token was revoked. */
    TOKEN_REVOKE("token.revoke"),
    /** The gateway's configuration changed (recorded by the server). */
    CONFIG_CHANGE("config.change"),
    /** One MCP {@code tools/call}. */
    CALL("tool.call"),
    /** DLP matches in one payload of a call (rule ids, direction, pointers, actions, value hashes). */
    DLP_MATCH("dlp.match"),
    /** An upstream MCP server was registered (quarantined). */
    UPSTREAM_ADD("upstream.add"),
    /** An upstream's current tools were pinned and put in service. */
    UPSTREAM_APPROVE("upstream.approve"),
    /** An upstream was removed. */
    UPSTREAM_REMOVE("upstream.remove"),
    /** An upstream tool's definition changed after approval: pulled from service (a rug pull). */
    UPSTREAM_TOOL_PULLED("upstream.tool.pulled"),
    /** An upstream reported a tool it had not before: quarantined until approved. */
    UPSTREAM_TOOL_NEW("upstream.tool.new"),
    /** An upstream server's request through its egress proxy: allowed, denied, blocked or redacted. */
    UPSTREAM_EGRESS("upstream.egress"),
    /** A tool's placement (the regions it serves in) changed. */
    PLACE("tool.place"),
    /** An MCP client subscribed to a resource (or the resource's owner refused to watch it). */
    RESOURCE_SUBSCRIBE("resource.subscribe"),
    /** A resource subscription ended: the client unsubscribed, or its session ended. */
    RESOURCE_UNSUBSCRIBE("resource.unsubscribe");

    private final String wireName;

    AuditAction(String wireName) {
        this.wireName = wireName;
    }

    /** The stored name, e.g. {@code tool.approve}. */
    public String wireName() {
        return wireName;
    }
}
