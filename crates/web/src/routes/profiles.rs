//! Profiles: one person across channels, the merges that made them, and undoing one.

use axum::extract::State;
use axum::Json;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use throughline_domain::{MergeId, ProfileId, SignalSeq, WireSignal};
use throughline_store::{MergeRecord, Profile, StoredSignal};

use crate::auth::Authed;
use crate::extract::{Path, Query};
use crate::{ApiError, AppState};

/// A profile with the merges that shaped it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProfileAnswer {
    /// The id asked for; `profile.id` differs when it was merged into another.
    pub requested_id: i64,
    pub profile: Profile,
    pub merges: Vec<MergeRecord>,
}

pub async fn profile(
    State(state): State<AppState>,
    Authed(workspace): Authed,
    Path(id): Path<i64>,
) -> Result<Json<ProfileAnswer>, ApiError> {
    let profile = state
        .store
        .profile(workspace, ProfileId(id))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("profile {id} not found")))?;
    let merges = state.store.merges(workspace, profile.id).await?;
    Ok(Json(ProfileAnswer {
        requested_id: id,
        profile,
        merges,
    }))
}

#[derive(Debug, Deserialize)]
pub struct TimelineParams {
    limit: Option<usize>,
}

/// Most signals one timeline call returns.
pub const MAX_TIMELINE: usize = 5_000;

/// A profile's signals, oldest first.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Timeline {
    pub profile_id: ProfileId,
    pub count: usize,
    pub signals: Vec<TimelineItem>,
}

/// A stored signal in wire form, plus where it sits in the store.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TimelineItem {
    #[serde(flatten)]
    pub signal: WireSignal,
    pub seq: SignalSeq,
    /// The profile the signal was attached to at intake (it may since have been merged).
    pub attached_profile_id: ProfileId,
}

impl TimelineItem {
    pub fn of(s: &StoredSignal) -> TimelineItem {
        TimelineItem {
            signal: s.signal.to_wire(),
            seq: s.seq,
            attached_profile_id: s.profile,
        }
    }
}

pub async fn timeline(
    State(state): State<AppState>,
    Authed(workspace): Authed,
    Path(id): Path<i64>,
    Query(params): Query<TimelineParams>,
) -> Result<Json<Timeline>, ApiError> {
    let limit = params.limit.unwrap_or(1_000).min(MAX_TIMELINE);
    let profile = state
        .store
        .profile(workspace, ProfileId(id))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("profile {id} not found")))?;
    let signals = state.store.timeline(workspace, profile.id, limit).await?;
    let signals: Vec<TimelineItem> = signals.iter().map(TimelineItem::of).collect();
    Ok(Json(Timeline {
        profile_id: profile.id,
        count: signals.len(),
        signals,
    }))
}

/// The merge that was undone.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Unmerged {
    pub undone: MergeRecord,
}

pub async fn unmerge(
    State(state): State<AppState>,
    Authed(workspace): Authed,
    Path(id): Path<i64>,
) -> Result<Json<Unmerged>, ApiError> {
    let undone = state.store.unmerge(workspace, MergeId(id)).await?;
    Ok(Json(Unmerged { undone }))
}
