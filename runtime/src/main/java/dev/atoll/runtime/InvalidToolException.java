package dev.atoll.runtime;

/** A tool file that does not load: syntax error, missing or bad manifest, missing default export. */
public final class InvalidToolException extends AtollRuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong with the tool, safe to show to its author
     */
    public InvalidToolException(String message) {
        super(message);
    }

    /** The outcome this failure maps to. */
    public Outcome.InvalidTool toOutcome() {
        return new Outcome.InvalidTool(getMessage());
    }
}
