//! The plain values the store hands back.

use serde::Serialize;
use throughline_domain::{
    Identity, MergeId, ProfileId, Signal, SignalSeq, StakeholderType, WorkspaceId,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub name: String,
}

/// What happened to each record of a batch, in batch order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RecordOutcome {
    Accepted { seq: SignalSeq, profile: ProfileId },
    Duplicate,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IngestOutcome {
    pub accepted: usize,
    pub duplicates: usize,
    pub merges: usize,
    pub records: Vec<RecordOutcome>,
}

/// A signal as stored: its place in the feed, its workspace, and the profile it
/// was attached to at intake (which may since have been merged into another).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSignal {
    pub seq: SignalSeq,
    pub workspace: WorkspaceId,
    pub profile: ProfileId,
    /// Microseconds since the Unix epoch at which the store accepted it.
    pub received_at_us: i64,
    pub signal: Signal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Profile {
    pub id: ProfileId,
    pub workspace: WorkspaceId,
    pub stakeholder_type: StakeholderType,
    /// Its own identities and those of every profile merged into it.
    pub identities: Vec<Identity>,
    /// Profiles currently merged into this one (directly or through others).
    pub merged: Vec<ProfileId>,
    pub signal_count: u64,
    pub first_seen_us: Option<i64>,
    pub last_seen_us: Option<i64>,
}

/// One merge, with what explains it and whether it was undone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MergeRecord {
    pub id: MergeId,
    pub survivor: ProfileId,
    pub absorbed: ProfileId,
    /// The identity through which the signal named the absorbed profile.
    pub identity: Identity,
    /// The signal that carried identities of both profiles.
    pub signal: SignalSeq,
    pub merged_at_us: i64,
    pub undone_at_us: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProfileLink {
    pub workspace: WorkspaceId,
    pub profile: ProfileId,
    pub canonical: ProfileId,
}
