package dev.atoll.gateway.internal.tail;

import dev.atoll.gateway.registry.Upstreams;
import dev.atoll.gateway.upstream.internal.UpstreamManager;
import dev.atoll.gateway.upstream.internal.UpstreamObserver;
import java.time.Instant;
import java.util.Objects;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;

/**
 * Puts upstream changes on the live tail as admin events the moment the supervisor reports them (an
 * {@link UpstreamObserver}, no polling): a server's state ({@code upstream.state}, e.g.
 * {@code running -> failed (restarts 2): exit 1}), and what a listing of its tools changed
 * ({@code upstream.tool.pulled} when an approved tool's definition changed: a rug pull;
 * {@code upstream.tool.new} when a server reports a tool for the first time). Text from the server
 * (its exit or health-check failure) is made safe first (DLP redaction, length cap). Thread-safe.
 */
public final class UpstreamEvents implements UpstreamObserver {

    private final TailBus bus;
    private final String node;
    private final ToIntFunction<String> restarts;
    private final UnaryOperator<String> safeText;

    /**
     * Creates the observer.
     *
     * @param bus where events go
     * @param node this node's id
     * @param restarts an upstream's restarts so far
     * @param safeText makes text from a server fit to show (DLP redaction, length cap)
     */
    public UpstreamEvents(TailBus bus, String node, ToIntFunction<String> restarts, UnaryOperator<String> safeText) {
        this.bus = Objects.requireNonNull(bus, "bus");
        this.node = Objects.requireNonNull(node, "node");
        this.restarts = Objects.requireNonNull(restarts, "restarts");
        this.safeText = Objects.requireNonNull(safeText, "safeText");
    }

    @Override
    public void stateChanged(String upstream, UpstreamManager.State from, UpstreamManager.State to, String reason) {
        String why = reason.isEmpty() ? "" : ": " + safeText.apply(reason);
        publish(
                "upstream.state",
                upstream,
                from.id() + " -> " + to.id() + " (restarts " + restarts.applyAsInt(upstream) + ")" + why);
    }

    @Override
    public void toolsObserved(String upstream, Upstreams.Observation observation) {
        for (String tool : observation.pulled()) {
            publish(
                    "upstream.tool.pulled",
                    upstream,
                    "tool " + tool
                            + " changed its definition after approval (rug pull): out of service until approved again");
        }
        for (String tool : observation.added()) {
            publish("upstream.tool.new", upstream, "tool " + tool + " reported for the first time: quarantined");
        }
    }

    private void publish(String action, String target, String detail) {
        try {
            bus.publish(new TailEvent.Admin(Instant.now(), node, action, target, "system", detail));
        } catch (RuntimeException e) {
            // the tail is an observer: it never fails the supervisor
        }
    }
}
