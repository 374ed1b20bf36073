package dev.atoll.runtime.spi;

import org.jspecify.annotations.Nullable;

/**
 * The host side of one binding for one call. {@link #invoke} runs on the guest thread while guest code
 * waits for it, so it must return quickly and never block without a time box: start slow work on
 * another thread and finish it through a {@link PendingOperation}. {@link #close()} is called exactly
 * once when the call ends for any reason (result, error, limit, cancellation); it must abort work in
 * flight promptly.
 */
public interface BindingCall extends AutoCloseable {

    /**
     * Serves {@code host(operation, ...args)} from the binding's guest script.
     *
     * @param operation the first argument, a string
     * @param args the remaining arguments (strings, numbers, booleans or absent)
     * @return a {@link String}, {@link Number} or {@link Boolean} handed to the guest as a primitive;
     *     anything else, {@code null} included, becomes {@code null}. An exception is logged (its class
     *     only) and the guest gets {@code null}: report errors to the guest as values instead.
     */
    // @Nullable comes from org.jspecify, which this module requires static (annotations only, not at run
    // time): javac's exports lint would want it transitive, which every consumer's module path would then need.
    @SuppressWarnings("exports")
    @Nullable
    Object invoke(String operation, GuestArgs args);

    /** Ends this call's use of the binding: abort everything still in flight. Must not throw. */
    @Override
    void close();
}
