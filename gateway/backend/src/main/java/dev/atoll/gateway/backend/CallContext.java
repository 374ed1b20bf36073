package dev.atoll.gateway.backend;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * What a backend knows about the caller of one {@code tools/call}.
 *
 * @param tenant the authenticated tenant
 * @param progressToken the request's {@code _meta.progressToken}, if any
 * @param client the way back to the calling client while the call runs (progress, sampling, elicitation)
 */
public record CallContext(String tenant, Optional<JsonNode> progressToken, ClientLink client) {

    /** Rejects nulls. */
    public CallContext {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(progressToken, "progressToken");
        Objects.requireNonNull(client, "client");
    }

    /**
     * A call whose client can take nothing back while it runs.
     *
     * @param tenant the tenant
     * @param progressToken the progress token, if any
     */
    public CallContext(String tenant, Optional<JsonNode> progressToken) {
        this(tenant, progressToken, ClientLink.NONE);
    }
}
