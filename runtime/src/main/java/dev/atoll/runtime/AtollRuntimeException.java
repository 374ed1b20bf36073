package dev.atoll.runtime;

import org.jspecify.annotations.Nullable;

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
     * @param cause the underlying failure, or null if unknown
     */
    // @Nullable comes from org.jspecify, which this module requires static (annotations only, not at run
    // time): javac's exports lint would want it transitive, which every consumer's module path would then need.
    @SuppressWarnings("exports")
    public AtollRuntimeException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
