package dev.atoll.gateway.backend;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * What a backend knows about the caller of one {@code tools/call}.
 *
 * @param tenant the authenticated tenant
 * @param progressToken the request's {@code _meta.progressToken}, if any
 */
public record CallContext(String tenant, Optional<JsonNode> progressToken) {

    /** Rejects nulls. */
    public CallContext {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(progressToken, "progressToken");
    }
}
