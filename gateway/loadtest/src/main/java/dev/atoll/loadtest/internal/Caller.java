package dev.atoll.loadtest.internal;

/** Makes one call of the tool under test; thread-safe; never throws for what the target does. */
public interface Caller extends AutoCloseable {

    /**
     * Makes one call.
     *
     * @param argumentSet index of the argument set to send (0 .. sets-1)
     * @return how it ended
     */
    Result call(int argumentSet);

    /** Releases connections, sessions or the runtime. */
    @Override
    void close();

    /**
     * How one call ended.
     *
     * @param outcome {@code ok} or the kind of failure ({@code tool_error}, {@code http_503},
     *     {@code rpc_error_-32000}, {@code io_error}, {@code timeout}, or a runtime outcome)
     * @param phases cold-start phases in nanoseconds (in-process mode), or {@link Phases#NONE}
     */
    record Result(String outcome, Phases phases) {
        /** Whether the call succeeded. */
        public boolean ok() {
            return "ok".equals(outcome);
        }
    }

    /**
     * The phases of one cold start, in nanoseconds.
     *
     * @param prepare context creation and module evaluation
     * @param call the call itself (the receipt's wall time)
     * @param close closing the context and handing back the result (the rest of the call's time)
     */
    record Phases(long prepare, long call, long close) {
        /** No phases measured. */
        public static final Phases NONE = new Phases(-1, -1, -1);

        /** Whether phases were measured. */
        public boolean measured() {
            return prepare >= 0;
        }
    }
}
