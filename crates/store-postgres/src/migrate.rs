//! Embedded schema migrations, applied in order and recorded in `schema_migrations`.
//! An applied migration is never edited: its checksum is stored and checked.

use throughline_store::StoreError;
use tokio_postgres::Client;

/// (version, name, SQL), in the order they apply. Append only.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "initial", include_str!("../migrations/0001_initial.sql")),
    (
        2,
        "acquisition_spend",
        include_str!("../migrations/0002_acquisition_spend.sql"),
    ),
];

/// Serialises migrations of concurrent starts (two servers on one database).
const MIGRATION_LOCK: i64 = 0x7468_726f_6d69_6772; // "thromigr"

pub(crate) async fn run(client: &mut Client) -> Result<(), StoreError> {
    let backend = StoreError::backend;
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version       BIGINT PRIMARY KEY,
                 name          TEXT NOT NULL,
                 checksum      TEXT NOT NULL,
                 applied_at_us BIGINT NOT NULL
             )",
        )
        .await
        .map_err(backend)?;
    for (version, name, sql) in MIGRATIONS {
        let checksum = fnv1a_hex(sql);
        let tx = client.transaction().await.map_err(backend)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(backend)?;
        let applied = tx
            .query_opt(
                "SELECT checksum FROM schema_migrations WHERE version = $1",
                &[version],
            )
            .await
            .map_err(backend)?;
        match applied.map(|row| row.get::<_, String>(0)) {
            Some(stored) if stored == checksum => continue,
            Some(_) => {
                return Err(StoreError::Migration(format!(
                    "migration {version} ({name}) changed after it was applied"
                )))
            }
            None => {}
        }
        tx.batch_execute(sql)
            .await
            .map_err(|e| StoreError::Migration(format!("migration {version} ({name}): {e}")))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at_us) \
             VALUES ($1, $2, $3, $4)",
            &[version, name, &checksum, &crate::now_us()],
        )
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
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
