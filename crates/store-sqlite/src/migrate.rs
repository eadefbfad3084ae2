//! Embedded schema migrations, applied in order and recorded in `schema_migrations`.
//!
//! An applied migration is never edited: its checksum is stored, and a changed file
//! stops the store from opening rather than leaving two databases with one version
//! number and different schemas.

use rusqlite::{params, Connection, OptionalExtension};
use throughline_store::StoreError;

/// A migration's step written in Rust, run after its SQL in the same transaction
/// (for what SQL alone cannot compute).
type RustStep = fn(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>;

/// (version, name, SQL), in the order they apply. Append only.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "initial", include_str!("../migrations/0001_initial.sql")),
    (
        2,
        "acquisition_spend",
        include_str!("../migrations/0002_acquisition_spend.sql"),
    ),
    (
        3,
        "profile_signals",
        include_str!("../migrations/0003_profile_signals.sql"),
    ),
    (
        4,
        "signal_keys",
        include_str!("../migrations/0004_signal_keys.sql"),
    ),
    (
        5,
        "seq_buckets",
        include_str!("../migrations/0005_seq_buckets.sql"),
    ),
];

/// The Rust step of a migration, if it has one.
fn rust_step(version: i64) -> Option<RustStep> {
    match version {
        4 => Some(crate::keys::backfill),
        _ => None,
    }
}

/// Brings the schema up to date in one transaction per migration.
pub(crate) fn run(conn: &mut Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version       INTEGER PRIMARY KEY,
             name          TEXT NOT NULL,
             checksum      TEXT NOT NULL,
             applied_at_us INTEGER NOT NULL
         )",
    )
    .map_err(StoreError::backend)?;
    for (version, name, sql) in MIGRATIONS {
        let checksum = fnv1a_hex(sql);
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::backend)?;
        let applied: Option<String> = tx
            .query_row(
                "SELECT checksum FROM schema_migrations WHERE version = ?1",
                [version],
                |r| r.get(0),
            )
            .optional()
            .map_err(StoreError::backend)?;
        match applied {
            Some(stored) if stored == checksum => continue,
            Some(_) => {
                return Err(StoreError::Migration(format!(
                    "migration {version} ({name}) changed after it was applied"
                )))
            }
            None => {}
        }
        let failed = |e| StoreError::Migration(format!("migration {version} ({name}): {e}"));
        tx.execute_batch(sql).map_err(failed)?;
        if let Some(step) = rust_step(*version) {
            step(&tx).map_err(failed)?;
        }
        tx.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at_us)
             VALUES (?1, ?2, ?3, ?4)",
            params![version, name, checksum, crate::now_us()],
        )
        .map_err(StoreError::backend)?;
        tx.commit().map_err(StoreError::backend)?;
    }
    Ok(())
}

