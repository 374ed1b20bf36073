package dev.atoll.gateway.internal.wiring;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.audit.AuditAction;
import dev.atoll.gateway.audit.AuditLog;
import dev.atoll.gateway.internal.mcp.SubscriptionChange;
import java.util.function.Consumer;

/**
 * Writes resource subscriptions to the audit log: {@code resource.subscribe} (outcome {@code ok}, or
 * {@code refused} with the owner's reason) and {@code resource.unsubscribe} (outcome {@code ok}, with
 * {@code by} = {@code client} or {@code session_end}). The actor is the token, the tenant its tenant;
 * the detail names the owner (a module's tool or {@code upstream:NAME}) and the URI (at most 1,000
 * characters).
 */
public final class SubscriptionAudit {

    private static final int MAX_URI = 1_000;

    private SubscriptionAudit() {}

    /**
     * A listener for {@code McpService#onSubscriptionChange} that writes each change to this log.
     *
     * @param audit the audit log
     * @return the listener
     */
    public static Consumer<SubscriptionChange> to(AuditLog audit) {
        return c -> {
            ObjectNode detail = JsonNodeFactory.instance.objectNode();
            detail.put("owner", c.owner());
            detail.put("uri", c.uri().length() <= MAX_URI ? c.uri() : c.uri().substring(0, MAX_URI));
            switch (c.kind()) {
                case SUBSCRIBED ->
                    audit.record(
                            c.principal().tokenId(),
                            AuditAction.RESOURCE_SUBSCRIBE,
                            c.principal().tenant(),
                            "ok",
                            detail);
                case REFUSED ->
                    audit.record(
                            c.principal().tokenId(),
                            AuditAction.RESOURCE_SUBSCRIBE,
                            c.principal().tenant(),
                            "refused",
                            detail.put("reason", c.reason()));
                case UNSUBSCRIBED ->
                    audit.record(
                            c.principal().tokenId(),
                            AuditAction.RESOURCE_UNSUBSCRIBE,
                            c.principal().tenant(),
                            "ok",
                            detail.put("by", "client"));
                case SESSION_ENDED ->
                    audit.record(
                            c.principal().tokenId(),
                            AuditAction.RESOURCE_UNSUBSCRIBE,
                            c.principal().tenant(),
                            "ok",
                            detail.put("by", "session_end"));
            }
        };
    }
}
