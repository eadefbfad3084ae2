-- signal_keys and profile_signals lead with a seq bucket, seq >> 19 (524 288 signals
-- per bucket; buckets.rs holds the same number). Both tables take a batch's rows at
-- random places (a key hash, a profile id), so each commit rewrote nearly every page
-- of both, and they grow with the store: a 2.5 M-signal import wrote 6.5 GB for a
-- 0.6 GB file. With the bucket first, a batch's rows land only in the newest bucket's
-- part of each B-tree, whose size is bounded. A lookup by key or profile now searches
-- once per bucket (one per half-million signals), through an IN list of buckets.
-- A key hash is still claimed once across all buckets: the writer looks before it
-- inserts (keys.rs), as it already did; the primary key can only say so per bucket.
CREATE TABLE signal_keys_v5 (
    bucket INTEGER NOT NULL,
    key    INTEGER NOT NULL,
    seq    INTEGER NOT NULL,
    PRIMARY KEY (bucket, key)
) WITHOUT ROWID;
INSERT INTO signal_keys_v5 SELECT seq >> 19, key, seq FROM signal_keys ORDER BY 1, 2;
DROP TABLE signal_keys;
ALTER TABLE signal_keys_v5 RENAME TO signal_keys;

CREATE TABLE profile_signals_v5 (
    bucket     INTEGER NOT NULL,
    profile_id INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (bucket, profile_id, seq)
) WITHOUT ROWID;
INSERT INTO profile_signals_v5 SELECT seq >> 19, profile_id, seq FROM profile_signals
    ORDER BY 1, 2, 3;
DROP TABLE profile_signals;
ALTER TABLE profile_signals_v5 RENAME TO profile_signals;
