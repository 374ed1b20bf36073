package dev.atoll.host.bindings;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;

/** The outcome of checking one request target: {@link Allowed} or {@link Denied}. */
public sealed interface EgressDecision {

    /**
     * The target may be fetched, at the pinned address only.
     *
     * @param uri the target without userinfo or fragment, host lowercased (and an IP literal in its
     *     canonical form); send its host as the {@code Host} header and TLS SNI
     * @param pinnedAddress the checked address and port to connect to; never resolve the host again
     */
    record Allowed(URI uri, InetSocketAddress pinnedAddress) implements EgressDecision {
        /** Validates the components: both required, the address resolved. */
        public Allowed {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(pinnedAddress, "pinnedAddress");
            if (pinnedAddress.isUnresolved()) {
                throw new IllegalArgumentException("pinnedAddress must be resolved: " + pinnedAddress);
            }
        }
    }

    /**
     * The target must not be fetched.
     *
     * @param reason which check refused it
     * @param message a sentence naming the offending value, fit to show the tool author
     */
    record Denied(DenyReason reason, String message) implements EgressDecision {
        /** Validates the components: both required. */
        public Denied {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * @return true for {@link Allowed}
     */
    default boolean isAllowed() {
        return this instanceof Allowed;
    }
}
