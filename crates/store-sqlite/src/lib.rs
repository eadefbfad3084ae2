//! The SQLite backend of the system of record: one file, WAL mode, an explicit
//! durability setting, embedded migrations.
//!
//! One writer connection (behind a mutex, so batches commit one at a time and
//! `seq` order is commit order) and one read connection, so reads are not queued
//! behind a large batch. Blocking SQLite calls run on tokio's blocking pool.

mod bloom;
mod buckets;
mod cache;
mod checkpoint;
mod group;
mod ingest;
mod keys;
mod merges;
mod migrate;
mod read;
mod row;
mod spend;
mod tenancy;

use async_trait::async_trait;
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use throughline_domain::{
    AcquisitionSpend, IdentityPolicy, MergeId, ProfileId, Signal, SignalSeq, WorkspaceId,
};
use throughline_store::{
    IngestOutcome, MergeRecord, Profile, ProfileLink, Result, Store, StoreError, StoredSignal,
    Workspace,
};
use tokio::runtime::{Handle, RuntimeFlavor};

use cache::ResolveCache;

/// How long a connection waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// When an acknowledged batch is safe.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: the WAL is synced at every commit, so an acknowledged
    /// batch survives a power loss. The default.
    #[default]
    Full,
    /// `synchronous=NORMAL`: survives a crash of the process, but the last commits
    /// may be lost on a power loss or OS crash. Faster for bulk imports.
    Normal,
}

impl Durability {
    fn pragma(self) -> &'static str {
        match self {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        }
    }
}

/// The SQLite store. Cheap to clone; clones share the connections.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    writer: Mutex<Writer>,
    reader: Mutex<Connection>,
    /// Batches handed over whole, waiting for the writer (see `group`).
    queue: group::Queue,
}

struct Writer {
    conn: Connection,
    cache: ResolveCache,
    checkpointer: checkpoint::Checkpointer,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path, durability: Durability) -> Result<Self> {
        let mut conn = Connection::open(path).map_err(StoreError::backend)?;
        configure(&conn, durability).map_err(StoreError::backend)?;
        // The writer's page cache holds `signal_keys` and `profile_signals`, whose rows
        // land all over their newest bucket (each group's in one sorted pass); once they
        // outgrow the cache each insert reads pages back (2.5 M demo signals, before
        // buckets: 88k → 101k signals/s with 512 MiB). It is a ceiling: memory is taken
        // only as the indexes grow.
        conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)
            .map_err(StoreError::backend)?;
        // Checkpoints run on their own thread (see `checkpoint`); this is the bound.
        conn.pragma_update(
            None,
            "wal_autocheckpoint",
            checkpoint::WRITER_FALLBACK_PAGES,
        )
        .map_err(StoreError::backend)?;
        migrate::run(&mut conn)?;
        let checkpointer =
            checkpoint::Checkpointer::start(path, durability).map_err(StoreError::backend)?;
        let cache = ResolveCache::load(&conn).map_err(StoreError::backend)?;
        let reader = Connection::open(path).map_err(StoreError::backend)?;
        configure(&reader, durability).map_err(StoreError::backend)?;
        // The read connection must never write: writes go through the one writer.
        reader
            .pragma_update(None, "query_only", true)
            .map_err(StoreError::backend)?;
        let inner = Inner {
            writer: Mutex::new(Writer {
                conn,
                cache,
                checkpointer,
            }),
            reader: Mutex::new(reader),
            queue: group::Queue::default(),
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Writer) -> Result<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            // A panic mid-batch rolled its transaction back on unwind, so the
            // connection is still usable: take it despite the poison.
            let mut writer = inner.writer.lock().unwrap_or_else(|p| p.into_inner());
            let result = f(&mut writer);
            writer.checkpointer.nudge();
            result
        })
        .await
        .map_err(StoreError::backend)?
    }

    /// `write` on the calling thread. A panic becomes an error, as it does through
    /// the blocking pool, and leaves the connection usable (see `write`).
    fn write_here<T>(&self, f: impl FnOnce(&mut Writer) -> Result<T>) -> Result<T> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut writer = self.inner.writer.lock().unwrap_or_else(|p| p.into_inner());
            let result = f(&mut writer);
            writer.checkpointer.nudge();
            result
        }))
        .unwrap_or_else(|panic| Err(StoreError::backend(WritePanicked::from(panic))))
    }

    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let reader = inner.reader.lock().unwrap_or_else(|p| p.into_inner());
            f(&reader)
        })
        .await
        .map_err(StoreError::backend)?
    }
}

