package dev.atoll.gateway.registry.internal;

import dev.atoll.gateway.registry.AdminEndpoints;
import dev.atoll.gateway.registry.RegistryException;
import dev.atoll.gateway.store.Database;
import java.net.URI;
import java.net.URISyntaxException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** The {@code fleet_node_admin} table: one row per node, its admin URL. */
final class AdminEndpointStore implements AdminEndpoints {

    private final Database db;

    AdminEndpointStore(Database db) {
        this.db = db;
    }

    @Override
    public void advertise(String node, URI adminUrl) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(adminUrl, "adminUrl");
        if (node.isEmpty() || node.length() > 64) {
            throw new RegistryException(RegistryException.Reason.INVALID_ARGUMENT, "a node id has 1-64 characters");
        }
        AdminEndpoints.problem(adminUrl).ifPresent(p -> {
            throw new RegistryException(RegistryException.Reason.INVALID_ARGUMENT, p);
        });
        long now = System.currentTimeMillis();
        db.update("advertising the admin URL of node " + node, c -> {
            int n;
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE fleet_node_admin SET admin_url = ?, updated_at = ? WHERE id = ?")) {
                ps.setString(1, adminUrl.toString());
                ps.setLong(2, now);
                ps.setString(3, node);
                n = ps.executeUpdate();
            }
            if (n == 0) {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO fleet_node_admin (admin_url, updated_at, id) VALUES (?, ?, ?)")) {
                    ps.setString(1, adminUrl.toString());
                    ps.setLong(2, now);
                    ps.setString(3, node);
                    ps.executeUpdate();
                }
            }
        });
    }

    @Override
    public Map<String, URI> all() {
        return db.read("listing the fleet's admin URLs", c -> {
            Map<String, URI> out = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, admin_url FROM fleet_node_admin");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    try {
                        URI u = new URI(rs.getString(2));
                        if (AdminEndpoints.problem(u).isEmpty()) {
                            out.put(rs.getString(1), u);
                        }
                    } catch (URISyntaxException e) {
                        // a row no node could have written: left out
                    }
                }
            }
            return Map.copyOf(out);
        });
    }
}
