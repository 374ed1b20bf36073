package dev.atoll.host.bindings;

/** Root of the host bindings' unchecked exceptions; thrown for invalid configuration. */
public class HostBindingsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, naming the offending value
     */
    public HostBindingsException(String message) {
        super(message);
    }
}
