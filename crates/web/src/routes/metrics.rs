//! `/api/v1/metrics/…`: every figure the dashboard pages show, as JSON — the same
//! view models the pages render, so a number on screen is a number in the API.

use axum::extract::{Query, State};
use axum::Json;
use throughline_dashboard::{Alerts, DriversView, Explore, Overview};

use crate::auth::Authed;
use crate::params::PageParams;
use crate::{ApiError, AppState};

pub async fn overview(
    State(state): State<AppState>,
    Authed(ws): Authed,
    Query(p): Query<PageParams>,
) -> Result<Json<Overview>, ApiError> {
    Ok(Json(state.dashboard.overview(ws, &p.filters()?).await?))
}

pub async fn explore(
    State(state): State<AppState>,
    Authed(ws): Authed,
    Query(p): Query<PageParams>,
) -> Result<Json<Explore>, ApiError> {
    Ok(Json(state.dashboard.explore(ws, &p.explore()?).await?))
}

pub async fn drivers(
    State(state): State<AppState>,
    Authed(ws): Authed,
    Query(p): Query<PageParams>,
) -> Result<Json<DriversView>, ApiError> {
    Ok(Json(state.dashboard.drivers(ws, &p.drivers()?).await?))
}

pub async fn alerts(
    State(state): State<AppState>,
    Authed(ws): Authed,
    Query(p): Query<PageParams>,
) -> Result<Json<Alerts>, ApiError> {
    Ok(Json(state.dashboard.alerts(ws, &p.alerts()?).await?))
}