/// A write that panicked, with the panic's message when it had one.
#[derive(Debug)]
struct WritePanicked(String);

impl From<Box<dyn std::any::Any + Send>> for WritePanicked {
    fn from(panic: Box<dyn std::any::Any + Send>) -> Self {
        let message = match panic.downcast::<String>() {
            Ok(text) => *text,
            Err(panic) => panic
                .downcast_ref::<&str>()
                .map_or_else(String::new, |s| s.to_string()),
        };
        WritePanicked(message)
    }
}

impl std::fmt::Display for WritePanicked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the write panicked: {}", self.0)
    }
}

impl std::error::Error for WritePanicked {}

/// The writer connection's page cache ceiling, in KiB (512 MiB).
const WRITER_CACHE_KIB: i64 = 512 * 1024;

fn configure(conn: &Connection, durability: Durability) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // 32 KiB pages for a new file (an existing file keeps its own): signal rows are a
    // few hundred bytes, and the B-trees records go into at random places are shallower
    // with fewer splits. Import of the 2.5 M demo signals (runs on a noisy machine,
    // before `profile_signals` replaced the profile index): 4 KiB 83k, 8 KiB 100k,
    // 16 KiB 110–118k, 32 KiB 111–128k, 64 KiB 117–134k signals/s. Not 64 KiB: a
    // timeline read fetches a page per signal.
    conn.pragma_update(None, "page_size", 32_768)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", durability.pragma())?;
    // 64 MiB of page cache for reads (the writer raises its own).
    conn.pragma_update(None, "cache_size", -65_536)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Now, in microseconds since the Unix epoch.
