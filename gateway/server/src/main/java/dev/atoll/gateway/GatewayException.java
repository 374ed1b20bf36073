package dev.atoll.gateway;

/** The gateway module's one unchecked exception: bad configuration, a port in use, a broken store. */
public class GatewayException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong, for an operator
     */
    public GatewayException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what went wrong, for an operator
     * @param cause the cause
     */
    public GatewayException(String message, Throwable cause) {
        super(message, cause);
    }
}
