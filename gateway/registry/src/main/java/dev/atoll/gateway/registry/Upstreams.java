package dev.atoll.gateway.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * Upstream MCP servers in the registry and the pins of their tools (docs/upstreams.md). A new
 * upstream is quarantined: the gateway may start it to list its tools for review, but none is
 * visible to agents. {@link #approve} pins every tool the server currently reports (SHA-256 of the
 * canonical JSON of its definition) and puts them in service. {@link #observe} records what the
 * server reports after each start, restart, recycle or {@code list_changed}: a definition that
 * differs from its pin pulls that tool from service (a rug pull) and a new tool arrives quarantined.
 * Every change writes its audit record in the same transaction.
 */
public interface Upstreams {

    /**
     * Registers an upstream, quarantined.
     *
     * @param spec how to start it
     * @param actor who adds it
     * @return the upstream
     * @throws RegistryException {@code CONFLICT} if the name is taken
     */
    UpstreamInfo add(UpstreamSpec spec, Actor actor);

    /** Every upstream, by name. */
    List<UpstreamInfo> list();

    /**
     * One upstream.
     *
     * @param name its name
     * @return the upstream, empty if unknown
     */
    Optional<UpstreamInfo> get(String name);

    /**
     * Pins every tool the server currently reports and puts it in service.
     *
     * @param name the upstream
     * @param actor who approves
     * @return the upstream after approval
     * @throws RegistryException {@code NOT_FOUND}; {@code INVALID_STATE} if its tools were never listed
     *     (the server has not started yet)
     */
    UpstreamInfo approve(String name, Actor actor);

    /**
     * Removes an upstream and its pins (its audit records stay).
     *
     * @param name the upstream
     * @param actor who removes it
     * @throws RegistryException {@code NOT_FOUND}
     */
    void remove(String name, Actor actor);

    /**
     * Records the tools the server reports now (as the system).
     *
     * @param name the upstream
     * @param tools the tool definitions from {@code tools/list}
     * @return what changed: tools pulled from service, new tools, tools gone
     * @throws RegistryException {@code NOT_FOUND} if the upstream was removed meanwhile
     */
    Observation observe(String name, List<ObjectNode> tools);

    /**
     * What one {@link #observe} changed.
     *
     * @param pulled tools whose definition moved away from their pin (now out of service)
     * @param added tools reported for the first time (quarantined)
     * @param gone tools no longer reported
     */
    record Observation(List<String> pulled, List<String> added, List<String> gone) {

        /** Copies the lists. */
        public Observation {
            pulled = List.copyOf(pulled);
            added = List.copyOf(added);
            gone = List.copyOf(gone);
        }

        /** True when anything changed. */
        public boolean changed() {
            return !pulled.isEmpty() || !added.isEmpty() || !gone.isEmpty();
        }
    }
}
