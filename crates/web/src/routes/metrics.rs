//! `/api/v1/metrics/…`: every figure the dashboard pages show, as JSON — the same
//! view models the pages render, so a number on screen is a number in the API — or
//! any of an answer's tables as CSV (`?format=csv&table=…`, `export.rs`).

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use throughline_dashboard::Term;

use crate::auth::Authed;
use crate::export::Export;
use crate::extract::Query;
use crate::lag::TenantLag;
use crate::params::PageParams;
use crate::{ApiError, AppState};

pub async fn overview(
    State(state): State<AppState>,
    Authed(ws): Authed,
    Query(p): Query<PageParams>,
    Query(export): Query<Export>,
) -> Result<Response, ApiError> {
    // Read before the figures: a copy caught up then is at least as current for them.
    let lag = TenantLag::now(&state).await?;
    let view = state.dashboard.overview(ws, &p.filters()?).await?;
    export.answer(view, lag, "overview", "tiles")
}

pub async fn explore(
    State(state): State<AppState>,
    Authed(ws): Authed,
    Query(p): Query<PageParams>,
    Query(export): Query<Export>,
) -> Result<Response, ApiError> {
    // Read before the figures: a copy caught up then is at least as current for them.
    let lag = TenantLag::now(&state).await?;
    let view = state.dashboard.explore(ws, &p.explore()?).await?;
    export.answer(view, lag, "explore", "segments")
}

pub async fn drivers(
    State(state): State<AppState>,
    Authed(ws): Authed,
    Query(p): Query<PageParams>,
    Query(export): Query<Export>,
) -> Result<Response, ApiError> {
    // Read before the figures: a copy caught up then is at least as current for them.
    let lag = TenantLag::now(&state).await?;
    let view = state.dashboard.drivers(ws, &p.drivers()?).await?;
    export.answer(view, lag, "drivers", "report.drivers")
}

pub async fn alerts(
    State(state): State<AppState>,
    Authed(ws): Authed,
    Query(p): Query<PageParams>,
    Query(export): Query<Export>,
) -> Result<Response, ApiError> {
    // Read before the figures: a copy caught up then is at least as current for them.
    let lag = TenantLag::now(&state).await?;
    let view = state.dashboard.alerts(ws, &p.alerts()?).await?;
    export.answer(view, lag, "alerts", "alerts")
}

/// Every figure's name and definition: the words pages show beside each figure.
pub async fn glossary(State(state): State<AppState>, _auth: Authed) -> Json<Vec<Term>> {
    Json(throughline_dashboard::glossary(
        &state.dashboard.settings().value,
    ))
}
