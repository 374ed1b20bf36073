-- Issue #21 (fleet): every audit record names the node that wrote it and that node's region
-- (config node.id / node.region). Both are covered by the record's hash when not empty; records
-- from before (empty) hash as they always did. Portable: H2 2.x and PostgreSQL 15.
ALTER TABLE audit_log ADD COLUMN node VARCHAR(64) DEFAULT '' NOT NULL;
ALTER TABLE audit_log ADD COLUMN region VARCHAR(32) DEFAULT '' NOT NULL;
