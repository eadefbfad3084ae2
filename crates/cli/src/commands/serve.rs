//! `throughline serve`: the HTTP API over the configured store, with the analytics
//! copy refreshed in the background.

use anyhow::Context;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use throughline_domain::Chain;

use throughline_analytics::AnalyticsCopy;
use throughline_dashboard::{Dashboard, Filters};
use throughline_domain::WorkspaceId;

use crate::settings::Settings;
use crate::wiring;

pub async fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
    let store = wiring::open_store(settings).await?;
    // The pages' workspace, if it exists, gets its overview (and the columns it
    // reads) ready before the first view.
    let warm = store
        .workspace_by_name(&wiring::ui_workspace(settings))
        .await?
        .map(|w| w.id);
    serve_store(settings, store, warm).await?;
    Ok(ExitCode::SUCCESS)
}

/// Serves `store` until SIGTERM / Ctrl-C, then drains and flushes the analytics tail.
/// With `warm`, that workspace's default overview is computed once the copy has
/// caught up, so the first page view is answered from the cache.
pub async fn serve_store(
    settings: &Settings,
    store: Arc<dyn throughline_store::Store>,
    warm: Option<WorkspaceId>,
) -> anyhow::Result<()> {
    let analytics = wiring::open_analytics(settings, store.clone()).await?;
    // The columns queries read before the restart, decoded again in the background.
    let warming = analytics.clone();
    tokio::spawn(async move {
        if let Err(e) = warming.warm().await {
            tracing::warn!(error = %Chain(&e), "hot column cache warm-up failed");
        }
    });
    let refresher = analytics
        .clone()
        .spawn_refresher(Duration::from_millis(250));
    let state = wiring::app_state(settings, store, analytics.clone());
    if let Some(ws) = warm {
        tokio::spawn(warm_overview(
            analytics.clone(),
            state.dashboard.clone(),
            ws,
        ));
    }
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, backend = state.store.backend(), "serving");
    println!("listening on http://{addr}");
    // The defaults until `[server]` settings carry them (max_connections,
    // header_read_timeout_secs, request_body_timeout_secs, write_timeout_secs,
    // intake_buffer_mib, intake_wait_ms).
    let limits = throughline_web::ServerLimits::default();
    throughline_web::serve_with_limits(listener, state, limits, throughline_web::shutdown_signal())
        .await?;
    refresher.abort();
    if let Err(e) = analytics.flush().await {
        tracing::warn!(error = %Chain(&e), "could not flush the analytics tail at shutdown");
    }
    Ok(())
}

/// Waits for the copy to catch up with the store, then computes `ws`'s default overview.
async fn warm_overview(analytics: Arc<AnalyticsCopy>, dashboard: Dashboard, ws: WorkspaceId) {
    loop {
        match analytics.lag().await {
            Ok(lag) if lag.behind_signals == 0 && lag.last_refresh_age_ms.is_some() => break,
            Ok(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            Err(e) => {
                tracing::warn!(error = %Chain(&e), "cannot warm the overview");
                return;
            }
        }
    }
    let started = std::time::Instant::now();
    match dashboard.overview(ws, &Filters::default()).await {
        Ok(_) => tracing::info!(
            ms = started.elapsed().as_millis() as u64,
            "overview computed ahead of the first view"
        ),
        Err(e) => tracing::warn!(error = %Chain(&e), "cannot warm the overview"),
    }
}
