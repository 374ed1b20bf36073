package dev.atoll.gateway.internal.mcp;

import dev.atoll.gateway.internal.http.Caller;
import java.util.Objects;

/**
 * A subscription that began, ended or was refused, for the audit log.
 *
 * @param principal who subscribed
 * @param owner the owner serving the URI (the module's tool or the upstream)
 * @param uri the URI
 * @param kind what happened
 * @param reason why, when refused (empty otherwise)
 */
public record SubscriptionChange(Caller principal, String owner, String uri, Kind kind, String reason) {

    /** Rejects nulls. */
    public SubscriptionChange {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
    }

    /** What happened to a subscription. */
    public enum Kind {
        /** The client subscribed. */
        SUBSCRIBED,
        /** The client unsubscribed. */
        UNSUBSCRIBED,
        /** The session ended (deleted or expired) with the subscription still on. */
        SESSION_ENDED,
        /** The owner's source refused to watch the URI. */
        REFUSED
    }
}
