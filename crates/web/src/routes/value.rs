//! Customer value: the value page's figures, one profile's CLV and churn risk, and the
//! acquisition-spend ledger that CAC is computed from.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use schemars::JsonSchema;
use serde::Serialize;
use throughline_dashboard::{ProfileValue, ValueView};
use throughline_domain::{AcquisitionSpend, FieldError, ProfileId, RawSpend};

use crate::auth::Authed;
use crate::export::Export;
use crate::extract::{self, Path, Query};
use crate::lag::TenantLag;
use crate::{ApiError, AppState};

/// Most spend rows one request may carry.
pub const MAX_SPEND_ROWS: usize = 10_000;

pub async fn value(
    State(state): State<AppState>,
    Authed(ws): Authed,
    Query(export): Query<Export>,
) -> Result<Response, ApiError> {
    // Read before the figures: a copy caught up then is at least as current for them.
    let lag = TenantLag::now(&state).await?;
    let spend = state.store.acquisition_spend(ws).await?;
    let view: ValueView = state.dashboard.value(ws, &spend).await?;
    export.answer(view, lag, "value", "acquisition")
}

pub async fn profile_value(
    State(state): State<AppState>,
    Authed(ws): Authed,
    Path(id): Path<i64>,
) -> Result<Json<ProfileValue>, ApiError> {
    // A merged-away id answers for the profile it lives in now.
    let profile = state
        .store
        .profile(ws, ProfileId(id))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("profile {id} not found")))?;
    let value = state
        .dashboard
        .profile_value(ws, profile.id.0)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "profile {id} has no signals in the analytics copy yet"
            ))
        })?;
    Ok(Json(value))
}

pub async fn list_spend(
    State(state): State<AppState>,
    Authed(ws): Authed,
) -> Result<Json<Vec<AcquisitionSpend>>, ApiError> {
    Ok(Json(state.store.acquisition_spend(ws).await?))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SpendRejected {
    /// Position in the request array, from 0.
    pub index: usize,
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SpendOutcome {
    pub written: usize,
    pub rejected: Vec<SpendRejected>,
}

/// Writes every valid row (replacing rows with the same channel, campaign, month and
/// currency) and lists each invalid one with its reasons.
pub async fn put_spend(
    State(state): State<AppState>,
    Authed(ws): Authed,
    extract::Json(rows): extract::Json<Vec<RawSpend>>,
) -> Result<Json<SpendOutcome>, ApiError> {
    if rows.len() > MAX_SPEND_ROWS {
        return Err(ApiError::too_large(format!(
            "{} rows; at most {MAX_SPEND_ROWS} per request",
            rows.len()
        )));
    }
    let (mut good, mut rejected) = (Vec::new(), Vec::new());
    for (index, raw) in rows.iter().enumerate() {
        match AcquisitionSpend::parse(raw) {
            Ok(row) => good.push(row),
            Err(e) => rejected.push(SpendRejected {
                index,
                errors: e.errors,
            }),
        }
    }
    let written = state.store.put_acquisition_spend(ws, &good).await?;
    Ok(Json(SpendOutcome { written, rejected }))
}
