//! Builds the running parts from settings: the one place that picks a store backend.

use anyhow::Context;
use std::sync::Arc;
use throughline_analytics::AnalyticsCopy;
use throughline_domain::IdentityPolicy;
use throughline_ingest::BatchLimits;
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
    let dir = settings.data_dir.join("analytics");
    let copy = AnalyticsCopy::open(dir, store).context("cannot open the analytics copy")?;
    Ok(Arc::new(copy))
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
