package dev.atoll.runtime.spi;

/**
 * A capability offered to guests, installed in every context of a runtime that was built with it
 * ({@code ToolRuntime.builder().binding(...)}). Absent bindings install nothing: without the
 * {@code fetch} binding a guest has no {@code fetch} global.
 *
 * <p>A binding has two halves:
 * <ul>
 *   <li>a <b>guest script</b>, evaluated once in each fresh context right after Atoll's bootstrap and
 *       before the tool module. It is a JavaScript function expression {@code (function (host) {...})}
 *       that installs its globals, keeps {@code host} in its closure (the guest never sees it) and
 *       returns a <em>delivery function</em> {@code (id, payload) => void} that the runtime calls, on
 *       the guest thread, when a {@link PendingOperation} completes. {@code host(operation, ...args)}
 *       calls {@link BindingCall#invoke} of the current call; outside a call (while the module itself
 *       is evaluated) it returns {@code null}.</li>
 *   <li>a <b>host side</b>: {@link #open(CallScope)} is called on the guest thread when a call starts
 *       and returns the {@link BindingCall} that serves that call; it is closed when the call ends,
 *       however it ends.</li>
 * </ul>
 * Only strings, numbers, booleans and {@code undefined}/{@code null} cross the boundary, never a host
 * object. Implementations must be thread-safe: one binding serves every call of a runtime.
 */
public interface HostBinding {

    /**
     * @return a short name for messages and logs, {@code [a-z][a-z0-9_]{0,31}}; unique per runtime
     */
    String name();

    /**
     * @return the guest script: a JavaScript function expression of one parameter ({@code host})
     *     that returns the delivery function; evaluated in every context, so it should be small
     */
    String guestScript();

    /**
     * Opens the host side of this binding for one call. Called on the guest thread before the tool's
     * function runs; must not block.
     *
     * @param scope the call: its tool, manifest grants, deadline, pending operations and receipt
     * @return the handler of this call's {@code host(...)} invocations
     */
    BindingCall open(CallScope scope);
}
