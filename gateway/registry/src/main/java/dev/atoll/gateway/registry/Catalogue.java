package dev.atoll.gateway.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The serving catalogue: every approved, enabled tool at its serving version, sorted by name.
 * {@link #revision()} increases with every change to the catalogue (approve, rollback, disable,
 * enable, delete), so the MCP layer sends {@code notifications/tools/list_changed} when it moves.
 * Immutable; lookups by name are constant time.
 */
public final class Catalogue {

    private final long revision;
    private final List<ServingTool> tools;
    private final Map<String, ServingTool> byName;

    /**
     * Creates a catalogue.
     *
     * @param revision the catalogue revision (0 for a never-changed registry)
     * @param tools the serving tools, sorted by name
     */
    public Catalogue(long revision, List<ServingTool> tools) {
        this.revision = revision;
        this.tools = List.copyOf(tools);
        Map<String, ServingTool> m = new LinkedHashMap<>();
        this.tools.forEach(t -> m.put(t.name(), t));
        this.byName = Map.copyOf(m);
    }

    /** The catalogue revision. */
    public long revision() {
        return revision;
    }

    /** The serving tools, sorted by name. */
    public List<ServingTool> tools() {
        return tools;
    }

    /**
     * The serving tool with this name.
     *
     * @param name a tool name
     * @return the tool; empty when it is unknown, quarantined, rejected or disabled
     */
    public Optional<ServingTool> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    @Override
    public String toString() {
        return "Catalogue[revision=" + revision + ", tools=" + byName.keySet() + "]";
    }
}
