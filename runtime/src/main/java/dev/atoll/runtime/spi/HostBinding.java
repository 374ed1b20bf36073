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
     * The guest script for a language. For JavaScript it is {@link #guestScript()}. For Python it is a
     * Python source whose last expression is a function {@code install(host, wait, env)}: {@code host}
     * is as above, {@code wait(id)} blocks the guest until the {@link PendingOperation} {@code id} has
     * been delivered (the runtime runs deliveries meanwhile; it returns {@code False} if the call ends
     * first), and {@code env} is a dict whose entries become attributes of the tool's {@code env}
     * argument (e.g. {@code env.fetch}). It returns the delivery function, like the JavaScript one.
     * A binding without a script for a language is absent from that language's guests.
     *
     * @param language the guest language
     * @return the guest script, or empty if the binding offers nothing to that language
     */
    default java.util.Optional<String> guestScript(dev.atoll.runtime.Language language) {
        return language == dev.atoll.runtime.Language.JS
                ? java.util.Optional.of(guestScript())
                : java.util.Optional.empty();
    }

    /**
     * Opens the host side of this binding for one call. Called on the guest thread before the tool's
     * function runs; must not block.
     *
     * @param scope the call: its tool, manifest grants, deadline, pending operations and receipt
     * @return the handler of this call's {@code host(...)} invocations
     */
    BindingCall open(CallScope scope);
}
