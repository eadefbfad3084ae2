//! The conformance story, one function per part of the `Store` contract. Every
//! function expects a fresh, empty store and panics on the first difference.

mod feed;
mod identity;
mod ingest;
mod merges;
mod owned;
mod spend;
mod tenancy;

pub use feed::{story_feed_order, story_feed_under_concurrent_batches};
pub use identity::{
    story_identity_attach_and_create, story_shared_mailbox_never_merges,
    story_stakeholder_types_do_not_mix,
};
pub use ingest::{
    story_batch_is_atomic, story_ingest_idempotent, story_signal_round_trips,
    story_unknown_workspace_writes_nothing, FAILING_EXTERNAL_ID,
};
pub use merges::{story_identity_resolution_merge_unmerge, story_merge_chain_and_partial_unmerge};
pub use owned::{story_owned_batches_answer_each_caller, story_owned_failing_batch_fails_alone};
pub use spend::story_acquisition_spend;
pub use tenancy::{story_api_keys, story_workspace_isolation, story_workspaces};

use throughline_domain::{ProfileId, SignalSeq, WorkspaceId};
use throughline_store::Store;

/// The seqs of a profile's timeline, in the order the store gives them.
pub(crate) async fn timeline_seqs(
    store: &dyn Store,
    workspace: WorkspaceId,
    profile: ProfileId,
) -> Vec<SignalSeq> {
    let timeline = store
        .timeline(workspace, profile, 1000)
        .await
        .expect("timeline");
    timeline.iter().map(|s| s.seq).collect()
}
