//! Liveness (`/healthz`), readiness (`/readyz`) and the analytics lag (`/api/v1/status`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};
use throughline_domain::Chain;

use crate::auth::Authed;
use crate::lag::TenantLag;
use crate::{ApiError, AppState};

/// The process is up. Says nothing about its dependencies, on purpose.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready to take traffic: the system of record answers.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "store": state.store.backend() })),
        ),
        Err(e) => {
            tracing::warn!(error = %Chain(&e), "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "store": state.store.backend() })),
            )
        }
    }
}

/// How far the analytics copy trails the system of record, and the memory its
/// hot column cache holds.
pub async fn status(State(state): State<AppState>, _auth: Authed) -> Result<Json<Value>, ApiError> {
    let lag = state.analytics.lag().await.map_err(ApiError::internal)?;
    Ok(Json(json!({
        "store": state.store.backend(),
        "analytics_lag": TenantLag::of(&lag),
        "analytics_hot_cache_bytes": state.analytics.hot_cache_bytes(),
    })))
}
