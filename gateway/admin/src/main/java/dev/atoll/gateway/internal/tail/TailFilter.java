package dev.atoll.gateway.internal.tail;

import java.util.Objects;
import java.util.Optional;

/**
 * Which events a subscriber gets; every condition given must hold. A call matches on its tool,
 * tenant, outcome and node; an admin event matches on its target (as the tool) and node, and never
 * when a tenant or outcome is asked for (it has neither).
 *
 * @param tool only this tool (or upstream, for admin events)
 * @param tenant only calls of this tenant
 * @param outcome only calls with this outcome id
 * @param node only events of this node
 */
public record TailFilter(
        Optional<String> tool, Optional<String> tenant, Optional<String> outcome, Optional<String> node) {

    /** Everything. */
    public static final TailFilter ALL =
            new TailFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    /** Most characters of one filter value. */
    public static final int MAX_VALUE = 256;

    /** Rejects nulls and over-long or empty values. */
    public TailFilter {
        tool = check("tool", tool);
        tenant = check("tenant", tenant);
        outcome = check("outcome", outcome);
        node = check("node", node);
    }

    private static Optional<String> check(String what, Optional<String> value) {
        Objects.requireNonNull(value, what);
        value.ifPresent(v -> {
            if (v.isEmpty() || v.length() > MAX_VALUE) {
                throw new IllegalArgumentException(what + " must be 1-" + MAX_VALUE + " characters");
            }
        });
        return value;
    }

    /**
     * Whether the event passes.
     *
     * @param e the event
     * @return true when every condition holds
     */
    public boolean matches(TailEvent e) {
        if (node.isPresent() && !node.get().equals(e.node())) {
            return false;
        }
        if (tool.isPresent() && !tool.get().equals(e.subject())) {
            return false;
        }
        return switch (e) {
            case TailEvent.Call c ->
                tenant.map(c.tenant()::equals).orElse(true)
                        && outcome.map(c.outcome()::equals).orElse(true);
            case TailEvent.Admin a -> tenant.isEmpty() && outcome.isEmpty();
        };
    }
}
