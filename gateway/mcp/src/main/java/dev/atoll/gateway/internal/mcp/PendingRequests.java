package dev.atoll.gateway.internal.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Server-to-client requests waiting for their answers (sampling, elicitation), by request id. An answer
 * counts only when it comes from the session the request went to; ids are random, so a client cannot
 * guess another session's. Bounded: past {@link #MAX_PENDING} requests new ones fail at once.
 */
final class PendingRequests {

    /** Most requests waiting at once, across sessions. */
    static final int MAX_PENDING = 1024;

    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    private record Waiting(String session, String method, CompletableFuture<JsonNode> answer) {}

    /**
     * A registered request.
     *
     * @param id its JSON-RPC id
     * @param answer completes with the client's result
     */
    record Registered(String id, CompletableFuture<JsonNode> answer) {}

    /** A JSON-RPC error the client answered with. */
    static final class ClientError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClientError(String message) {
            super(message, null, false, false);
        }
    }

    Registered register(String session, String method) {
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        if (waiting.size() >= MAX_PENDING) {
            answer.completeExceptionally(new IllegalStateException("too many server requests are waiting"));
            return new Registered("atoll-full", answer);
        }
        byte[] b = new byte[12];
        random.nextBytes(b);
        String id = "atoll-" + HexFormat.of().formatHex(b);
        waiting.put(id, new Waiting(session, method, answer));
        return new Registered(id, answer);
    }

    void cancel(String id) {
        Waiting w = waiting.remove(id);
        if (w != null) {
            w.answer().cancel(false);
        }
    }

    /**
     * Hands a client's response to the request it answers.
     *
     * @param session the session it came on
     * @param id the response's id
     * @param result its result, or null if it is an error
     * @param error its error message, if it is an error
     * @return whether it answered a waiting request of that session
     */
    boolean answer(String session, String id, @Nullable JsonNode result, String error) {
        Waiting w = waiting.get(id);
        if (w == null || !w.session().equals(session)) {
            return false;
        }
        waiting.remove(id);
        if (result != null) {
            java.util.Optional<String> bad = ClientRequests.checkAnswer(w.method(), result);
            if (bad.isPresent()) {
                return w.answer().completeExceptionally(new ClientError(bad.get()));
            }
            return w.answer().complete(result);
        }
        return w.answer().completeExceptionally(new ClientError("the client answered with an error: " + error));
    }
}
