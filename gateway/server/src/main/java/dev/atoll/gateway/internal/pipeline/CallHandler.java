package dev.atoll.gateway.internal.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.ToolReply;

/** One stage of the call path: answers a call, usually by passing it on to the next stage. */
@FunctionalInterface
public interface CallHandler {

    /**
     * Handles the call.
     *
     * @param call the call
     * @param arguments its arguments as the previous stage passed them on
     * @return the reply the caller gets
     */
    ToolReply handle(Call call, ObjectNode arguments);
}
