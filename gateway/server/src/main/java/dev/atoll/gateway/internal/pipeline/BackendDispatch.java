package dev.atoll.gateway.internal.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.ToolReply;

/** The innermost stage: the tool's own backend (an isolate or an upstream server) runs the call. */
public final class BackendDispatch implements CallHandler {

    @Override
    public ToolReply handle(Call call, ObjectNode arguments) {
        return call.tool().backend().call(call.tool(), arguments, call.context());
    }
}
