package dev.atoll.gateway.upstream.internal;

import java.time.Duration;

/**
 * Hooks for metrics and logs of the upstream supervisor (the gateway binds them to Micrometer and
 * its server log); every method defaults to doing nothing. Called on supervisor and caller threads:
 * implementations must be fast, thread-safe and must not throw.
 */
public interface UpstreamObserver {

    /** An observer that ignores everything. */
    UpstreamObserver NO_OP = new UpstreamObserver() {};

    /**
     * An upstream moved from one lifecycle state to another.
     *
     * @param upstream the upstream name
     * @param from the state it left
     * @param to the state it entered ({@code restarting} once per restart)
     * @param reason why, for the log (empty when there is nothing to add)
     */
    default void stateChanged(String upstream, UpstreamManager.State from, UpstreamManager.State to, String reason) {}

    /**
     * The server listed its tools and the registry recorded them: tools that changed their
     * definition after approval (pulled: a rug pull), tools reported for the first time
     * (quarantined), tools no longer reported. Called after every listing, changed or not.
     *
     * @param upstream the upstream name
     * @param observation what the registry made of the listing
     */
    default void toolsObserved(String upstream, dev.atoll.gateway.registry.Upstreams.Observation observation) {}

    /**
     * A call was sent to a running upstream (it is in flight until {@link #callEnded}).
     *
     * @param upstream the upstream name
     */
    default void callStarted(String upstream) {}

    /**
     * A call that {@link #callStarted} ended, in any way.
     *
     * @param upstream the upstream name
     * @param outcome the reply's outcome id ({@code ok}, {@code tool_error}, {@code upstream_timeout}, ...)
     * @param elapsed wall time of the round trip to the server
     */
    default void callEnded(String upstream, String outcome, Duration elapsed) {}
}
