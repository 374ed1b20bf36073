package dev.atoll.gateway.internal.metrics;

import dev.atoll.gateway.upstream.internal.UpstreamManager;
import dev.atoll.gateway.upstream.internal.UpstreamObserver;
import java.time.Duration;
import java.util.List;

/** Tells several upstream observers (the meters and the server log) of every event, in order. */
public final class UpstreamObservers implements UpstreamObserver {

    private final List<UpstreamObserver> all;

    /**
     * @param all the observers, called in this order
     */
    public UpstreamObservers(UpstreamObserver... all) {
        this.all = List.of(all);
    }

    @Override
    public void stateChanged(String upstream, UpstreamManager.State from, UpstreamManager.State to, String reason) {
        all.forEach(o -> o.stateChanged(upstream, from, to, reason));
    }

    @Override
    public void toolsObserved(String upstream, dev.atoll.gateway.registry.Upstreams.Observation observation) {
        all.forEach(o -> o.toolsObserved(upstream, observation));
    }

    @Override
    public void callStarted(String upstream) {
        all.forEach(o -> o.callStarted(upstream));
    }

    @Override
    public void callEnded(String upstream, String outcome, Duration elapsed) {
        all.forEach(o -> o.callEnded(upstream, outcome, elapsed));
    }
}
