package dev.atoll.gateway.internal.lifecycle;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Everything a gateway started, on one stack: each resource is pushed as soon as it runs, and
 * {@link #close()} closes them in reverse order, each once, even when one of them fails. A start that
 * fails half-way closes the stack and so leaks nothing (threads, listeners, sockets, sandboxes).
 * Thread-safe.
 */
public final class Resources implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Resources.class.getName());

    /** How one resource is closed. */
    @FunctionalInterface
    public interface Closer {
        /**
         * Closes the resource.
         *
         * @throws Exception if closing fails (the other resources are closed anyway)
         */
        void close() throws Exception;
    }

    private record Entry(String name, Closer closer) {}

    private final Deque<Entry> stack = new ArrayDeque<>();

    /**
     * Pushes a started resource.
     *
     * @param name what it is, for the log
     * @param resource the resource
     * @param <T> its type
     * @return the resource
     */
    public <T extends AutoCloseable> T push(String name, T resource) {
        onClose(name, resource::close);
        return resource;
    }

    /**
     * Pushes how to close something that was started.
     *
     * @param name what it is, for the log
     * @param closer how to close it
     */
    public synchronized void onClose(String name, Closer closer) {
        stack.push(new Entry(Objects.requireNonNull(name, "name"), Objects.requireNonNull(closer, "closer")));
    }

    /**
     * Closes every resource on the stack, last pushed first, and empties it (a second call does nothing).
     * A failure is logged and does not stop the others.
     *
     * @throws RuntimeException the first failure (an {@link Error} stays one), with the later ones
     *     suppressed, once all were closed
     */
    @Override
    public void close() {
        Throwable first = null;
        for (Entry e; (e = pop()) != null; ) {
            try {
                e.closer().close();
            } catch (Exception | Error x) {
                LOG.log(Level.WARNING, "closing " + e.name() + " failed", x);
                if (first == null) {
                    first = x instanceof Exception && !(x instanceof RuntimeException)
                            ? new IllegalStateException("closing " + e.name() + " failed", x)
                            : x;
                } else {
                    first.addSuppressed(x);
                }
            }
        }
        switch (first) {
            case null -> {}
            case RuntimeException r -> throw r;
            case Error r -> throw r;
            default -> throw new IllegalStateException(first);
        }
    }

    /**
     * Closes the stack after a start failed: the failure stays the exception the caller sees, and
     * whatever failed while closing is added to it as suppressed.
     *
     * @param failure why the start failed
     */
    public void closeAfter(Throwable failure) {
        try {
            close();
        } catch (RuntimeException | Error e) {
            failure.addSuppressed(e);
        }
    }

    private synchronized Entry pop() {
        return stack.poll();
    }
}
