package dev.atoll.gateway.backend;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.runtime.Receipt;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** How a backend answered one {@code tools/call}: a closed set. */
public sealed interface ToolReply {

    /**
     * How the call ended, for audit and metrics.
     *
     * @return the outcome
     */
    ToolOutcome outcome();

    /**
     * The tool ran (successfully or not): an MCP {@code CallToolResult}.
     *
     * @param result the {@code CallToolResult} object ({@code content}, optional
     *     {@code structuredContent}, {@code isError})
     * @param logs log notifications the call produced, as {@code notifications/message} params
     *     ({@code level}, {@code logger}, {@code data}), in order
     * @param progress progress notifications, as {@code notifications/progress} params without the token
     * @param outcome how the call ended, for audit and metrics
     * @param receipt resources the call used ({@link Receipt#none()} if the backend does not measure)
     */
    record Result(
            ObjectNode result, List<ObjectNode> logs, List<ObjectNode> progress, ToolOutcome outcome, Receipt receipt)
            implements ToolReply {

        /** Copies the lists and rejects nulls. */
        public Result {
            Objects.requireNonNull(result, "result");
            logs = List.copyOf(logs);
            progress = List.copyOf(progress);
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(receipt, "receipt");
        }
    }

    /**
     * The call could not be attempted (overload, backend down): a JSON-RPC error.
     *
     * @param code the JSON-RPC error code
     * @param message a message safe to show the caller
     * @param outcome how the call ended, for audit and metrics
     * @param retryAfter when to retry, if known
     */
    record Rejected(int code, String message, ToolOutcome outcome, Optional<Duration> retryAfter) implements ToolReply {

        /** Rejects nulls. */
        public Rejected {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(retryAfter, "retryAfter");
        }
    }
}
