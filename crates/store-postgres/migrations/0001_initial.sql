-- The system of record. Every table carries its workspace; times are UTC microseconds.
-- Same semantics as the SQLite schema; see crates/store-sqlite/migrations.

CREATE TABLE workspaces (
    id   BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE api_keys (
    digest        TEXT PRIMARY KEY,
    workspace_id  BIGINT NOT NULL REFERENCES workspaces(id),
    prefix        TEXT NOT NULL,
    created_at_us BIGINT NOT NULL
);

-- Ids are handed out by the store under the ingest lock (oldest = smallest id).
-- A merged profile points at the profile it now lives in; canonical = the root.
CREATE TABLE profiles (
    id               BIGINT PRIMARY KEY,
    workspace_id     BIGINT NOT NULL REFERENCES workspaces(id),
    stakeholder_type TEXT NOT NULL,
    created_at_us    BIGINT NOT NULL,
    merged_into      BIGINT
);
CREATE INDEX profiles_merged_into ON profiles(merged_into) WHERE merged_into IS NOT NULL;

-- Which profile first claimed an identity. Never rewritten: merges are pointers.
CREATE TABLE identities (
    workspace_id     BIGINT NOT NULL,
    stakeholder_type TEXT NOT NULL,
    kind             TEXT NOT NULL,
    value            TEXT NOT NULL,
    profile_id       BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, stakeholder_type, kind, value)
);
CREATE INDEX identities_profile ON identities(profile_id);

-- seq is the feed position, assigned by the store in commit order (see feed_state).
CREATE TABLE signals (
    seq                  BIGINT PRIMARY KEY,
    workspace_id         BIGINT NOT NULL,
    source               TEXT NOT NULL,
    external_id          TEXT NOT NULL,
    profile_id           BIGINT NOT NULL,
    received_at_us       BIGINT NOT NULL,
    kind                 TEXT NOT NULL,
    occurred_at_us       BIGINT NOT NULL,
    occurred_offset_s    INTEGER NOT NULL,
    stakeholder_type     TEXT NOT NULL,
    email                TEXT,
    phone                TEXT,
    handle               TEXT,
    account_id           TEXT,
    channel              TEXT,
    touchpoint           TEXT,
    stage                TEXT,
    brand                TEXT,
    store                TEXT,
    team                 TEXT,
    region               TEXT,
    action               TEXT,
    reason               TEXT,
    nps                  SMALLINT,
    csat                 SMALLINT,
    ces                  SMALLINT,
    ratings              JSONB,
    text                 TEXT,
    language             TEXT,
    amount               DOUBLE PRECISION,
    currency             TEXT,
    first_response_at_us BIGINT,
    resolved_at_us       BIGINT,
    properties           JSONB,
    UNIQUE (workspace_id, source, external_id)
);
CREATE INDEX signals_profile ON signals(profile_id, occurred_at_us);

CREATE TABLE merges (
    id             BIGSERIAL PRIMARY KEY,
    workspace_id   BIGINT NOT NULL,
    survivor       BIGINT NOT NULL,
    absorbed       BIGINT NOT NULL,
    identity_kind  TEXT NOT NULL,
    identity_value TEXT NOT NULL,
    signal_seq     BIGINT NOT NULL,
    merged_at_us   BIGINT NOT NULL,
    undone_at_us   BIGINT
);
CREATE INDEX merges_survivor ON merges(workspace_id, survivor);
CREATE INDEX merges_absorbed ON merges(workspace_id, absorbed);

-- The last seq ever handed out, so a seq is never reused even if the newest
-- signals were deleted (a reader of the feed would skip them).
CREATE TABLE feed_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq BIGINT NOT NULL
);
INSERT INTO feed_state (id, last_seq) VALUES (1, 0);
