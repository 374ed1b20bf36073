package dev.atoll.gateway.upstream.internal;

import java.util.Objects;

/** A failure talking to an upstream server; the message is safe to show an operator or the caller. */
final class UpstreamException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    enum Kind {
        /** The server exited or its stdio closed. */
        DOWN,
        /** No answer in time. */
        TIMEOUT,
        /** The server answered with a JSON-RPC error. */
        RPC_ERROR,
        /** The server broke the protocol (a line too long, not JSON). */
        PROTOCOL
    }

    private final Kind kind;
    private final int code;

    UpstreamException(Kind kind, String message) {
        this(kind, 0, message);
    }

    UpstreamException(Kind kind, int code, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.code = code;
    }

    /** The message, never null: every constructor takes one. */
    @Override
    public String getMessage() {
        return Objects.requireNonNull(super.getMessage(), "message");
    }

    Kind kind() {
        return kind;
    }

    /** The JSON-RPC error code ({@link Kind#RPC_ERROR}). */
    int code() {
        return code;
    }
}
