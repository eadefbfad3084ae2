//! The PostgreSQL backend of the system of record: a connection pool, embedded
//! migrations, and batch writes that take a few statements per batch.
//!
//! Ingest transactions are serialised with an advisory lock so that `seq` order
//! is commit order (see `ingest`); reads run concurrently on the pool.

mod ingest;
mod merges;
mod migrate;
mod read;
mod row;
mod spend;
mod tenancy;

use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use throughline_domain::{
    AcquisitionSpend, IdentityPolicy, MergeId, ProfileId, Signal, SignalSeq, WorkspaceId,
};
use throughline_store::{
    IngestOutcome, MergeRecord, Profile, ProfileLink, Result, Store, StoreError, StoredSignal,
    Workspace,
};

/// Connections kept open: enough for concurrent reads beside the one ingest at a time.
const POOL_SIZE: usize = 8;

/// The PostgreSQL store. Cheap to clone; clones share the pool.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/db`) and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Self> {
        let config: tokio_postgres::Config = url.parse().map_err(StoreError::backend)?;
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(StoreError::backend)?;
        let store = Self { pool };
        let mut client = store.client().await?;
        migrate::run(&mut client).await?;
        Ok(store)
    }

    async fn client(&self) -> Result<Object> {
        self.pool.get().await.map_err(StoreError::backend)
    }
}

/// Now, in microseconds since the Unix epoch.
pub(crate) fn now_us() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_micros()).unwrap_or(i64::MAX)
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> Result<()> {
        self.client()
            .await?
            .simple_query("SELECT 1")
            .await
            .map_err(StoreError::backend)?;
        Ok(())
    }

    async fn ensure_workspace(&self, name: &str) -> Result<Workspace> {
        tenancy::ensure_workspace(&*self.client().await?, name).await
    }

    async fn workspace_by_name(&self, name: &str) -> Result<Option<Workspace>> {
        tenancy::workspace_by_name(&*self.client().await?, name).await
    }

    async fn workspace(&self, id: WorkspaceId) -> Result<Option<Workspace>> {
        tenancy::workspace(&*self.client().await?, id).await
    }

    async fn workspaces(&self) -> Result<Vec<Workspace>> {
        tenancy::workspaces(&*self.client().await?).await
    }

    async fn add_api_key(&self, workspace: WorkspaceId, digest: &str, prefix: &str) -> Result<()> {
        tenancy::add_api_key(&*self.client().await?, workspace, digest, prefix).await
    }

    async fn workspace_for_key(&self, digest: &str) -> Result<Option<WorkspaceId>> {
        tenancy::workspace_for_key(&*self.client().await?, digest).await
    }

    async fn ingest(
        &self,
        workspace: WorkspaceId,
        batch: &[Signal],
        policy: &IdentityPolicy,
    ) -> Result<IngestOutcome> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(StoreError::backend)?;
        // Any error drops `tx` uncommitted, which rolls the whole batch back.
        let outcome = ingest::ingest(&tx, workspace, batch, policy).await?;
        tx.commit().await.map_err(StoreError::backend)?;
        Ok(outcome)
    }

    async fn profile(&self, workspace: WorkspaceId, id: ProfileId) -> Result<Option<Profile>> {
        read::profile(&*self.client().await?, workspace, id).await
    }

    async fn timeline(
        &self,
        workspace: WorkspaceId,
        id: ProfileId,
        limit: usize,
    ) -> Result<Vec<StoredSignal>> {
        read::timeline(&*self.client().await?, workspace, id, limit).await
    }

    async fn merges(&self, workspace: WorkspaceId, id: ProfileId) -> Result<Vec<MergeRecord>> {
        merges::history(&*self.client().await?, workspace, id).await
    }

    async fn unmerge(&self, workspace: WorkspaceId, merge: MergeId) -> Result<MergeRecord> {
        let mut client = self.client().await?;
        merges::unmerge(&mut client, workspace, merge).await
    }

    async fn signals_after(&self, after: SignalSeq, limit: usize) -> Result<Vec<StoredSignal>> {
        read::signals_after(&*self.client().await?, after, limit).await
    }

    async fn profile_links(&self) -> Result<Vec<ProfileLink>> {
        read::profile_links(&*self.client().await?).await
    }

    async fn high_water(&self) -> Result<SignalSeq> {
        read::high_water(&*self.client().await?).await
    }

    async fn put_acquisition_spend(
        &self,
        workspace: WorkspaceId,
        rows: &[AcquisitionSpend],
    ) -> Result<usize> {
        let mut client = self.client().await?;
        spend::put(&mut client, workspace, rows).await
    }

    async fn acquisition_spend(&self, workspace: WorkspaceId) -> Result<Vec<AcquisitionSpend>> {
        spend::list(&*self.client().await?, workspace).await
    }
}
