package dev.atoll.gateway.internal.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Long-lived notification streams (the legacy GET stream and the 2026 {@code subscriptions/listen}
 * stream). Each stream has a small bounded queue; a client too slow to drain it loses the oldest
 * change notification, which is harmless because every one means "list again".
 */
public final class Streams {

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
     * @return the subscription, or null when too many are open or the server is stopping
     */
    Subscription open() {
        return open("");
    }

    /**
     * Opens a stream of a legacy session, which also gets that session's own notifications
     * ({@link #send(String, ObjectNode)}).
     *
     * @param session the session id ({@code ""} for none)
     * @return the subscription, or null when too many are open or the server is stopping
     */
    Subscription open(String session) {
        if (closed || open.size() >= maxStreams) {
            return null;
        }
        Subscription s = new Subscription(session);
        open.add(s);
        return s;
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

        private Subscription(String session) {
            this.session = session;
        }

        private void offer(ObjectNode m) {
            while (!queue.offer(m)) {
                queue.poll();
            }
        }

        /**
         * Waits for the next message.
         *
         * @param millis how long to wait
         * @return the message, null on time-out
         * @throws InterruptedException if interrupted
         * @throws IllegalStateException once the stream has been ended
         */
        public ObjectNode next(long millis) throws InterruptedException {
            ObjectNode m = queue.poll(millis, TimeUnit.MILLISECONDS);
            if (m == END) {
                throw new IllegalStateException("stream ended");
            }
            return m;
        }

        void end() {
            queue.clear();
            queue.offer(END);
        }

        /** Unregisters the stream (the client left). */
        public void close() {
            open.remove(this);
        }
    }
}
