//! Fresh backends for tests: each harness owns its database and cleans it up.

use std::path::PathBuf;
use throughline_store_postgres::PostgresStore;
use throughline_store_sqlite::{Durability, SqliteStore};

use crate::pg::TempCluster;

/// A SQLite store in its own temp dir.
pub struct SqliteHarness {
    pub store: SqliteStore,
    pub path: PathBuf,
    _dir: tempfile::TempDir,
}

impl SqliteHarness {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("throughline.db");
        let store = SqliteStore::open(&path, Durability::Full).expect("open sqlite store");
        Self {
            store,
            path,
            _dir: dir,
        }
    }

    /// Makes the database itself refuse any signal with this external id, from a
    /// second connection, so a batch can be broken half-way through.
    pub fn fail_on_external_id(&self, external_id: &str) {
        let conn = rusqlite::Connection::open(&self.path).expect("second connection");
        let sql = format!(
            "CREATE TRIGGER refuse_signal BEFORE INSERT ON signals \
             WHEN NEW.external_id = '{}' BEGIN SELECT RAISE(ABORT, 'refused by test'); END",
            external_id.replace('\'', "''")
        );
        conn.execute_batch(&sql).expect("create trigger");
    }
}

impl Default for SqliteHarness {
    fn default() -> Self {
        Self::new()
    }
}

/// A PostgreSQL store on a fresh database of its own throw-away cluster.
pub struct PostgresHarness {
    pub store: PostgresStore,
    pub url: String,
    // Dropped last: the store's connections go before the server stops.
    _cluster: TempCluster,
}

impl PostgresHarness {
    /// `None` (with a notice) when PostgreSQL is not installed and `CI` is not set;
    /// see [`TempCluster::start_for_tests`].
    pub async fn start() -> Option<Self> {
        let cluster = TempCluster::start_for_tests()?;
        let url = cluster.create_database().expect("create database");
        let store = PostgresStore::connect(&url)
            .await
            .expect("connect postgres store");
        Some(Self {
            store,
            url,
            _cluster: cluster,
        })
    }

    /// Makes the database itself refuse any signal with this external id, so a
    /// batch can be broken half-way through.
    pub async fn fail_on_external_id(&self, external_id: &str) {
        let (client, connection) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .expect("connect");
        let driver = tokio::spawn(connection);
        let literal = external_id.replace('\'', "''");
        let sql = format!(
            "CREATE FUNCTION refuse_signal() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN RAISE EXCEPTION 'refused by test'; END $$; \
             CREATE TRIGGER refuse_signal BEFORE INSERT ON signals FOR EACH ROW \
             WHEN (NEW.external_id = '{literal}') EXECUTE FUNCTION refuse_signal();"
        );
        client.batch_execute(&sql).await.expect("create trigger");
        drop(client);
        let _ = driver.await;
    }
}
