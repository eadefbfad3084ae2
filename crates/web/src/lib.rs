//! Throughline's HTTP API. Routes translate HTTP to calls on the store and the
//! analytics copy and back; nothing below this crate knows about HTTP.
//!
//! API boundary: every `/api/v1` route except the spec needs a workspace API key;
//! the key decides the workspace, so one workspace can never address another's data.

mod auth;
mod error;
mod openapi;
mod routes;

pub use error::ApiError;

use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use throughline_analytics::AnalyticsCopy;
use throughline_domain::IdentityPolicy;
use throughline_ingest::BatchLimits;
use throughline_store::Store;

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub analytics: Arc<AnalyticsCopy>,
    pub policy: Arc<IdentityPolicy>,
    pub limits: BatchLimits,
}

/// The whole application as one `Router`, ready for `axum::serve`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .route("/api/v1/openapi.json", get(openapi::spec))
        .route("/api/v1/status", get(routes::health::status))
        .route("/api/v1/signals", post(routes::signals::ingest))
        .route("/api/v1/profiles/{id}", get(routes::profiles::profile))
        .route(
            "/api/v1/profiles/{id}/timeline",
            get(routes::profiles::timeline),
        )
        .route("/api/v1/merges/{id}/undo", post(routes::profiles::unmerge))
        .route("/api/v1/query", post(routes::query::query))
        .with_state(state)
}

/// Serves until `shutdown` resolves, then stops accepting and lets in-flight
/// requests finish (an acknowledged batch is never cut off mid-write).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves on SIGTERM or Ctrl-C: the shutdown signal `serve` expects in production.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown signal received; draining in-flight requests");
}
