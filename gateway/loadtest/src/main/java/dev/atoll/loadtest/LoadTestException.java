package dev.atoll.loadtest;

/** A load test cannot start or its input is wrong (bad option value, unreadable file, unreachable target). */
public final class LoadTestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, naming the offending value
     */
    public LoadTestException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what is wrong
     * @param cause the cause
     */
    public LoadTestException(String message, Throwable cause) {
        super(message, cause);
    }
}
