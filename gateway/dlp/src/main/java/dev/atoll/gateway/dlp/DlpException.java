package dev.atoll.gateway.dlp;

/**
 * Root of the DLP engine's unchecked exceptions: an invalid rule pack or configuration. A blocked
 * payload is not an exception but a {@link Verdict.Block}. Messages never contain scanned data.
 */
public class DlpException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, naming the offending rule id, key or value
     */
    public DlpException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong
     * @param cause the underlying failure
     */
    public DlpException(String message, Throwable cause) {
        super(message, cause);
    }
}