/// A stable fingerprint of a migration's text (FNV-1a, 64 bits): it detects edits,
/// it does not need to resist an adversary.
fn fnv1a_hex(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_numbered_in_order_from_one() {
        for (i, (version, _, _)) in super::MIGRATIONS.iter().enumerate() {
            assert_eq!(*version, i as i64 + 1);
        }
    }

    /// A file written before migration 3 (signals found through the old index) opens
    /// with every profile's signals in `profile_signals`, and timelines unchanged.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn migration_3_lists_the_signals_already_stored() {
        use throughline_store::Store;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let (store, ws, outcome) = crate::demo_store(&path, 20).await;
        let profile = match outcome.records[0] {
            throughline_store::RecordOutcome::Accepted { profile, .. } => profile,
            ref other => panic!("{other:?}"),
        };
        let before = store.timeline(ws, profile, 10_000).await.unwrap();
        assert!(before.len() > 1, "{}", before.len());
        drop(store);
        // Back to the schema before migration 3.
        let conn = rusqlite::Connection::open(&path).unwrap();
        undo_migration_5(&conn);
        conn.execute_batch(
            "DROP TABLE profile_signals;
             CREATE INDEX signals_profile ON signals(profile_id, occurred_at_us);
             DELETE FROM schema_migrations WHERE version = 3;",
        )
        .unwrap();
        drop(conn);
        let store = crate::SqliteStore::open(&path, crate::Durability::Full).unwrap();
        let after = store.timeline(ws, profile, 10_000).await.unwrap();
        let seqs = |t: &[throughline_store::StoredSignal]| -> Vec<i64> {
            t.iter().map(|s| s.seq.0).collect()
        };
        assert_eq!(seqs(&after), seqs(&before));
        let conn = rusqlite::Connection::open(&path).unwrap();
        let listed: i64 = conn
            .query_row("SELECT count(*) FROM profile_signals", [], |r| r.get(0))
            .unwrap();
        assert_eq!(listed, outcome.accepted as i64);
    }

    /// A file written before migration 4 (keys in a UNIQUE index on signals) opens
    /// with every stored key in `signal_keys`: re-sending its signals stores nothing.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn migration_4_keeps_every_stored_key() {
        use throughline_store::Store;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let (store, ws, outcome) = crate::demo_store(&path, 20).await;
        drop(store);
        // Back to the schema before migration 4.
        let conn = rusqlite::Connection::open(&path).unwrap();
        undo_migration_5(&conn);
        let create: String = conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE name = 'signals'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let old = create.replace(
            "properties           TEXT\n",
            "properties           TEXT,\n    UNIQUE (external_id, source, workspace_id)\n",
        );
        assert_ne!(old, create, "{create}");
        conn.execute_batch(&format!(
            "DROP TABLE signal_keys; DROP TABLE signal_key_collisions;
             ALTER TABLE signals RENAME TO signals_new;
             {old};
             INSERT INTO signals SELECT * FROM signals_new; DROP TABLE signals_new;
             DELETE FROM schema_migrations WHERE version = 4;"
        ))
        .unwrap();
        drop(conn);
        let store = crate::SqliteStore::open(&path, crate::Durability::Full).unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(
            count("SELECT count(*) FROM signal_keys"),
            outcome.accepted as i64
        );
        let policy = throughline_domain::IdentityPolicy::default();
        let again = store
            .ingest(ws, &crate::demo_signals(20), &policy)
            .await
            .unwrap();
        assert_eq!(again.accepted, 0);
        assert_eq!(again.duplicates, outcome.accepted);
        assert_eq!(
            count("SELECT count(*) FROM signals"),
            outcome.accepted as i64
        );
    }

    /// Puts `signal_keys` and `profile_signals` back in their shape before migration 5.
    fn undo_migration_5(conn: &rusqlite::Connection) {
        conn.execute_batch(
            "CREATE TABLE keys_v4 (key INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
             INSERT INTO keys_v4 SELECT key, seq FROM signal_keys;
             DROP TABLE signal_keys; ALTER TABLE keys_v4 RENAME TO signal_keys;
             CREATE TABLE lists_v3 (profile_id INTEGER NOT NULL, seq INTEGER NOT NULL,
                 PRIMARY KEY (profile_id, seq)) WITHOUT ROWID;
             INSERT INTO lists_v3 SELECT profile_id, seq FROM profile_signals;
             DROP TABLE profile_signals; ALTER TABLE lists_v3 RENAME TO profile_signals;
             DELETE FROM schema_migrations WHERE version = 5;",
        )
        .unwrap();
    }

    /// A file written before migration 5 opens with every key and list entry in its
    /// seq's bucket (the SQL's shift is `BUCKET_BITS`), timelines unchanged, and
    /// re-sent signals still duplicates. The seqs start just below the first bucket
    /// boundary, so the file spans two buckets.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn migration_5_buckets_what_is_stored() {
        use crate::buckets::BUCKET_BITS;
        use throughline_store::Store;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let (store, ws) = crate::acme_store(&path).await;
        let conn = rusqlite::Connection::open(&path).unwrap();
        let first_seq = (1i64 << BUCKET_BITS) - 10;
        conn.execute("UPDATE feed_state SET last_seq = ?1", [first_seq - 1])
            .unwrap();
        let policy = throughline_domain::IdentityPolicy::default();
        let signals = crate::demo_signals(20);
        let outcome = store.ingest(ws, &signals, &policy).await.unwrap();
        // Every unmerged profile's timeline is exactly its rows in `signals`.
        let unmerged: Vec<i64> = conn
            .prepare(
                "SELECT id FROM profiles WHERE merged_into IS NULL AND id NOT IN \
                 (SELECT merged_into FROM profiles WHERE merged_into IS NOT NULL)",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(unmerged.len() >= 20, "{}", unmerged.len());
        let timelines_match = |store: crate::SqliteStore| {
            let (conn, unmerged) = (&conn, &unmerged);
            async move {
                for &id in unmerged {
                    let timeline = store
                        .timeline(ws, throughline_domain::ProfileId(id), 10_000)
                        .await
                        .unwrap();
                    let got: Vec<i64> = timeline.iter().map(|s| s.seq.0).collect();
                    let want: Vec<i64> = conn
                        .prepare(
                            "SELECT seq FROM signals WHERE profile_id = ?1 \
                             ORDER BY occurred_at_us, seq",
                        )
                        .unwrap()
                        .query_map([id], |r| r.get(0))
                        .unwrap()
                        .collect::<Result<_, _>>()
                        .unwrap();
                    assert_eq!(got, want, "profile {id}");
                }
                store
            }
        };
        let store = timelines_match(store).await;
        drop(store);
        undo_migration_5(&conn);
        let store = crate::SqliteStore::open(&path, crate::Durability::Full).unwrap();
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        let misplaced = format!(
            "SELECT (SELECT count(*) FROM signal_keys WHERE bucket != seq >> {BUCKET_BITS}) + \
             (SELECT count(*) FROM profile_signals WHERE bucket != seq >> {BUCKET_BITS})"
        );
        assert_eq!(count(&misplaced), 0);
        assert_eq!(
            count("SELECT count(DISTINCT bucket) FROM profile_signals"),
            2
        );
        let spanning = "SELECT count(*) FROM (SELECT profile_id FROM profile_signals \
             GROUP BY profile_id HAVING count(DISTINCT bucket) = 2)";
        assert!(
            count(spanning) > 0,
            "no profile has signals in both buckets"
        );
        assert_eq!(
            count("SELECT count(*) FROM signal_keys"),
            outcome.accepted as i64
        );
        let store = timelines_match(store).await;
        let again = store.ingest(ws, &signals, &policy).await.unwrap();
        assert_eq!((again.accepted, again.duplicates), (0, outcome.accepted));
    }
}
