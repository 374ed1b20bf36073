package dev.atoll.gateway.registry.internal;

import dev.atoll.gateway.registry.Fleet;
import dev.atoll.gateway.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/** The {@code fleet_node} table: one row per node, rewritten by each heartbeat. */
final class FleetStore implements Fleet {

    private final Database db;
    private final Supplier<Propagation> propagation;

    FleetStore(Database db, Supplier<Propagation> propagation) {
        this.db = db;
        this.propagation = propagation;
    }

    @Override
    public void heartbeat(Heartbeat b) {
        Objects.requireNonNull(b, "beat");
        long now = System.currentTimeMillis();
        db.update("writing the heartbeat of node " + b.id(), c -> {
            int n;
            try (PreparedStatement ps = c.prepareStatement("UPDATE fleet_node SET region = ?, version = ?,"
                    + " started_at = ?, ready = ?, revision = ?, heartbeat_at = ?, calls_per_s = ?,"
                    + " cold_starts_per_s = ? WHERE id = ?")) {
                bind(ps, b, now);
                ps.setString(9, b.id());
                n = ps.executeUpdate();
            }
            if (n == 0) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO fleet_node (region, version, started_at,"
                        + " ready, revision, heartbeat_at, calls_per_s, cold_starts_per_s, id)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    bind(ps, b, now);
                    ps.setString(9, b.id());
                    ps.executeUpdate();
                }
            }
        });
    }

    private static void bind(PreparedStatement ps, Heartbeat b, long now) throws java.sql.SQLException {
        ps.setString(1, b.region());
        ps.setString(2, b.version());
        ps.setLong(3, b.startedAt().toEpochMilli());
        ps.setBoolean(4, b.ready());
        ps.setLong(5, b.revision());
        ps.setLong(6, now);
        ps.setDouble(7, b.callsPerSecond());
        ps.setDouble(8, b.coldStartsPerSecond());
    }

    @Override
    public List<Node> nodes(Duration staleAfter) {
        Objects.requireNonNull(staleAfter, "staleAfter");
        long now = System.currentTimeMillis();
        return db.read("listing the fleet's nodes", c -> {
            long revision = JdbcRegistry.revision(c);
            List<Node> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, region, version, started_at, ready, revision,"
                            + " heartbeat_at, calls_per_s, cold_starts_per_s FROM fleet_node ORDER BY region, id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Heartbeat b = new Heartbeat(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            Instant.ofEpochMilli(rs.getLong(4)),
                            rs.getBoolean(5),
                            rs.getLong(6),
                            Math.max(0, rs.getDouble(8)),
                            Math.max(0, rs.getDouble(9)));
                    long at = rs.getLong(7);
                    out.add(new Node(
                            b, Instant.ofEpochMilli(at), now - at > staleAfter.toMillis(), b.revision() < revision));
                }
            }
            return out;
        });
    }

    @Override
    public long revision() {
        return db.read("reading the catalogue revision", JdbcRegistry::revision);
    }

    @Override
    public Propagation propagation() {
        return propagation.get();
    }
}
