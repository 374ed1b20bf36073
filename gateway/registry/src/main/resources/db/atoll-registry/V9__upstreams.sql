-- Atoll registry schema: upstream MCP servers (issue #9) and their tools' pins.
-- Portable SQL (H2 2.x and PostgreSQL), as V1. Times are epoch milliseconds.

-- One row per registered upstream; spec is the JSON of what 'atoll upstream add' gave.
CREATE TABLE upstream (
    name        VARCHAR(32)   NOT NULL PRIMARY KEY,
    kind        VARCHAR(16)   NOT NULL,
    spec        VARCHAR       NOT NULL,
    approved    BOOLEAN       NOT NULL,
    created_at  BIGINT        NOT NULL,
    created_by  VARCHAR(200)  NOT NULL,
    approved_at BIGINT,
    approved_by VARCHAR(200)
);

-- One row per tool an upstream ever reported. current_* is what the server reports now; pinned_*
-- what an operator approved. A tool serves only when APPROVED and present (then current = pinned);
-- a definition that moves away from its pin turns the row PULLED until approved again.
CREATE TABLE upstream_tool (
    upstream       VARCHAR(32)   NOT NULL,
    tool           VARCHAR(128)  NOT NULL,
    state          VARCHAR(16)   NOT NULL,
    present        BOOLEAN       NOT NULL,
    current_digest CHAR(64)      NOT NULL,
    current_def    VARCHAR       NOT NULL,
    pinned_digest  CHAR(64),
    pinned_def     VARCHAR,
    pin_version    INTEGER       NOT NULL,
    updated_at     BIGINT        NOT NULL,
    CONSTRAINT pk_upstream_tool PRIMARY KEY (upstream, tool),
    CONSTRAINT fk_upstream_tool_upstream FOREIGN KEY (upstream) REFERENCES upstream (name) ON DELETE CASCADE,
    CONSTRAINT ck_upstream_tool_state CHECK (state IN ('QUARANTINED', 'APPROVED', 'PULLED'))
);
