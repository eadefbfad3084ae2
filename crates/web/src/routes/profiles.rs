//! Profiles: one person across channels, the merges that made them, and undoing one.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use throughline_domain::{MergeId, ProfileId};
use throughline_store::StoredSignal;

use crate::auth::Authed;
use crate::{ApiError, AppState};

pub async fn profile(
    State(state): State<AppState>,
    Authed(workspace): Authed,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let profile = state
        .store
        .profile(workspace, ProfileId(id))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("profile {id} not found")))?;
    let merges = state.store.merges(workspace, profile.id).await?;
    Ok(Json(
        json!({ "requested_id": id, "profile": profile, "merges": merges }),
    ))
}

#[derive(Debug, Deserialize)]
pub struct TimelineParams {
    limit: Option<usize>,
}

/// Most signals one timeline call returns.
const MAX_TIMELINE: usize = 5_000;

pub async fn timeline(
    State(state): State<AppState>,
    Authed(workspace): Authed,
    Path(id): Path<i64>,
    Query(params): Query<TimelineParams>,
) -> Result<Json<Value>, ApiError> {
    let limit = params.limit.unwrap_or(1_000).min(MAX_TIMELINE);
    let profile = state
        .store
        .profile(workspace, ProfileId(id))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("profile {id} not found")))?;
    let signals = state.store.timeline(workspace, profile.id, limit).await?;
    let items: Vec<Value> = signals.iter().map(timeline_item).collect();
    Ok(Json(
        json!({ "profile_id": profile.id, "count": items.len(), "signals": items }),
    ))
}

/// A stored signal in wire form, plus where it sits in the store.
pub fn timeline_item(s: &StoredSignal) -> Value {
    let mut wire = match serde_json::to_value(s.signal.to_wire()) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    wire.insert("seq".into(), json!(s.seq));
    wire.insert("attached_profile_id".into(), json!(s.profile));
    Value::Object(wire)
}

pub async fn unmerge(
    State(state): State<AppState>,
    Authed(workspace): Authed,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let record = state.store.unmerge(workspace, MergeId(id)).await?;
    Ok(Json(json!({ "undone": record })))
}
