//! `throughline serve`: the HTTP API over the configured store, with the analytics
//! copy refreshed in the background.

use anyhow::Context;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::settings::Settings;
use crate::wiring;

pub async fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
    let store = wiring::open_store(settings).await?;
    serve_store(settings, store).await?;
    Ok(ExitCode::SUCCESS)
}

/// Serves `store` until SIGTERM / Ctrl-C, then drains and flushes the analytics tail.
pub async fn serve_store(
    settings: &Settings,
    store: Arc<dyn throughline_store::Store>,
) -> anyhow::Result<()> {
    let analytics = wiring::open_analytics(settings, store.clone()).await?;
    let refresher = analytics
        .clone()
        .spawn_refresher(Duration::from_millis(250));
    let state = wiring::app_state(settings, store, analytics.clone());
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, backend = state.store.backend(), "serving");
    println!("listening on http://{addr}");
    throughline_web::serve(listener, state, throughline_web::shutdown_signal()).await?;
    refresher.abort();
    if let Err(e) = analytics.flush().await {
        tracing::warn!(error = %e, "could not flush the analytics tail at shutdown");
    }
    Ok(())
}
