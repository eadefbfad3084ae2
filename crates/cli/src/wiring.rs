//! Builds the running parts from settings: the one place that picks a store backend.

use anyhow::Context;
use std::sync::Arc;
use throughline_analytics::{AnalyticsConfig, AnalyticsCopy, TextAnalyzer};
use throughline_dashboard::{Dashboard, DashboardSettings};
use throughline_domain::IdentityPolicy;
use throughline_ingest::{BatchLimits, PiiPolicy};
use throughline_store::Store;
use throughline_store_postgres::PostgresStore;
use throughline_store_sqlite::{Durability, SqliteStore};

use crate::settings::Settings;

/// Opens the system of record: PostgreSQL when a URL is given, else the SQLite
/// file in the data dir. The only backend `match` in the program.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    match &settings.database_url {
        Some(url) => {
            let store = PostgresStore::connect(url)
                .await
                .context("cannot open PostgreSQL")?;
            Ok(Arc::new(store))
        }
        None => {
            std::fs::create_dir_all(&settings.data_dir).with_context(|| {
                format!("cannot create data dir {}", settings.data_dir.display())
            })?;
            let path = settings.data_dir.join("throughline.sqlite");
            let store = SqliteStore::open(&path, Durability::Full)
                .with_context(|| format!("cannot open {}", path.display()))?;
            Ok(Arc::new(store))
        }
    }
}

/// The analytics copy lives in the data dir whatever the backend.
pub async fn open_analytics(
    settings: &Settings,
    store: Arc<dyn Store>,
) -> anyhow::Result<Arc<AnalyticsCopy>> {
    open_analytics_in(settings, &settings.data_dir, store)
}

/// The copy kept in `data_dir` (a bench's own directory), opened as `serve` opens
/// it: the settings' `[analytics]` and `[text]`.
pub fn open_analytics_in(
    settings: &Settings,
    data_dir: &std::path::Path,
    store: Arc<dyn Store>,
) -> anyhow::Result<Arc<AnalyticsCopy>> {
    let dir = data_dir.join("analytics");
    let config = analytics_config(settings)?;
    let copy =
        AnalyticsCopy::open_with(dir, store, config).context("cannot open the analytics copy")?;
    Ok(Arc::new(copy))
}

/// The analytics copy's settings: the `[analytics]` and `[text]` sections over the defaults.
pub fn analytics_config(settings: &Settings) -> anyhow::Result<AnalyticsConfig> {
    let mut config = AnalyticsConfig {
        text: text_analyzer(settings)?,
        ..AnalyticsConfig::default()
    };
    if let Some(mib) = settings.analytics.hot_cache_mib {
        config.hot_cache_bytes = mib << 20;
    }
    if let Some(mib) = settings.analytics.fold_memo_mib {
        config.fold_memo_bytes = mib << 20;
    }
    let file = &settings.analytics;
    if let Some(secs) = file.query_timeout_secs {
        anyhow::ensure!(
            secs > 0,
            "[analytics] query_timeout_secs must be at least 1"
        );
        config.query_timeout = std::time::Duration::from_secs(secs);
    }
    if let Some(n) = file.max_queries {
        config.admission.total = n.max(1);
    }
    if let Some(n) = file.max_queries_per_workspace {
        config.admission.per_workspace = n.max(1);
    }
    if let Some(mib) = file.query_memory_mib {
        config.query_memory_bytes = mib.max(1) << 20;
    }
    Ok(config)
}

/// The text analyser with the configured taxonomy (or the shipped default).
pub fn text_analyzer(settings: &Settings) -> anyhow::Result<TextAnalyzer> {
    match &settings.text.taxonomy {
        Some(path) => {
            let source = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read taxonomy {}", path.display()))?;
            let taxonomy = throughline_text::Taxonomy::parse(&source)
                .with_context(|| format!("invalid taxonomy {}", path.display()))?;
            Ok(TextAnalyzer::new(taxonomy))
        }
        None => Ok(TextAnalyzer::default()),
    }
}

/// Everything the HTTP layer shares, built from settings.
pub fn app_state(
    settings: &Settings,
    store: Arc<dyn Store>,
    analytics: Arc<AnalyticsCopy>,
) -> throughline_web::AppState {
    let mut dashboard = DashboardSettings::default();
    if let Some(days) = settings.dashboard.fcr_window_days {
        dashboard.fcr_window_days = days;
    }
    if let Some(hours) = settings.dashboard.first_response_sla_hours {
        dashboard.first_response_sla_hours = hours;
    }
    dashboard.value = settings.value.clone();
    if let Some(keys) = &settings.dashboard.segment_properties {
        dashboard.segment_properties = keys.clone();
    }
    if let Some(secs) = settings.dashboard.overview_max_stale_secs {
        dashboard.overview_max_stale_secs = secs;
    }
    throughline_web::AppState {
        store,
        dashboard: Dashboard::new(analytics.clone(), dashboard),
        analytics,
        policy: Arc::new(identity_policy(settings)),
        limits: batch_limits(settings),
        pii: Arc::new(PiiPolicy::from_names(&settings.text.redact_pii)),
        ui_open: settings.ui.open,
        ui_workspace: ui_workspace(settings),
    }
}

/// The workspace the dashboard pages show: `[ui] workspace`, else the demo's.
pub fn ui_workspace(settings: &Settings) -> String {
    settings
        .ui
        .workspace
        .clone()
        .unwrap_or_else(|| crate::commands::demo::DEMO_WORKSPACE.to_string())
}

pub fn identity_policy(settings: &Settings) -> IdentityPolicy {
    let mut policy = IdentityPolicy::default();
    policy.deny.extend(settings.identity.deny.iter().cloned());
    policy
        .shared_local_parts
        .extend(settings.identity.shared_local_parts.iter().cloned());
    policy
}

pub fn batch_limits(settings: &Settings) -> BatchLimits {
    let mut limits = BatchLimits::default();
    if let Some(max) = settings.intake.max_body_bytes {
        limits.max_body_bytes = max;
    }
    if let Some(max) = settings.intake.max_records {
        limits.max_records = max;
    }
    limits
}