pub(crate) fn now_us() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_micros()).unwrap_or(i64::MAX)
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<()> {
        self.read(|c| {
            c.query_row("SELECT 1", [], |_| Ok(()))
                .map_err(StoreError::backend)
        })
        .await
    }

    async fn ensure_workspace(&self, name: &str) -> Result<Workspace> {
        let name = name.to_string();
        self.write(move |w| tenancy::ensure_workspace(&w.conn, &name))
            .await
    }

    async fn workspace_by_name(&self, name: &str) -> Result<Option<Workspace>> {
        let name = name.to_string();
        self.read(move |c| tenancy::workspace_by_name(c, &name))
            .await
    }

    async fn workspace(&self, id: WorkspaceId) -> Result<Option<Workspace>> {
        self.read(move |c| tenancy::workspace(c, id)).await
    }

    async fn workspaces(&self) -> Result<Vec<Workspace>> {
        self.read(tenancy::workspaces).await
    }

    async fn add_api_key(&self, workspace: WorkspaceId, digest: &str, prefix: &str) -> Result<()> {
        let (digest, prefix) = (digest.to_string(), prefix.to_string());
        self.write(move |w| tenancy::add_api_key(&w.conn, workspace, &digest, &prefix))
            .await
    }

    async fn workspace_for_key(&self, digest: &str) -> Result<Option<WorkspaceId>> {
        let digest = digest.to_string();
        self.read(move |c| tenancy::workspace_for_key(c, &digest))
            .await
    }

    async fn ingest(
        &self,
        workspace: WorkspaceId,
        batch: &[Signal],
        policy: &IdentityPolicy,
    ) -> Result<IngestOutcome> {
        let write =
            |w: &mut Writer| ingest::ingest(&mut w.conn, &mut w.cache, workspace, batch, policy);
        // On a multi-thread runtime the batch is written in place: this worker hands its
        // other tasks to another thread meanwhile, and the signals need not be copied
        // (a copy and its drop cost about a fifth of the write). The blocking pool,
        // which needs owned data, is the fallback on a current-thread runtime.
        if Handle::current().runtime_flavor() == RuntimeFlavor::MultiThread {
            return tokio::task::block_in_place(|| self.write_here(write));
        }
        let (batch, policy) = (batch.to_vec(), policy.clone());
        self.write(move |w| ingest::ingest(&mut w.conn, &mut w.cache, workspace, &batch, &policy))
            .await
    }

    async fn ingest_owned(
        &self,
        workspace: WorkspaceId,
        batch: Vec<Signal>,
        policy: &IdentityPolicy,
    ) -> Result<IngestOutcome> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.inner.queue.push(group::Queued {
            workspace,
            batch,
            policy: policy.clone(),
            reply,
        });
        let inner = Arc::clone(&self.inner);
        let drain = move || group::drain(&inner.queue, &inner.writer);
        if Handle::current().runtime_flavor() == RuntimeFlavor::MultiThread {
            tokio::task::block_in_place(drain);
        } else {
            tokio::task::spawn_blocking(drain)
                .await
                .map_err(StoreError::backend)?;
        }
        answer
            .await
            .map_err(|_| StoreError::backend(ingest::NoOutcome))?
    }

    async fn profile(&self, workspace: WorkspaceId, id: ProfileId) -> Result<Option<Profile>> {
        self.read(move |c| read::profile(c, workspace, id)).await
    }

    async fn timeline(
        &self,
        workspace: WorkspaceId,
        id: ProfileId,
        limit: usize,
    ) -> Result<Vec<StoredSignal>> {
        self.read(move |c| read::timeline(c, workspace, id, limit))
            .await
    }

    async fn merges(&self, workspace: WorkspaceId, id: ProfileId) -> Result<Vec<MergeRecord>> {
        self.read(move |c| merges::history(c, workspace, id)).await
    }

    async fn unmerge(&self, workspace: WorkspaceId, merge: MergeId) -> Result<MergeRecord> {
        self.write(move |w| merges::unmerge(&mut w.conn, &mut w.cache, workspace, merge))
            .await
    }

    async fn signals_after(&self, after: SignalSeq, limit: usize) -> Result<Vec<StoredSignal>> {
        self.read(move |c| read::signals_after(c, after, limit))
            .await
    }

    async fn profile_links(&self) -> Result<Vec<ProfileLink>> {
        self.read(read::profile_links).await
    }

    async fn high_water(&self) -> Result<SignalSeq> {
        self.read(read::high_water).await
    }

    async fn put_acquisition_spend(
        &self,
        workspace: WorkspaceId,
        rows: &[AcquisitionSpend],
    ) -> Result<usize> {
        let rows = rows.to_vec();
        self.write(move |w| spend::put(&mut w.conn, workspace, &rows))
            .await
    }

    async fn acquisition_spend(&self, workspace: WorkspaceId) -> Result<Vec<AcquisitionSpend>> {
        self.read(move |c| spend::list(c, workspace)).await
    }
}

/// What the unit tests share: a store at `path` with the workspace "acme".
#[cfg(test)]
pub(crate) async fn acme_store(path: &Path) -> (SqliteStore, WorkspaceId) {
    let store = SqliteStore::open(path, Durability::Full).unwrap();
    let ws = store.ensure_workspace("acme").await.unwrap();
    (store, ws.id)
}

/// [`acme_store`] with a small demo company written into "acme" in one batch.
#[cfg(test)]
pub(crate) async fn demo_store(
    path: &Path,
    customers: usize,
) -> (SqliteStore, WorkspaceId, IngestOutcome) {
    let (store, ws) = acme_store(path).await;
    let policy = IdentityPolicy::default();
    let outcome = store
        .ingest(ws, &demo_signals(customers), &policy)
        .await
        .unwrap();
    (store, ws, outcome)
}

/// The signals of a demo company of `customers` (the same every call).
#[cfg(test)]
pub(crate) fn demo_signals(customers: usize) -> Vec<Signal> {
    let config = throughline_demo::DemoConfig {
        customers,
        ..Default::default()
    };
    let mut signals = Vec::new();
    throughline_demo::generate(&config, |s| signals.push(s));
    signals
}
