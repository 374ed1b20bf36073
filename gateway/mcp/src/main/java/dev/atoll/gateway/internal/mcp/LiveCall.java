package dev.atoll.gateway.internal.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.ClientLink;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One {@code tools/call} answered as a live SSE stream (2025 era, the client accepts
 * {@code text/event-stream}): progress notifications and server-to-client requests are written while
 * the tool runs, then the logs and the response, which ends the stream. Progress is rate-limited
 * (strictly increasing, at least {@link #MIN_PROGRESS_INTERVAL} apart unless it reaches the total, at
 * most {@link #MAX_PROGRESS} per call); server requests go only to a client that declared the
 * capability ({@code sampling}, {@code elicitation}, {@code roots}), and their answers are matched by
 * {@link PendingRequests}. It {@linkplain #supports supports} {@code progress} when the caller gave a
 * progress token.
 */
final class LiveCall implements ClientLink {

    /** Most progress notifications one call sends. */
    static final int MAX_PROGRESS = 200;
    /** Least time between two progress notifications (one that reaches the total always goes). */
    static final Duration MIN_PROGRESS_INTERVAL = Duration.ofMillis(10);

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final BlockingQueue<ObjectNode> events = new LinkedBlockingQueue<>(1024);
    private final Optional<JsonNode> progressToken;
    private final Set<String> capabilities;
    private final PendingRequests pending;
    private final String session;
    private double lastProgress = -1;
    private long lastProgressNanos;
    private int progressSent;
    private volatile boolean finished;

    LiveCall(Optional<JsonNode> progressToken, Set<String> capabilities, PendingRequests pending, String session) {
        this.progressToken = progressToken;
        this.capabilities = Set.copyOf(capabilities);
        this.pending = pending;
        this.session = session;
    }

    BlockingQueue<ObjectNode> events() {
        return events;
    }

    @Override
    public synchronized boolean progress(double progress, OptionalDouble total, Optional<String> message) {
        if (progressToken.isEmpty() || finished || progress <= lastProgress || progressSent >= MAX_PROGRESS) {
            return false;
        }
        long now = System.nanoTime();
        boolean last = total.isPresent() && progress >= total.getAsDouble();
        if (progressSent > 0 && !last && now - lastProgressNanos < MIN_PROGRESS_INTERVAL.toNanos()) {
            return false;
        }
        ObjectNode p = F.objectNode();
        p.set("progressToken", progressToken.get());
        p.put("progress", progress);
        total.ifPresent(t -> p.put("total", t));
        message.ifPresent(m -> p.put("message", m));
        if (!events.offer(JsonRpc.notification("notifications/progress", p))) {
            return false;
        }
        lastProgress = progress;
        lastProgressNanos = now;
        progressSent++;
        return true;
    }

    @Override
    public boolean supports(String capability) {
        if (capability.equals("progress")) {
            return !finished && progressToken.isPresent();
        }
        return !finished && capabilities.contains(capability);
    }

    @Override
    public CompletableFuture<JsonNode> request(String method, ObjectNode params, Duration timeout) {
        String capability =
                method.startsWith("sampling/") ? "sampling" : method.startsWith("roots/") ? "roots" : "elicitation";
        if (!supports(capability)) {
            return CompletableFuture.failedFuture(
                    new UnsupportedOperationException("the client did not declare the " + capability + " capability"));
        }
        PendingRequests.Registered r = pending.register(session, method);
        ObjectNode message = F.objectNode();
        message.put("jsonrpc", "2.0");
        message.put("id", r.id());
        message.put("method", method);
        message.set("params", params);
        if (!events.offer(message)) {
            pending.cancel(r.id());
            return CompletableFuture.failedFuture(new IllegalStateException("the response stream is full"));
        }
        return r.answer()
                .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .whenComplete((v, e) -> pending.cancel(r.id()));
    }

    /** Queues an event (a log notification) before the response. */
    void note(ObjectNode notification) {
        events.offer(notification);
    }

    /** Queues the response, which ends the stream; later progress and requests are refused. */
    void finish(ObjectNode response) {
        finished = true;
        while (!events.offer(response)) {
            events.poll(); // never happens in practice: keep the response, drop the oldest note
        }
    }

    /**
     * Whether a streamed message is the response that ends the stream.
     *
     * @param event an event
     * @return whether it is a response (an id and a result or error, no method)
     */
    static boolean isResponse(ObjectNode event) {
        return !event.has("method") && (event.has("result") || event.has("error"));
    }
}
