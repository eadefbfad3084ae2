//! An in-memory `Store` over a `Vec`, for the analytics feed only: it counts
//! the rows it hands out, so a test can tell a resume from a rebuild.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use async_trait::async_trait;
use throughline_domain::{
    AcquisitionSpend, IdentityPolicy, MergeId, ProfileId, Signal, SignalSeq, WorkspaceId,
};
use throughline_store::{
    IngestOutcome, MergeRecord, Profile, ProfileLink, Result, Store, StoreError, StoredSignal,
    Workspace,
};

#[derive(Default)]
pub struct FakeStore {
    signals: Mutex<Vec<StoredSignal>>,
    links: Mutex<Vec<ProfileLink>>,
    /// Rows handed out by `signals_after`, over the store's life.
    pub pulled: AtomicUsize,
    /// While set, the feed answers with a backend error.
    pub failing: AtomicBool,
}

impl FakeStore {
    /// Appends a signal of `workspace`, attached to `profile`; returns its seq.
    pub fn add(&self, workspace: i64, profile: i64, record: serde_json::Value) -> i64 {
        self.push(
            workspace,
            profile,
            Signal::parse(&record).expect("fixture record parses"),
        )
    }

    /// Appends an already parsed signal; returns its seq.
    pub fn push(&self, workspace: i64, profile: i64, signal: Signal) -> i64 {
        let mut signals = self.signals.lock().unwrap();
        let seq = signals.len() as i64 + 1;
        signals.push(StoredSignal {
            seq: SignalSeq(seq),
            workspace: WorkspaceId(workspace),
            profile: ProfileId(profile),
            received_at_us: 1_772_000_000_000_000 + seq,
            signal,
        });
        seq
    }

    /// Records that `profile` now lives inside `canonical`.
    pub fn merge(&self, workspace: i64, profile: i64, canonical: i64) {
        self.links.lock().unwrap().push(ProfileLink {
            workspace: WorkspaceId(workspace),
            profile: ProfileId(profile),
            canonical: ProfileId(canonical),
        });
    }

    pub fn unmerge_all(&self) {
        self.links.lock().unwrap().clear();
    }

    /// The highest seq stored, without going through the async trait.
    pub fn high_water_now(&self) -> i64 {
        self.signals.lock().unwrap().len() as i64
    }

    pub fn pulled(&self) -> usize {
        self.pulled.load(Ordering::SeqCst)
    }
}

fn unsupported<T>(what: &str) -> Result<T> {
    Err(StoreError::NotFound(format!(
        "{what} (the fake store only serves the analytics feed)"
    )))
}

#[async_trait]
impl Store for FakeStore {
    fn backend(&self) -> &'static str {
        "fake"
    }
    async fn ping(&self) -> Result<()> {
        Ok(())
    }
    async fn ensure_workspace(&self, _: &str) -> Result<Workspace> {
        unsupported("ensure_workspace")
    }
    async fn workspace_by_name(&self, _: &str) -> Result<Option<Workspace>> {
        unsupported("workspace_by_name")
    }
    async fn workspace(&self, _: WorkspaceId) -> Result<Option<Workspace>> {
        unsupported("workspace")
    }
    async fn workspaces(&self) -> Result<Vec<Workspace>> {
        unsupported("workspaces")
    }
    async fn add_api_key(&self, _: WorkspaceId, _: &str, _: &str) -> Result<()> {
        unsupported("add_api_key")
    }
    async fn workspace_for_key(&self, _: &str) -> Result<Option<WorkspaceId>> {
        unsupported("workspace_for_key")
    }
    async fn ingest(
        &self,
        _: WorkspaceId,
        _: &[Signal],
        _: &IdentityPolicy,
    ) -> Result<IngestOutcome> {
        unsupported("ingest")
    }
    async fn profile(&self, _: WorkspaceId, _: ProfileId) -> Result<Option<Profile>> {
        unsupported("profile")
    }
    async fn timeline(&self, _: WorkspaceId, _: ProfileId, _: usize) -> Result<Vec<StoredSignal>> {
        unsupported("timeline")
    }
    async fn merges(&self, _: WorkspaceId, _: ProfileId) -> Result<Vec<MergeRecord>> {
        unsupported("merges")
    }
    async fn unmerge(&self, _: WorkspaceId, _: MergeId) -> Result<MergeRecord> {
        unsupported("unmerge")
    }
    async fn signals_after(&self, after: SignalSeq, limit: usize) -> Result<Vec<StoredSignal>> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(StoreError::backend(std::io::Error::other(
                "the fake database is down",
            )));
        }
        let signals = self.signals.lock().unwrap();
        // Seqs are 1, 2, 3, … so the rows after `after` start at that index.
        let start = usize::try_from(after.0).unwrap_or(0);
        let out: Vec<StoredSignal> = signals.iter().skip(start).take(limit).cloned().collect();
        self.pulled.fetch_add(out.len(), Ordering::SeqCst);
        Ok(out)
    }
    async fn profile_links(&self) -> Result<Vec<ProfileLink>> {
        Ok(self.links.lock().unwrap().clone())
    }
    async fn high_water(&self) -> Result<SignalSeq> {
        Ok(SignalSeq(self.signals.lock().unwrap().len() as i64))
    }
    async fn put_acquisition_spend(&self, _: WorkspaceId, _: &[AcquisitionSpend]) -> Result<usize> {
        unsupported("put_acquisition_spend")
    }
    async fn acquisition_spend(&self, _: WorkspaceId) -> Result<Vec<AcquisitionSpend>> {
        unsupported("acquisition_spend")
    }
}
