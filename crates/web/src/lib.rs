//! Throughline's HTTP API. Routes translate HTTP to calls on the store and the
//! analytics copy and back; nothing below this crate knows about HTTP.
//!
//! API boundary: every `/api/v1` route except the spec needs a workspace API key;
//! the key decides the workspace, so one workspace can never address another's data.

mod auth;
mod error;
mod export;
mod extract;
mod lag;
mod limits;
mod openapi;
mod params;
mod routes;
mod serve;
mod ui;

pub use error::ApiError;
pub use limits::ServerLimits;
pub use serve::serve_with_limits;

use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use throughline_analytics::AnalyticsCopy;
use throughline_dashboard::Dashboard;
use throughline_domain::IdentityPolicy;
use throughline_ingest::{BatchLimits, PiiPolicy};
use throughline_store::Store;

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub analytics: Arc<AnalyticsCopy>,
    pub policy: Arc<IdentityPolicy>,
    pub limits: BatchLimits,
    /// Workspaces whose texts are redacted before they are stored.
    pub pii: Arc<PiiPolicy>,
    pub dashboard: Dashboard,
    /// Serve the dashboard pages to other machines too (they have no login yet).
    pub ui_open: bool,
    /// The workspace `/` shows.
    pub ui_workspace: String,
}

/// The whole application as one `Router`, ready for [`serve`].
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
        .route("/api/v1/text/analyze", post(routes::text::analyze))
        .route("/api/v1/metrics/overview", get(routes::metrics::overview))
        .route("/api/v1/metrics/explore", get(routes::metrics::explore))
        .route("/api/v1/metrics/drivers", get(routes::metrics::drivers))
        .route("/api/v1/metrics/alerts", get(routes::metrics::alerts))
        .route("/api/v1/value", get(routes::value::value))
        .route("/api/v1/glossary", get(routes::metrics::glossary))
        .route(
            "/api/v1/profiles/{id}/value",
            get(routes::value::profile_value),
        )
        .route(
            "/api/v1/acquisition-spend",
            get(routes::value::list_spend).post(routes::value::put_spend),
        )
        .route("/", get(ui::home))
        .route("/workspaces", get(ui::workspaces))
        .route("/assets/app.css", get(ui::stylesheet))
        .route("/w/{ws}", get(ui::workspace_root))
        .route("/w/{ws}/", get(ui::overview))
        .route("/w/{ws}/explore", get(ui::explore))
        .route("/w/{ws}/drivers", get(ui::drivers))
        .route("/w/{ws}/alerts", get(ui::alerts))
        .route("/w/{ws}/value", get(ui::value))
        .route("/w/{ws}/export/{page}", get(ui::export))
        .route("/w/{ws}/glossary", get(ui::glossary))
        .route("/w/{ws}/profiles/{id}", get(ui::profile))
        .route("/w/{ws}/explain", get(ui::explain).post(ui::explain_posted))
        .with_state(state)
}

/// Serves until `shutdown` resolves, then stops accepting and lets in-flight
/// requests finish (an acknowledged batch is never cut off mid-write), within the
/// default [`ServerLimits`].
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with_limits(listener, state, ServerLimits::default(), shutdown).await
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
