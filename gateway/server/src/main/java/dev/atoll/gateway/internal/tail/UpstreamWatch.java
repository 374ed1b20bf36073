package dev.atoll.gateway.internal.tail;

import dev.atoll.gateway.registry.UpstreamInfo;
import dev.atoll.gateway.registry.UpstreamTool;
import dev.atoll.gateway.registry.UpstreamToolState;
import dev.atoll.gateway.upstream.internal.UpstreamManager;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Turns upstream changes into admin events on the live tail by comparing snapshots: a server's state
 * ({@code upstream.state}, e.g. running to failed, with its restarts and last error), and its tools'
 * review states ({@code upstream.tool.pulled} when an approved tool's definition changed: a rug pull;
 * {@code upstream.tool.new} when a server reports a tool it had not). Run by the gateway on a
 * schedule; not thread-safe (one scheduler thread).
 */
public final class UpstreamWatch implements Runnable {

    private final TailBus bus;
    private final String node;
    private final UpstreamManager manager;
    private final Supplier<List<UpstreamInfo>> upstreams;
    private Map<String, String> states = Map.of();
    private Map<String, UpstreamToolState> tools = Map.of();
    private boolean first = true;

    /**
     * Creates the watch.
     *
     * @param bus where events go
     * @param node this node's id
     * @param manager the upstream supervisor (states)
     * @param upstreams the registered upstreams and their tools
     */
    public UpstreamWatch(TailBus bus, String node, UpstreamManager manager, Supplier<List<UpstreamInfo>> upstreams) {
        this.bus = Objects.requireNonNull(bus, "bus");
        this.node = Objects.requireNonNull(node, "node");
        this.manager = Objects.requireNonNull(manager, "manager");
        this.upstreams = Objects.requireNonNull(upstreams, "upstreams");
    }

    @Override
    public void run() {
        try {
            Map<String, String> nowStates = new HashMap<>();
            Map<String, UpstreamToolState> nowTools = new HashMap<>();
            Map<String, UpstreamManager.Status> status = new HashMap<>();
            for (UpstreamInfo u : upstreams.get()) {
                UpstreamManager.Status s = manager.status(u.name());
                status.put(u.name(), s);
                nowStates.put(u.name(), s.state().id());
                for (UpstreamTool t : u.tools()) {
                    nowTools.put(u.name() + "/" + t.name(), t.state());
                }
            }
            if (!first) {
                nowStates.forEach((name, state) -> {
                    String before = states.getOrDefault(name, "new");
                    if (!before.equals(state)) {
                        UpstreamManager.Status s = status.get(name);
                        String err = s.lastError().isEmpty() ? "" : ": " + s.lastError();
                        publish("upstream.state", name, before + " -> " + state + " (restarts " + s.restarts() + ")"
                                + (err.length() > 300 ? err.substring(0, 300) : err));
                    }
                });
                nowTools.forEach((key, state) -> {
                    UpstreamToolState before = tools.get(key);
                    if (state == UpstreamToolState.PULLED && before != UpstreamToolState.PULLED) {
                        publish("upstream.tool.pulled", key.substring(0, key.indexOf('/')), "tool "
                                + key.substring(key.indexOf('/') + 1)
                                + " changed its definition after approval (rug pull): out of service until approved"
                                + " again");
                    } else if (before == null && state == UpstreamToolState.QUARANTINED && states.containsKey(
                            key.substring(0, key.indexOf('/')))) {
                        publish("upstream.tool.new", key.substring(0, key.indexOf('/')), "tool "
                                + key.substring(key.indexOf('/') + 1) + " reported for the first time: quarantined");
                    }
                });
            }
            states = nowStates;
            tools = nowTools;
            first = false;
        } catch (RuntimeException e) {
            // the registry is unavailable now: try again at the next round
        }
    }

    private void publish(String action, String target, String detail) {
        bus.publish(new TailEvent.Admin(Instant.now(), node, action, target, "system", detail));
    }
}
