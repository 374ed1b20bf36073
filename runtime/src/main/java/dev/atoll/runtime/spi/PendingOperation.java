package dev.atoll.runtime.spi;

/**
 * An asynchronous operation a guest is waiting for. While any is pending the call's event loop keeps
 * waiting (up to the wall deadline) instead of ending the call as a promise that can never settle.
 * Completing it hands a payload to the binding's delivery function on the guest thread, in the order
 * completions arrive.
 */
public interface PendingOperation {

    /**
     * @return the operation's id, unique within the call; the guest script uses it to find the
     *     promise to settle
     */
    int id();

    /**
     * Completes the operation; may be called from any thread. Only the first completion counts.
     *
     * @param payload the text handed to the delivery function (JSON is a good choice)
     * @return false if the operation was already completed or the call has ended (the payload is dropped)
     */
    boolean complete(String payload);
}
