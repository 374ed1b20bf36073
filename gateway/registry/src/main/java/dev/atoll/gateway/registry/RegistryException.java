package dev.atoll.gateway.registry;

import java.util.Objects;

/**
 * The one unchecked exception of the registry and audit log. {@link #reason()} says what kind of
 * failure it is, so the HTTP layer can map it to a status without parsing messages. Messages name
 * the tool, version or token id concerned, never a token, secret value or SQL text.
 */
public final class RegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The closed set of failure kinds. */
    public enum Reason {
        /** No such tool, version or token. */
        NOT_FOUND,
        /** The request conflicts with what exists (a name claimed by another source, a duplicate token). */
        CONFLICT,
        /** The object is not in a state that allows the operation (approve a rejected version, roll forward). */
        INVALID_STATE,
        /** The request itself is malformed (bad name, missing manifest field, oversize code). */
        INVALID_ARGUMENT,
        /** The audit queue stayed full past the enqueue timeout, or the log is closed. */
        UNAVAILABLE,
        /** The database failed (I/O, connection, migration). */
        STORAGE
    }

    private final Reason reason;

    /**
     * Creates an exception.
     *
     * @param reason the failure kind
     * @param message what failed, naming the object concerned
     */
    public RegistryException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * Creates an exception with a cause.
     *
     * @param reason the failure kind
     * @param message what failed
     * @param cause the underlying failure
     */
    public RegistryException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The failure kind. */
    public Reason reason() {
        return reason;
    }

    /** True for {@link Reason#NOT_FOUND}. */
    public boolean isNotFound() {
        return reason == Reason.NOT_FOUND;
    }

    /** True for {@link Reason#CONFLICT}. */
    public boolean isConflict() {
        return reason == Reason.CONFLICT;
    }

    /** True for {@link Reason#INVALID_STATE}. */
    public boolean isInvalidState() {
        return reason == Reason.INVALID_STATE;
    }

    static RegistryException notFound(String message) {
        return new RegistryException(Reason.NOT_FOUND, message);
    }

    /**
     * A database failure.
     *
     * @param message what failed
     * @param cause the SQL or driver exception
     * @return the exception
     */
    public static RegistryException storage(String message, Throwable cause) {
        return new RegistryException(Reason.STORAGE, message, cause);
    }
}
