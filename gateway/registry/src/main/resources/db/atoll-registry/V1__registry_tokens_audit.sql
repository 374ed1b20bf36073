-- Atoll registry schema, version 1: tools and their immutable versions, the serving catalogue's
-- revision, API tokens and the hash-chained audit log.
--
-- Portable SQL only: the same file runs on H2 2.x (embedded default) and PostgreSQL (fleet).
-- Times are epoch milliseconds (BIGINT) so no time-zone semantics differ between databases;
-- JSON is stored as text (VARCHAR without length: unbounded on both); code as BYTEA.

CREATE TABLE tool (
    name            VARCHAR(64)   NOT NULL PRIMARY KEY,
    source          VARCHAR(200)  NOT NULL,
    enabled         BOOLEAN       NOT NULL,
    serving_version INTEGER,
    created_at      BIGINT        NOT NULL,
    updated_at      BIGINT        NOT NULL
);

CREATE TABLE tool_version (
    name        VARCHAR(64)   NOT NULL,
    version     INTEGER       NOT NULL,
    digest      CHAR(64)      NOT NULL,
    state       VARCHAR(16)   NOT NULL,
    language    VARCHAR(16)   NOT NULL,
    file_name   VARCHAR(255)  NOT NULL,
    code        BYTEA         NOT NULL,
    code_digest CHAR(64)      NOT NULL,
    manifest    VARCHAR       NOT NULL,
    created_at  BIGINT        NOT NULL,
    created_by  VARCHAR(200)  NOT NULL,
    decided_at  BIGINT,
    decided_by  VARCHAR(200),
    CONSTRAINT pk_tool_version PRIMARY KEY (name, version),
    CONSTRAINT fk_tool_version_tool FOREIGN KEY (name) REFERENCES tool (name) ON DELETE CASCADE,
    CONSTRAINT uq_tool_version_digest UNIQUE (name, digest),
    CONSTRAINT ck_tool_version_state CHECK (state IN ('QUARANTINED', 'APPROVED', 'REJECTED'))
);

-- One row (id = 1): bumped in the transaction of every change to the serving catalogue.
CREATE TABLE catalogue_state (
    id       INTEGER NOT NULL PRIMARY KEY,
    revision BIGINT  NOT NULL
);
INSERT INTO catalogue_state (id, revision) VALUES (1, 0);

CREATE TABLE api_token (
    id          VARCHAR(32)   NOT NULL PRIMARY KEY,
    kind        VARCHAR(8)    NOT NULL,
    tenant      VARCHAR(128)  NOT NULL,
    scopes      VARCHAR       NOT NULL,
    token_hash  CHAR(64)      NOT NULL,
    label       VARCHAR(200)  NOT NULL,
    created_at  BIGINT        NOT NULL,
    created_by  VARCHAR(200)  NOT NULL,
    revoked_at  BIGINT,
    revoked_by  VARCHAR(200),
    CONSTRAINT uq_api_token_hash UNIQUE (token_hash),
    CONSTRAINT ck_api_token_kind CHECK (kind IN ('MCP', 'ADMIN'))
);

-- Append-only, hash-chained. hash = SHA-256 over the canonical encoding of every other column
-- (docs/registry.md, "Audit chain"); prev_hash is the hash of record seq - 1 (64 zeros for seq 1).
CREATE TABLE audit_log (
    seq       BIGINT        NOT NULL PRIMARY KEY,
    at_ms     BIGINT        NOT NULL,
    actor     VARCHAR(200)  NOT NULL,
    tenant    VARCHAR(128)  NOT NULL,
    action    VARCHAR(32)   NOT NULL,
    tool      VARCHAR(200)  NOT NULL,
    version   INTEGER,
    digest    VARCHAR(64)   NOT NULL,
    outcome   VARCHAR(32)   NOT NULL,
    detail    VARCHAR       NOT NULL,
    prev_hash CHAR(64)      NOT NULL,
    hash      CHAR(64)      NOT NULL
);
CREATE INDEX ix_audit_log_tool ON audit_log (tool, at_ms);
CREATE INDEX ix_audit_log_tenant ON audit_log (tenant, at_ms);
CREATE INDEX ix_audit_log_at ON audit_log (at_ms);

-- One row (id = 1): the chain head. Every append locks it (SELECT ... FOR UPDATE), so appends from
-- any number of threads or nodes are serialised into one chain.
CREATE TABLE audit_head (
    id   INTEGER  NOT NULL PRIMARY KEY,
    seq  BIGINT   NOT NULL,
    hash CHAR(64) NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
