package dev.atoll.gateway.internal.lifecycle;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Whether a node should get traffic ({@code GET /readyz}): it is {@link State#STARTING} until every
 * check has passed once (catalogue loaded, pools filled, JIT warm-up over), then {@link State#READY}
 * for good (a pool emptied by load later does not take it out), and {@link State#DRAINING} from
 * {@link #drain()} on, so a load balancer stops sending new calls before the listener closes.
 * Thread-safe.
 */
public final class Readiness {

    /** The node's state, as {@code /readyz} reports it. */
    public enum State {
        /** Not every check has passed yet: 503. */
        STARTING,
        /** Serving: 200. */
        READY,
        /** Stopping: 503 (calls are still taken until the listener closes). */
        DRAINING
    }

    /**
     * One check and whether it passes now.
     *
     * @param name its name in the JSON body
     * @param passes whether it passes now (called until the node is ready, then no more)
     */
    public record Check(String name, BooleanSupplier passes) {
        /** Rejects nulls. */
        public Check {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(passes, "passes");
        }
    }

    private final Check[] checks;
    private volatile boolean ready;
    private volatile boolean draining;
    private volatile boolean started;

    /**
     * Readiness over these checks, each of which must pass once.
     *
     * @param checks the checks
     */
    public Readiness(Check... checks) {
        this.checks = checks.clone();
    }

    /** Marks the listeners as started: no check counts before that. */
    public void started() {
        started = true;
    }

    /** Not ready from now on, for good (the node is stopping). */
    public void drain() {
        draining = true;
    }

    /**
     * The state now; while starting, runs the checks and latches {@link State#READY} once all pass.
     *
     * @return the state
     */
    public State state() {
        if (draining) {
            return State.DRAINING;
        }
        if (ready) {
            return State.READY;
        }
        if (!started) {
            return State.STARTING;
        }
        for (Check c : checks) {
            if (!c.passes().getAsBoolean()) {
                return State.STARTING;
            }
        }
        ready = true;
        return draining ? State.DRAINING : State.READY;
    }

    /**
     * Each check's result now (all true once ready), for the JSON body.
     *
     * @return check name to whether it passes
     */
    public Map<String, Boolean> checks() {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (Check c : checks) {
            out.put(c.name(), ready || (started && c.passes().getAsBoolean()));
        }
        return out;
    }
}
