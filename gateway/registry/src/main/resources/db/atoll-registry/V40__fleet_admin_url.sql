-- Issue #23 (operator surface): where each node's admin API answers, so that a fleet-wide live tail
-- can reach every node. A table of its own (not a column of fleet_node): each node writes its row
-- at start and then every heartbeat interval. Portable SQL (H2 2.x and PostgreSQL), as V1.
CREATE TABLE fleet_node_admin (
    id         VARCHAR(64)  NOT NULL PRIMARY KEY,
    admin_url  VARCHAR(400) NOT NULL,
    updated_at BIGINT       NOT NULL
);
