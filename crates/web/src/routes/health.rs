//! Liveness (`/healthz`), readiness (`/readyz`) and the analytics lag (`/api/v1/status`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use schemars::JsonSchema;
use serde::Serialize;
use throughline_domain::Chain;

use crate::auth::Authed;
use crate::lag::TenantLag;
use crate::{ApiError, AppState};

/// The process is up. Says nothing about its dependencies, on purpose.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Whether the server can take traffic, and which store it uses.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Readiness {
    /// `ready`, or `unavailable` when the store does not answer.
    pub status: &'static str,
    /// The system of record: `sqlite` or `postgres`.
    pub store: &'static str,
}

/// Ready to take traffic: the system of record answers.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let store = state.store.backend();
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(Readiness {
                status: "ready",
                store,
            }),
        ),
        Err(e) => {
            tracing::warn!(error = %Chain(&e), "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Readiness {
                    status: "unavailable",
                    store,
                }),
            )
        }
    }
}

/// The store, the analytics copy's lag and its hot cache.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Status {
    /// The system of record: `sqlite` or `postgres`.
    pub store: &'static str,
    pub analytics_lag: TenantLag,
    /// Bytes of segment columns the hot column cache holds decoded.
    pub analytics_hot_cache_bytes: usize,
}

/// How far the analytics copy trails the system of record, and the memory its
/// hot column cache holds.
pub async fn status(
    State(state): State<AppState>,
    _auth: Authed,
) -> Result<Json<Status>, ApiError> {
    let lag = state.analytics.lag().await.map_err(ApiError::internal)?;
    Ok(Json(Status {
        store: state.store.backend(),
        analytics_lag: TenantLag::of(&lag),
        analytics_hot_cache_bytes: state.analytics.hot_cache_bytes(),
    }))
}
