//! Liveness (`/healthz`), readiness (`/readyz`) and the analytics lag (`/api/v1/status`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};
use throughline_domain::Chain;

use crate::auth::Authed;
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
        "analytics_lag": tenant_lag(&lag),
        "analytics_hot_cache_bytes": state.analytics.hot_cache_bytes(),
    })))
}

/// The copy's lag as a tenant may see it: whether it has caught up, how far
/// along it is, and how old the last refresh is. Sequence numbers and signal
/// counts are server-wide, so they would tell one tenant how much every other
/// tenant sends: they stay in the server's logs.
pub(crate) fn tenant_lag(lag: &throughline_analytics::Lag) -> Value {
    let progress = if lag.store_high_water <= 0 {
        1.0
    } else {
        (lag.copy_high_water as f64 / lag.store_high_water as f64).clamp(0.0, 1.0)
    };
    json!({
        "caught_up": lag.behind_signals == 0,
        "progress": (progress * 100.0).floor() / 100.0,
        "last_refresh_age_ms": lag.last_refresh_age_ms,
    })
}
