package dev.atoll.gateway.internal.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Long-lived notification streams (the legacy GET stream and the 2026 {@code subscriptions/listen}
 * stream). Each stream has a small bounded queue; a client too slow to drain it loses the oldest
 * change notification, which is harmless because every one means "list again". A
 * {@code subscriptions/listen} stream takes only the notifications its filter lets through, each
 * stamped with its subscription id ({@code _meta["io.modelcontextprotocol/subscriptionId"]}).
 */
public final class Streams {

    /** The {@code _meta} key of a listen stream's subscription id (2026-07-28). */
    static final String SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";

    private final Set<Subscription> open = ConcurrentHashMap.newKeySet();
    private final int maxStreams;
    private volatile boolean closed;

    /**
     * Creates the registry.
     *
     * @param maxStreams most streams open at once
     */
    public Streams(int maxStreams) {
        this.maxStreams = maxStreams;
    }

    /**
     * Opens a stream.
     *
     * @return the subscription, or empty when too many are open or the server is stopping
     */
    Optional<Subscription> open() {
        return open("");
    }

    /**
     * Opens a stream of a legacy session, which also gets that session's own notifications
     * ({@link #send(String, ObjectNode)}).
     *
     * @param session the session id ({@code ""} for none)
     * @return the subscription, or empty when too many are open or the server is stopping
     */
    Optional<Subscription> open(String session) {
        return open(session, m -> true, Optional.empty(), () -> {});
    }

    /**
     * Opens a filtered stream.
     *
     * @param key the key its own notifications are sent to ({@link #send(String, ObjectNode)})
     * @param filter which messages it takes
     * @param subscriptionId the id stamped on each message, if any
     * @param onClose run once when the stream is closed
     * @return the subscription, or empty when too many are open or the server is stopping
     */
    Optional<Subscription> open(
            String key, Predicate<ObjectNode> filter, Optional<JsonNode> subscriptionId, Runnable onClose) {
        if (closed || open.size() >= maxStreams) {
            return Optional.empty();
        }
        Subscription s = new Subscription(key, filter, subscriptionId, onClose);
        open.add(s);
        return Optional.of(s);
    }

    /**
     * Sends a message to every open stream.
     *
     * @param message the notification
     */
    public void broadcast(ObjectNode message) {
        for (Subscription s : open) {
            s.offer(message);
        }
    }

    /**
     * Sends a message to the open streams of one session.
     *
     * @param session the session id
     * @param message the notification
     */
    void send(String session, ObjectNode message) {
        for (Subscription s : open) {
            if (s.session.equals(session)) {
                s.offer(message);
            }
        }
    }

    /** Number of open streams. */
    public int size() {
        return open.size();
    }

    /** Ends every stream (server shutdown). */
    public void closeAll() {
        closed = true;
        for (Subscription s : open) {
            s.end();
        }
    }

    /** One open stream. */
    public final class Subscription {
        private static final ObjectNode END = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        private final BlockingQueue<ObjectNode> queue = new ArrayBlockingQueue<>(16);
        private final String session;
        private final Predicate<ObjectNode> filter;
        private final Optional<JsonNode> subscriptionId;
        private final Runnable onClose;
        private final java.util.concurrent.atomic.AtomicBoolean closedOnce =
                new java.util.concurrent.atomic.AtomicBoolean();

        private Subscription(
                String session, Predicate<ObjectNode> filter, Optional<JsonNode> subscriptionId, Runnable onClose) {
            this.session = session;
            this.filter = filter;
            this.subscriptionId = subscriptionId;
            this.onClose = onClose;
        }

        private void offer(ObjectNode message) {
            if (!filter.test(message)) {
                return;
            }
            ObjectNode m = stamped(message);
            while (!queue.offer(m)) {
                queue.poll();
            }
        }

        /** The message with this stream's subscription id in its {@code params._meta}, if it has one. */
        ObjectNode stamped(ObjectNode message) {
            if (subscriptionId.isEmpty()) {
                return message;
            }
            ObjectNode copy = message.deepCopy();
            JsonNode params = copy.get("params");
            ObjectNode p = params instanceof ObjectNode o ? o : copy.putObject("params");
            JsonNode meta = p.get("_meta");
            (meta instanceof ObjectNode o ? o : p.putObject("_meta")).set(SUBSCRIPTION_ID, subscriptionId.get());
            return copy;
        }

        /**
         * Waits for the next message.
         *
         * @param millis how long to wait
         * @return the message, empty on time-out
         * @throws InterruptedException if interrupted
         * @throws IllegalStateException once the stream has been ended
         */
        @SuppressWarnings("ReferenceEquality") // END is a sentinel: identity is the point
        public Optional<ObjectNode> next(long millis) throws InterruptedException {
            ObjectNode m = queue.poll(millis, TimeUnit.MILLISECONDS);
            if (m == END) {
                throw new IllegalStateException("stream ended");
            }
            return Optional.ofNullable(m);
        }

        void end() {
            queue.clear();
            queue.offer(END);
        }

        /** Unregisters the stream (the client left) and runs its close hook once. */
        public void close() {
            open.remove(this);
            if (closedOnce.compareAndSet(false, true)) {
                onClose.run();
            }
        }
    }
}
