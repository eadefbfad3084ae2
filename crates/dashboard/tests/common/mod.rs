//! The demo company (5 000 customers) in a fresh SQLite store and analytics copy,
//! built once per test binary and shared by its tests.

// Each test binary uses its own part of the world.
#![allow(dead_code)]

use std::sync::Arc;
use tokio::sync::OnceCell;

use throughline_analytics::AnalyticsCopy;
use throughline_dashboard::{Dashboard, DashboardSettings};
use throughline_demo::DemoConfig;
use throughline_domain::{IdentityPolicy, WorkspaceId};
use throughline_store::Store;
use throughline_store_sqlite::{Durability, SqliteStore};

pub struct World {
    _dir: tempfile::TempDir,
    pub dash: Dashboard,
    pub copy: Arc<AnalyticsCopy>,
    pub store: Arc<dyn Store>,
    pub ws: WorkspaceId,
}

/// One demo company (5 000 customers) shared by every test in the binary.
pub async fn world() -> &'static World {
    static WORLD: OnceCell<World> = OnceCell::const_new();
    WORLD.get_or_init(build).await
}

async fn build() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("db.sqlite"), Durability::Normal).unwrap());
    let ws = store.ensure_workspace("demo").await.unwrap().id;
    let config = DemoConfig {
        customers: 5_000,
        ..DemoConfig::default()
    };
    let mut signals = Vec::new();
    let mut tally = throughline_demo::AcquisitionTally::default();
    throughline_demo::generate(&config, |s| {
        tally.observe(&s);
        signals.push(s);
    });
    store
        .put_acquisition_spend(ws, &tally.spend(config.seed))
        .await
        .unwrap();
    for chunk in signals.chunks(10_000) {
        store
            .ingest(ws, chunk, &IdentityPolicy::default())
            .await
            .unwrap();
    }
    let copy = Arc::new(AnalyticsCopy::open(dir.path().join("analytics"), store.clone()).unwrap());
    copy.refresh().await.unwrap();
    let dash = Dashboard::new(copy.clone(), DashboardSettings::default());
    World {
        _dir: dir,
        dash,
        copy,
        store,
        ws,
    }
}
