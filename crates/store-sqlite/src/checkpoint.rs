//! Checkpoints on a thread of their own, so the writer only appends to the WAL.
//!
//! SQLite's automatic checkpoint runs inside the committing connection: after a
//! commit that leaves the WAL over its threshold, the writer copies the WAL back
//! into the database file and syncs it before it can start the next batch (a tenth
//! of the writer's time in a demo import, on one core while the other had room).
//! Here the writer only nudges a second connection after each write; that connection
//! runs a PASSIVE checkpoint, which never blocks the writer or readers, and nudges
//! that arrive meanwhile collapse into the next checkpoint.
//!
//! The writer keeps an automatic checkpoint with a high threshold as the bound on
//! the WAL's size, should this thread fall behind or its checkpoints fail.

use rusqlite::Connection;
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use crate::Durability;

/// The writer's own checkpoint threshold, in pages (512 MiB of 32 KiB pages): only
/// reached when the background checkpoints cannot keep up.
pub(crate) const WRITER_FALLBACK_PAGES: i64 = 16_384;

/// The writer's handle on the checkpoint thread. Dropping it stops the thread.
pub(crate) struct Checkpointer {
    nudge: SyncSender<()>,
}

impl Checkpointer {
    /// Opens a connection of its own on `path` and starts the thread.
    pub(crate) fn start(path: &Path, durability: Durability) -> rusqlite::Result<Self> {
        let conn = Connection::open(path)?;
        // The same sync setting as the writer: a checkpoint syncs the database file
        // before the WAL may be reused.
        crate::configure(&conn, durability)?;
        // One pending nudge is enough: the next checkpoint covers every commit before it.
        let (nudge, nudged) = sync_channel(1);
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || run(&conn, &nudged))
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        Ok(Self { nudge })
    }

    /// Called after every committed write; never blocks. A full channel means a
    /// checkpoint is already due; a closed one cannot happen while `self` lives.
    pub(crate) fn nudge(&self) {
        let _ = self.nudge.try_send(());
    }
}

fn run(conn: &Connection, nudged: &Receiver<()>) {
    while nudged.recv().is_ok() {
        // A failed or partial checkpoint (a reader still on older frames) is taken up
        // by the next nudge; meanwhile the writer's fallback bounds the WAL.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    /// Signals in the database file itself, read from a copy of the file without its
    /// WAL: what a checkpoint has copied back, and nothing else.
    fn signals_in_main_file(dir: &std::path::Path) -> Option<i64> {
        let copy = dir.join("copy.sqlite");
        std::fs::copy(dir.join("db.sqlite"), &copy).ok()?;
        let conn = rusqlite::Connection::open(&copy).ok()?;
        let count = conn
            .query_row("SELECT count(*) FROM signals", [], |r| r.get(0))
            .ok();
        drop(conn);
        let _ = std::fs::remove_file(&copy);
        count
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn committed_batches_reach_the_database_file_without_the_writer_checkpointing() {
        let dir = tempfile::tempdir().unwrap();
        let (_store, _, outcome) = crate::demo_store(&dir.path().join("db.sqlite"), 30).await;
        assert!(outcome.accepted > 100, "{outcome:?}");
        // Far below the writer's own threshold, so only the checkpoint thread can
        // have copied these pages into the file.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let copied = signals_in_main_file(dir.path());
            if copied == Some(outcome.accepted as i64) {
                break;
            }
            assert!(Instant::now() < deadline, "file holds {copied:?} signals");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
