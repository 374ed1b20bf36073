package dev.atoll.runtime.internal;

/**
 * How the guest side of a call ended, before the host turns it into an outcome.
 *
 * @param kind {@code ok}, {@code error}, {@code bad_output}, {@code too_large}, {@code never} (the
 *     tool's promise can no longer settle) or {@code deadline} (a timer is due after the wall deadline)
 * @param payload JSON of the result or error, the size for {@code too_large}, else empty
 */
record Settlement(String kind, String payload) {
    static final Settlement NEVER = new Settlement("never", "");
    static final Settlement DEADLINE = new Settlement("deadline", "");
    /** The watchdog cancelled the call while the guest was waiting; the monitor holds the violation. */
    static final Settlement STOPPED = new Settlement("stopped", "");
}
