package dev.atoll.gateway.internal.tail;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The live tail's bus. {@link #publish} never blocks and never fails: it offers the event to each
 * matching subscriber's bounded queue, and a subscriber whose queue is full is dropped on the spot
 * (its stream ends with a {@code dropped} notice) rather than slowing the call that published. The
 * bus also keeps the last calls (for a call's receipt in the web UI).
 */
public final class TailBus {

    private final int queueCapacity;
    private final int maxSubscribers;
    private final CopyOnWriteArrayList<Subscription> subscribers = new CopyOnWriteArrayList<>();
    private final AtomicReferenceArray<TailEvent.Call> recent;
    private final AtomicLong callSeq = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    /**
     * Creates a bus.
     *
     * @param queueCapacity events a subscriber may fall behind by before it is dropped, 1-100000
     * @param maxSubscribers most subscribers at once, 1-1000
     * @param recentCalls calls kept for lookup by sequence number, 1-100000
     */
    public TailBus(int queueCapacity, int maxSubscribers, int recentCalls) {
        if (queueCapacity < 1 || queueCapacity > 100_000) {
            throw new IllegalArgumentException("tail.queue-events must be 1-100000, got " + queueCapacity);
        }
        if (maxSubscribers < 1 || maxSubscribers > 1000) {
            throw new IllegalArgumentException("tail.max-subscribers must be 1-1000, got " + maxSubscribers);
        }
        if (recentCalls < 1 || recentCalls > 100_000) {
            throw new IllegalArgumentException("tail.recent-calls must be 1-100000, got " + recentCalls);
        }
        this.queueCapacity = queueCapacity;
        this.maxSubscribers = maxSubscribers;
        this.recent = new AtomicReferenceArray<>(recentCalls);
    }

    /** The next call sequence number (for {@link TailEvent.Call#seq()}). */
    public long nextCallSeq() {
        return callSeq.incrementAndGet();
    }

    /** The last call sequence number handed out (0 before the first call). */
    public long lastCallSeq() {
        return callSeq.get();
    }

    /** How many recent calls are kept. */
    public int recentCapacity() {
        return recent.length();
    }

    /**
     * Delivers an event to every matching subscriber without blocking; a subscriber whose queue is
     * full is dropped.
     *
     * @param event the event
     */
    public void publish(TailEvent event) {
        Objects.requireNonNull(event, "event");
        if (event instanceof TailEvent.Call c) {
            recent.set((int) (c.seq() % recent.length()), c);
        }
        for (Subscription s : subscribers) {
            if (s.filter.matches(event) && !s.queue.offer(event)) {
                s.overflowed = true;
                subscribers.remove(s);
                dropped.incrementAndGet();
            }
        }
    }

    /**
     * Subscribes.
     *
     * @param filter which events
     * @return the subscription, or empty when {@code tail.max-subscribers} are subscribed already
     */
    public synchronized Optional<Subscription> subscribe(TailFilter filter) {
        if (subscribers.size() >= maxSubscribers) {
            return Optional.empty();
        }
        Subscription s = new Subscription(Objects.requireNonNull(filter, "filter"), queueCapacity);
        subscribers.add(s);
        return Optional.of(s);
    }

    /** Subscribers now. */
    public int subscribers() {
        return subscribers.size();
    }

    /** Subscribers dropped for falling behind since start. */
    public long droppedSubscribers() {
        return dropped.get();
    }

    /**
     * A recent call by its sequence number.
     *
     * @param seq the call's {@link TailEvent.Call#seq()}
     * @return the call, empty when unknown or no longer kept
     */
    public Optional<TailEvent.Call> call(long seq) {
        if (seq < 1) {
            return Optional.empty();
        }
        TailEvent.Call c = recent.get((int) (seq % recent.length()));
        return c != null && c.seq() == seq ? Optional.of(c) : Optional.empty();
    }

    /** One subscriber's bounded queue; closed by its reader. */
    public final class Subscription implements AutoCloseable {
        private final TailFilter filter;
        private final BlockingQueue<TailEvent> queue;
        private volatile boolean overflowed;

        private Subscription(TailFilter filter, int capacity) {
            this.filter = filter;
            this.queue = new ArrayBlockingQueue<>(capacity);
        }

        /**
         * The next event, waiting up to {@code wait}.
         *
         * @param wait longest wait
         * @return the event, or empty when none came in time (or the subscriber was dropped and its
         *     queue is drained: check {@link #overflowed()})
         * @throws InterruptedException when interrupted
         */
        public Optional<TailEvent> next(Duration wait) throws InterruptedException {
            TailEvent e = queue.poll();
            if (e != null || overflowed) {
                return Optional.ofNullable(e);
            }
            return Optional.ofNullable(queue.poll(wait.toMillis(), TimeUnit.MILLISECONDS));
        }

        /** Whether the bus dropped this subscriber because its queue was full. */
        public boolean overflowed() {
            return overflowed;
        }

        /** The most events this subscriber may fall behind by. */
        public int capacity() {
            return queueCapacity;
        }

        @Override
        public void close() {
            subscribers.remove(this);
        }
    }
}
