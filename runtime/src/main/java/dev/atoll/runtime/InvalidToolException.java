package dev.atoll.runtime;

/** A tool file that cannot be loaded: the message says why, for the tool's author. */
public final class InvalidToolException extends AtollRuntimeException {
    private static final long serialVersionUID = 1L;

    private final String message;
    private final boolean manifestMismatch;

    /**
     * @param message what is wrong with the tool, safe to show to its author
     */
    public InvalidToolException(String message) {
        this(message, false);
    }

    private InvalidToolException(String message, boolean manifestMismatch) {
        super(message);
        this.message = message;
        this.manifestMismatch = manifestMismatch;
    }

    /**
     * A module whose evaluation exported a manifest other than the one it declares as a literal, or
     * other than the one the operator approved: a tool that changes what it asks for between loads.
     *
     * @param message what differs
     * @return the exception
     */
    public static InvalidToolException manifestMismatch(String message) {
        return new InvalidToolException(message, true);
    }

    /**
     * Whether the tool was refused because the manifest its module exported differed from its
     * declared literal or from the approved one (a host should suspend such a version and audit it).
     *
     * @return whether this is a manifest mismatch
     */
    public boolean isManifestMismatch() {
        return manifestMismatch;
    }

    /** The outcome this failure maps to. */
    public Outcome.InvalidTool toOutcome() {
        return new Outcome.InvalidTool(message);
    }
}
