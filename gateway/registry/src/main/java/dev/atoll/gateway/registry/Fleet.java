package dev.atoll.gateway.registry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The gateway nodes sharing this registry database (docs/fleet.md, "Nodes"): each node writes its
 * heartbeat; any node lists them all. Obtained from {@link Registry#fleet()}.
 */
public interface Fleet {

    /**
     * Registers this node or refreshes its row.
     *
     * @param beat what the node reports now
     */
    void heartbeat(Heartbeat beat);

    /**
     * Every node that ever heartbeat on this database, by id, with its flags.
     *
     * @param staleAfter a node whose last heartbeat is older than this is {@link Node#stale()}
     * @return the nodes
     */
    List<Node> nodes(Duration staleAfter);

    /** The catalogue revision in the database now (what every node should serve). */
    long revision();

    /** How this node learns about other nodes' changes, and how that is going. */
    Propagation propagation();

    /** How changes made by other nodes reach this one. */
    enum Mode {
        /** PostgreSQL {@code LISTEN/NOTIFY}, with the poll as the fallback. */
        NOTIFY,
        /** The periodic revision poll alone. */
        POLL,
        /** One node (H2): nothing to propagate. */
        LOCAL
    }

    /**
     * The state of change propagation on this node.
     *
     * @param mode how changes arrive
     * @param listening true while the listening connection is up ({@link Mode#NOTIFY} only)
     * @param notifications notifications received since start
     * @param reconnects times the listening connection was lost and re-opened (or a try failed)
     * @param poll the fallback poll interval
     */
    record Propagation(Mode mode, boolean listening, long notifications, long reconnects, Duration poll) {
        /** Rejects nulls. */
        public Propagation {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(poll, "poll");
        }
    }

    /**
     * What a node reports in its heartbeat.
     *
     * @param id node id (unique in the fleet), 1-64 characters
     * @param region its region, 1-32 characters
     * @param version the gateway's build version, at most 64 characters
     * @param startedAt when the node started
     * @param ready whether it takes traffic
     * @param revision the catalogue revision it serves
     * @param callsPerSecond tool calls per second, recent average
     * @param coldStartsPerSecond cold starts (a call that found no warm context) per second, recent average
     */
    record Heartbeat(
            String id,
            String region,
            String version,
            Instant startedAt,
            boolean ready,
            long revision,
            double callsPerSecond,
            double coldStartsPerSecond) {
        /** Checks the values (a row of another node is read back as written). */
        public Heartbeat {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(region, "region");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(startedAt, "startedAt");
            if (id.isEmpty() || id.length() > 64 || region.isEmpty() || region.length() > 32 || version.length() > 64) {
                throw new IllegalArgumentException("heartbeat: id 1-64, region 1-32 and version up to 64 characters");
            }
            if (!(callsPerSecond >= 0) || !(coldStartsPerSecond >= 0)) {
                throw new IllegalArgumentException("heartbeat: rates must be finite and non-negative");
            }
        }
    }

    /**
     * A node as the database knows it.
     *
     * @param beat its last heartbeat
     * @param lastHeartbeat when it was written (the node's clock)
     * @param stale no heartbeat for longer than the stale bound: stopped, cut off or hung
     * @param lagging it serves an older catalogue revision than the database's
     */
    record Node(Heartbeat beat, Instant lastHeartbeat, boolean stale, boolean lagging) {
        /** Rejects nulls. */
        public Node {
            Objects.requireNonNull(beat, "beat");
            Objects.requireNonNull(lastHeartbeat, "lastHeartbeat");
        }
    }
}
