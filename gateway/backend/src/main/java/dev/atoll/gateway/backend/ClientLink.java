package dev.atoll.gateway.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;

/**
 * The way back to the MCP client that made a call, while the call runs: progress notifications and
 * server-to-client requests (sampling, elicitation, roots) on the caller's response stream. The gateway
 * implements it per request; {@link #NONE} is a caller that can take nothing (a JSON response, or a
 * client that declared no such capability).
 */
public interface ClientLink {

    /** A link that takes nothing: progress is dropped and requests fail as unsupported. */
    ClientLink NONE = new ClientLink() {
        @Override
        public boolean progress(double progress, OptionalDouble total, Optional<String> message) {
            return false;
        }

        @Override
        public boolean supports(String capability) {
            return false;
        }

        @Override
        public CompletableFuture<JsonNode> request(String method, ObjectNode params, Duration timeout) {
            return CompletableFuture.failedFuture(
                    new UnsupportedOperationException("the client cannot take " + method + " requests"));
        }
    };

    /**
     * Sends {@code notifications/progress} with the caller's progress token, if the caller gave one and
     * the rate limit allows it.
     *
     * @param progress progress so far (increasing)
     * @param total total, if known
     * @param message a human-readable message, if any
     * @return whether it was sent (false when there is no token, it was rate-limited or not increasing)
     */
    boolean progress(double progress, OptionalDouble total, Optional<String> message);

    /**
     * Whether the client declared a capability and the response can carry requests to it now.
     *
     * @param capability {@code sampling}, {@code elicitation} or {@code roots} (requests), or
     *     {@code progress} (the caller gave a progress token and its answer streams while the call runs)
     * @return whether requests of that kind (or progress) can be sent
     */
    boolean supports(String capability);

    /**
     * Sends a server-to-client request on the caller's stream and completes with the client's result.
     *
     * @param method {@code sampling/createMessage}, {@code elicitation/create} or {@code roots/list}
     * @param params the request's params
     * @param timeout how long to wait for the answer
     * @return the client's result, or a failure (unsupported, the client's error, time-out)
     */
    CompletableFuture<JsonNode> request(String method, ObjectNode params, Duration timeout);
}
