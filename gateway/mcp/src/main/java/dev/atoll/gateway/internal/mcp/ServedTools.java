package dev.atoll.gateway.internal.mcp;

import dev.atoll.gateway.backend.CatalogEntry;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;

/**
 * The tools agents can see and call right now: approved, enabled versions only (a quarantined version
 * is never here, so it is indistinguishable from an unknown tool). Reads take an immutable snapshot;
 * every change bumps the revision and tells the listeners (for {@code list_changed}).
 *
 * <p>Not the registry's {@link dev.atoll.gateway.registry.Catalogue} (the fleet's approved versions,
 * shared by every node): this is what this node serves from it, loaded and placed in its region,
 * together with the upstream servers' tools. {@code internal.wiring.CatalogueSync} builds one from the
 * other.
 */
public final class ServedTools {

    private volatile Snapshot snapshot = new Snapshot(0, List.of());
    private final List<LongConsumer> listeners = new CopyOnWriteArrayList<>();

    /** An immutable view, sorted by name. */
    public record Snapshot(long revision, List<CatalogEntry> entries) {

        /**
         * Finds a tool by exact name.
         *
         * @param name the name
         * @return the entry
         */
        public Optional<CatalogEntry> find(String name) {
            int lo = 0;
            int hi = entries.size() - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = entries.get(mid).name().compareTo(name);
                if (c == 0) {
                    return Optional.of(entries.get(mid));
                }
                if (c < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return Optional.empty();
        }
    }

    /** The current snapshot. */
    public Snapshot snapshot() {
        return snapshot;
    }

    /**
     * Replaces the whole catalogue (names must be unique).
     *
     * @param entries the serving versions
     */
    public synchronized void replace(Collection<CatalogEntry> entries) {
        TreeMap<String, CatalogEntry> sorted = new TreeMap<>();
        for (CatalogEntry e : entries) {
            if (sorted.put(e.name(), e) != null) {
                throw new IllegalArgumentException("two catalogue entries named '" + e.name() + "'");
            }
        }
        List<CatalogEntry> next = List.copyOf(sorted.values());
        if (next.equals(snapshot.entries())) {
            return;
        }
        snapshot = new Snapshot(snapshot.revision() + 1, next);
        long revision = snapshot.revision();
        for (LongConsumer l : listeners) {
            l.accept(revision);
        }
    }

    /**
     * Registers a listener called with the new revision after each change (on the changing thread).
     *
     * @param listener the listener
     */
    public void onChange(LongConsumer listener) {
        listeners.add(listener);
    }
}
