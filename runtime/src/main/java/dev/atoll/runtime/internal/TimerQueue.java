package dev.atoll.runtime.internal;

import java.util.PriorityQueue;

/** Pending {@code setTimeout} timers of one context, ordered by due time; bounded in number. */
final class TimerQueue {
    /** Most timers one call may have pending. */
    static final int MAX_PENDING = 1000;

    record Timer(long dueNanos, int id) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(dueNanos - o.dueNanos, 0);
            return c != 0 ? c : Integer.compare(id, o.id);
        }
    }

    private final PriorityQueue<Timer> queue = new PriorityQueue<>();
    private int nextId = 1;

    /** Adds a timer; returns its id, or -1 when too many are pending. */
    int set(double delayMs) {
        if (queue.size() >= MAX_PENDING) {
            return -1;
        }
        double ms = Double.isFinite(delayMs) ? Math.max(0, Math.min(delayMs, 24 * 3600 * 1000.0)) : 0;
        int id = nextId++;
        queue.add(new Timer(System.nanoTime() + (long) (ms * 1_000_000), id));
        return id;
    }

    void clear(int id) {
        queue.removeIf(t -> t.id == id);
    }

    Timer peek() {
        return queue.peek();
    }

    Timer poll() {
        return queue.poll();
    }
}
