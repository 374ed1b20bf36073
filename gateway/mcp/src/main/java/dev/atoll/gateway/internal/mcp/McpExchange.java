package dev.atoll.gateway.internal.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/** The HTTP-independent shape of one exchange on the MCP endpoint. */
public final class McpExchange {

    private McpExchange() {}

    /**
     * One HTTP request as the protocol sees it.
     *
     * @param headers header lookup by lowercase name (first value)
     * @param body the raw body
     * @param acceptsSse whether the client accepts {@code text/event-stream}
     */
    public record Request(Function<String, Optional<String>> headers, byte[] body, boolean acceptsSse) {

        /** Rejects nulls. */
        public Request {
            Objects.requireNonNull(headers, "headers");
            Objects.requireNonNull(body, "body");
        }

        Optional<String> header(String lowercaseName) {
            return headers.apply(lowercaseName).map(String::trim);
        }
    }

    /** How to answer. */
    public sealed interface Reply {

        /** HTTP status. */
        int status();

        /** Extra response headers. */
        Map<String, String> headers();
    }

    /**
     * One JSON body.
     *
     * @param status HTTP status
     * @param body the JSON-RPC message
     * @param headers extra headers
     */
    public record Json(int status, ObjectNode body, Map<String, String> headers) implements Reply {}

    /**
     * An SSE stream of notifications followed by the response, then closed.
     *
     * @param status HTTP status (200)
     * @param events messages in order, the response last
     * @param headers extra headers
     */
    public record Sse(int status, List<ObjectNode> events, Map<String, String> headers) implements Reply {}

    /**
     * A long-lived SSE stream of change notifications.
     *
     * @param status HTTP status (200)
     * @param first messages to send at once
     * @param subscription what to stream until the client leaves
     * @param headers extra headers
     */
    public record Stream(
            int status, List<ObjectNode> first, Streams.Subscription subscription, Map<String, String> headers)
            implements Reply {}

    /**
     * An SSE stream written while a call runs: notifications and server-to-client requests as they
     * come, ended by the response (an event with {@code result} or {@code error} and no {@code method}).
     *
     * @param status HTTP status (200)
     * @param events the events, the response last
     * @param headers extra headers
     */
    public record Live(int status, java.util.concurrent.BlockingQueue<ObjectNode> events, Map<String, String> headers)
            implements Reply {}

    /**
     * No body.
     *
     * @param status HTTP status (202 for an accepted notification, 200/405/...)
     * @param headers extra headers
     */
    public record Empty(int status, Map<String, String> headers) implements Reply {}
}
