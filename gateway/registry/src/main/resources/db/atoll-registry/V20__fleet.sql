-- Atoll registry schema: the regional fleet (issue #21, docs/fleet.md). Portable SQL (H2 2.x and
-- PostgreSQL), as V1. Times are epoch milliseconds.

-- Placement: the regions a tool serves in, comma-separated and sorted; empty means every region.
ALTER TABLE tool ADD COLUMN regions VARCHAR(400) DEFAULT '' NOT NULL;

-- One row per gateway node that ever started on this database, written by its heartbeat.
CREATE TABLE fleet_node (
    id                VARCHAR(64)      NOT NULL PRIMARY KEY,
    region            VARCHAR(32)      NOT NULL,
    version           VARCHAR(64)      NOT NULL,
    started_at        BIGINT           NOT NULL,
    ready             BOOLEAN          NOT NULL,
    revision          BIGINT           NOT NULL,
    heartbeat_at      BIGINT           NOT NULL,
    calls_per_s       DOUBLE PRECISION NOT NULL,
    cold_starts_per_s DOUBLE PRECISION NOT NULL
);
