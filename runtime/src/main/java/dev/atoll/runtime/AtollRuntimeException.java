package dev.atoll.runtime;

/** Root of the runtime's unchecked exceptions. */
public class AtollRuntimeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong
     */
    public AtollRuntimeException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong
     * @param cause the underlying failure
     */
    public AtollRuntimeException(String message, Throwable cause) {
        super(message, cause);
    }
}
