package dev.atoll.gateway.internal.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.ToolOutcome;
import dev.atoll.gateway.backend.ToolReply;
import dev.atoll.gateway.internal.mcp.JsonRpc;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns a failure inside the gateway (a bug, not a tool error) into an {@code internal_error} reply, so
 * that the call is still answered, and so still audited and measured by the stages around it.
 */
public final class ErrorGuard implements CallHandler {

    private static final Logger LOG = Logger.getLogger(ErrorGuard.class.getName());

    private final CallHandler next;

    /**
     * Guards a stage.
     *
     * @param next the stage it guards
     */
    public ErrorGuard(CallHandler next) {
        this.next = Objects.requireNonNull(next, "next");
    }

    @Override
    public ToolReply handle(Call call, ObjectNode arguments) {
        try {
            return next.handle(call, arguments);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "call of " + call.tool().name() + " failed in the gateway", e);
            return new ToolReply.Rejected(
                    JsonRpc.INTERNAL_ERROR,
                    "Internal error while calling the tool",
                    ToolOutcome.INTERNAL_ERROR,
                    Optional.empty());
        }
    }
}
