-- The system of record. Every table carries its workspace; times are UTC microseconds.

CREATE TABLE workspaces (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE api_keys (
    digest        TEXT PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id),
    prefix        TEXT NOT NULL,
    created_at_us INTEGER NOT NULL
);

-- A merged profile points at the profile it now lives in; canonical = the root.
CREATE TABLE profiles (
    id               INTEGER PRIMARY KEY,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces(id),
    stakeholder_type TEXT NOT NULL,
    created_at_us    INTEGER NOT NULL,
    merged_into      INTEGER REFERENCES profiles(id)
);
CREATE INDEX profiles_merged_into ON profiles(merged_into) WHERE merged_into IS NOT NULL;

-- Which profile first claimed an identity. Never rewritten: merges are pointers.
CREATE TABLE identities (
    workspace_id     INTEGER NOT NULL,
    stakeholder_type TEXT NOT NULL,
    kind             TEXT NOT NULL,
    value            TEXT NOT NULL,
    profile_id       INTEGER NOT NULL,
    -- The most distinctive column first: a lookup's comparisons end at the value,
    -- instead of passing the (always equal) workspace first.
    PRIMARY KEY (value, kind, stakeholder_type, workspace_id)
) WITHOUT ROWID;
-- Profile ids are unique across workspaces; queries still filter by workspace.
CREATE INDEX identities_profile ON identities(profile_id);

-- seq is the feed position, assigned by the store in commit order (see feed_state).
CREATE TABLE signals (
    seq                  INTEGER PRIMARY KEY,
    workspace_id         INTEGER NOT NULL,
    source               TEXT NOT NULL,
    external_id          TEXT NOT NULL,
    profile_id           INTEGER NOT NULL,
    received_at_us       INTEGER NOT NULL,
    kind                 TEXT NOT NULL,
    occurred_at_us       INTEGER NOT NULL,
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
    nps                  INTEGER,
    csat                 INTEGER,
    ces                  INTEGER,
    ratings              TEXT,
    text                 TEXT,
    language             TEXT,
    amount               REAL,
    currency             TEXT,
    first_response_at_us INTEGER,
    resolved_at_us       INTEGER,
    properties           TEXT,
    -- The idempotency key, most distinctive column first (see identities).
    UNIQUE (external_id, source, workspace_id)
);
CREATE INDEX signals_profile ON signals(profile_id, occurred_at_us);

CREATE TABLE merges (
    id             INTEGER PRIMARY KEY,
    workspace_id   INTEGER NOT NULL,
    survivor       INTEGER NOT NULL,
    absorbed       INTEGER NOT NULL,
    identity_kind  TEXT NOT NULL,
    identity_value TEXT NOT NULL,
    signal_seq     INTEGER NOT NULL,
    merged_at_us   INTEGER NOT NULL,
    undone_at_us   INTEGER
);
CREATE INDEX merges_survivor ON merges(workspace_id, survivor);
CREATE INDEX merges_absorbed ON merges(workspace_id, absorbed);

-- The last seq ever handed out, advanced once per batch, so a seq is never reused
-- even if the newest signals were deleted (a reader of the feed would skip them).
CREATE TABLE feed_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL
);
INSERT INTO feed_state (id, last_seq) VALUES (1, 0);
