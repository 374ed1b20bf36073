package dev.atoll.runtime.spi;

import dev.atoll.runtime.EgressRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One call as a binding sees it: which tool runs, what its manifest grants, how long it may take, and
 * where to put pending operations and receipt entries. Thread-safe; valid until the call ends, after
 * which {@link #begin()} throws.
 */
public interface CallScope {

    /** @return the tool's name from its manifest */
    String toolName();

    /** @return SHA-256 (hex) of the tool's code */
    String toolDigest();

    /**
     * @return the tenant the call runs for, if the host named one (the gateway does: the caller's
     *     token's tenant); bindings hand it to policies that differ per tenant, such as DLP
     */
    default java.util.Optional<String> tenant() {
        return java.util.Optional.empty();
    }

    /** @return which export of the module runs (the tool, or a resource, prompt or completion handler) */
    default dev.atoll.runtime.Entry entry() {
        return dev.atoll.runtime.Entry.TOOL;
    }

    /**
     * A host object the caller attached to this call ({@link dev.atoll.runtime.Invocation#attachments()}).
     *
     * @param type the attachment's type
     * @param <T> the type
     * @return the first attachment of that type, if any
     */
    default <T> java.util.Optional<T> attachment(Class<T> type) {
        return java.util.Optional.empty();
    }

    /** @return the manifest's {@code egress} entries ({@code host} or {@code host:port}) */
    List<String> egress();

    /** @return the manifest's {@code secrets}: secret name to the hosts it may be sent to */
    Map<String, List<String>> secrets();

    /** @return the call's wall deadline on the {@link System#nanoTime()} clock */
    long deadlineNanos();

    /** @return time left until the wall deadline; zero once it has passed */
    default Duration remaining() {
        long left = deadlineNanos() - System.nanoTime();
        return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    /** @return whether the call has ended (the binding's {@link BindingCall#close()} follows or ran) */
    boolean ended();

    /**
     * Starts an operation the guest will wait for. Call it on the guest thread, inside
     * {@link BindingCall#invoke}.
     *
     * @return the pending operation; complete it exactly once
     * @throws IllegalStateException if the call has ended
     */
    PendingOperation begin();

    /**
     * Adds an entry to the call's receipt (bounded to 1 000 entries; entries after the call's receipt
     * was taken, which happens right after {@link BindingCall#close()}, are lost).
     *
     * @param entry one outbound request, allowed or refused
     */
    void record(EgressRecord entry);
}
