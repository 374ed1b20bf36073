package dev.atoll.runtime;

import java.time.Duration;

/**
 * Hooks for metrics; every method defaults to doing nothing. Called on runtime threads: implementations
 * must be fast and must not throw.
 */
public interface RuntimeObserver {

    /** An observer that ignores everything. */
    RuntimeObserver NO_OP = new RuntimeObserver() {};

    /**
     * A context was created and the tool module evaluated in it.
     *
     * @param tool the tool
     * @param elapsed wall time of creation plus evaluation
     */
    default void contextPrepared(Tool tool, Duration elapsed) {}

    /**
     * A call waited for one of the runtime's guest threads: from its hand-off to the guest threads
     * until one started it (zero when one was free). Reported for every call that started on a guest
     * thread, before {@link #callCompleted}; not for calls run on the caller's own thread, nor for
     * calls shed before a thread took them.
     *
     * @param tool the tool
     * @param waited the time between hand-off and start
     */
    default void guestThreadWait(Tool tool, Duration waited) {}

    /**
     * A call's guest did not stop within a second of its cancellation: the caller was answered with
     * the limit it broke and its guest thread written off (replaced by a new one, within the budget).
     * Reported before {@link #callCompleted}. A tool whose calls end this way should be suspended.
     *
     * @param tool the tool
     */
    default void guestThreadAbandoned(Tool tool) {}

    /**
     * A call ended (any outcome, load shedding included).
     *
     * @param tool the tool
     * @param result the result
     */
    default void callCompleted(Tool tool, CallResult result) {}
}
