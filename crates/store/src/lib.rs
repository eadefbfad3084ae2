//! The storage interface of the system of record: one trait, implemented once per
//! backend (`throughline-store-sqlite`, `throughline-store-postgres`) and checked
//! by one conformance story (`throughline-store-tests`).
//!
//! Everything above this trait is generic over the backend; the backend is chosen
//! in exactly one `match`, in the binary.

mod error;
mod links;
mod types;

pub use error::StoreError;
pub use links::canonical_links;
pub use types::*;

use async_trait::async_trait;
use throughline_domain::{
    AcquisitionSpend, IdentityPolicy, MergeId, ProfileId, Signal, SignalSeq, WorkspaceId,
};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The system of record. Every method is scoped to one workspace except the
/// analytics feed (`signals_after`, `profile_links`, `high_water`), which
/// follows the whole store and keeps the workspace on every row.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which backend this is, for logs and `/readyz`.
    fn backend(&self) -> &'static str;

    /// Cheap liveness probe of the database.
    async fn ping(&self) -> Result<()>;

    /// The workspace of this name, created if it does not exist.
    async fn ensure_workspace(&self, name: &str) -> Result<Workspace>;
    async fn workspace_by_name(&self, name: &str) -> Result<Option<Workspace>>;
    async fn workspace(&self, id: WorkspaceId) -> Result<Option<Workspace>>;
    /// Every workspace, by name (the web app's picker).
    async fn workspaces(&self) -> Result<Vec<Workspace>>;

    /// Stores an API key's digest (never the key) for a workspace.
    async fn add_api_key(&self, workspace: WorkspaceId, digest: &str, prefix: &str) -> Result<()>;
    /// The workspace a key digest belongs to, if any.
    async fn workspace_for_key(&self, digest: &str) -> Result<Option<WorkspaceId>>;

    /// Writes a batch atomically: either every record's outcome is durable when
    /// this returns `Ok`, or nothing of the batch was written. Idempotent on
    /// (workspace, source, external_id): a record seen before is a `Duplicate`
    /// and changes nothing. Identities are resolved per record, in order.
    async fn ingest(
        &self,
        workspace: WorkspaceId,
        batch: &[Signal],
        policy: &IdentityPolicy,
    ) -> Result<IngestOutcome>;

    /// `ingest` of a batch the caller gives away, with the same outcome and
    /// guarantees. A backend may write it in one transaction with other callers'
    /// batches (group commit); each is acknowledged only after that commit.
    async fn ingest_owned(
        &self,
        workspace: WorkspaceId,
        batch: Vec<Signal>,
        policy: &IdentityPolicy,
    ) -> Result<IngestOutcome> {
        self.ingest(workspace, &batch, policy).await
    }

    /// A profile by id. An id that was merged away answers with the profile it
    /// now lives in (`Profile::id` differs from the id asked for).
    async fn profile(&self, workspace: WorkspaceId, id: ProfileId) -> Result<Option<Profile>>;

    /// The profile's signals across every channel, oldest first, including the
    /// signals of the profiles merged into it. At most `limit` rows.
    async fn timeline(
        &self,
        workspace: WorkspaceId,
        id: ProfileId,
        limit: usize,
    ) -> Result<Vec<StoredSignal>>;

    /// The merges that made this profile (where it survived or was absorbed), newest first.
    async fn merges(&self, workspace: WorkspaceId, id: ProfileId) -> Result<Vec<MergeRecord>>;

    /// Undoes one merge: the absorbed profile stands on its own again with its
    /// own identities and signals. Undoing twice is an error.
    async fn unmerge(&self, workspace: WorkspaceId, merge: MergeId) -> Result<MergeRecord>;

    /// Signals with `seq > after`, in `seq` order, at most `limit`: the feed the
    /// analytics copy follows. `seq` order is commit order.
    async fn signals_after(&self, after: SignalSeq, limit: usize) -> Result<Vec<StoredSignal>>;

    /// Every profile that currently lives inside another: (workspace, profile, canonical).
    async fn profile_links(&self) -> Result<Vec<ProfileLink>>;

    /// The highest `seq` committed so far (0 when empty).
    async fn high_water(&self) -> Result<SignalSeq>;

    /// Writes acquisition-spend rows in one transaction. A row whose (channel, campaign,
    /// month, currency) is already stored replaces it. Returns the rows written.
    async fn put_acquisition_spend(
        &self,
        workspace: WorkspaceId,
        rows: &[AcquisitionSpend],
    ) -> Result<usize>;

    /// This workspace's acquisition spend, ordered by month, channel, campaign, currency.
    async fn acquisition_spend(&self, workspace: WorkspaceId) -> Result<Vec<AcquisitionSpend>>;
}
