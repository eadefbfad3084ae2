//! Integration tests of the analytics copy, in one binary for link time:
//! SQL answers on a hand-checked fixture, workspace isolation, read-only
//! enforcement, and the copy's life cycle (refresh, flush, restart, rebuild).

mod fake_store;
mod folded;
mod hostile;
mod hot;
mod lifecycle;
mod sql;
mod sqlite;
mod text;

use std::path::Path;
use std::sync::Arc;

use serde_json::{json, Value};
use throughline_analytics::{AnalyticsConfig, AnalyticsCopy};
use throughline_domain::WorkspaceId;

pub use fake_store::FakeStore;

pub const WS1: WorkspaceId = WorkspaceId(1);
pub const WS2: WorkspaceId = WorkspaceId(2);

/// A survey response of `email` with the given extra fields.
pub fn survey(id: &str, email: &str, extra: Value) -> Value {
    let mut record = json!({
        "kind": "survey_response", "source": "qualtrics", "external_id": id,
        "occurred_at": "2026-03-01T14:30:00+01:00", "customer": {"email": email},
    });
    for (k, v) in extra.as_object().expect("extra is an object") {
        record[k] = v.clone();
    }
    record
}

/// The fixture every SQL test starts from. Workspace 1, by hand:
/// six signals; nps 10, 9, 8, 3 (mean 7.5; promoters 2, detractors 1: NPS 25);
/// csat 5, 3, 1 (mean 3); channel web ×3, store ×1; one transaction of 19.99 EUR.
/// Workspace 2: two detractors (nps 0) on channel `secret`.
pub fn fixture(store: &FakeStore) {
    let web = |nps: u8| json!({"nps": nps, "channel": "web"});
    store.add(
        1,
        1,
        survey(
            "r1",
            "ann@x.com",
            json!({"nps": 10, "csat": 5, "channel": "web", "brand": "Northwind"}),
        ),
    );
    store.add(1, 2, survey("r2", "bob@x.com", web(9)));
    store.add(
        1,
        3,
        survey(
            "r3",
            "cat@x.com",
            json!({"nps": 8, "csat": 3, "channel": "store"}),
        ),
    );
    store.add(
        1,
        1,
        survey(
            "r4",
            "ann@x.com",
            json!({"nps": 3, "csat": 1, "channel": "web", "text": "Slow"}),
        ),
    );
    store.add(1, 4, json!({
        "kind": "ticket", "source": "zendesk", "external_id": "t1",
        "occurred_at": "2026-03-02T09:00:00Z", "resolved_at": "2026-03-02T11:00:00Z",
        "customer": {"email": "dan@x.com", "phone": "+442079460958"}, "text": "Where is my order?",
        "properties": {"priority": "high"}
    }));
    store.add(
        1,
        2,
        json!({
            "kind": "transaction", "source": "shop", "external_id": "o1",
            "occurred_at": "2026-03-03T10:00:00Z", "customer": {"account_id": "C-2"},
            "amount": 19.99, "currency": "EUR"
        }),
    );
    store.add(
        2,
        10,
        survey("r1", "eve@y.com", json!({"nps": 0, "channel": "secret"})),
    );
    store.add(
        2,
        11,
        survey("r2", "fay@y.com", json!({"nps": 0, "channel": "secret"})),
    );
}

/// Small limits so that a handful of rows exercises segments and compaction.
pub fn small_config() -> AnalyticsConfig {
    AnalyticsConfig {
        pull_chunk: 3,
        tail_max_rows: 1000,
        compact_below_rows: 100,
        compact_min_segments: 3,
        // Small zones, so the hot cache's zone pruning is exercised by small data.
        zone_rows: 16,
        ..AnalyticsConfig::default()
    }
}

pub fn open(dir: &Path, store: &Arc<FakeStore>) -> AnalyticsCopy {
    AnalyticsCopy::open_with(dir.to_path_buf(), store.clone(), small_config()).expect("copy opens")
}

/// A fixture store and a refreshed copy of it in a fresh directory.
pub async fn fixture_copy() -> (tempfile::TempDir, Arc<FakeStore>, AnalyticsCopy) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FakeStore::default());
    fixture(&store);
    let copy = open(dir.path(), &store);
    copy.refresh().await.expect("refresh");
    (dir, store, copy)
}

/// The rows of `sql` in `workspace`, as JSON.
pub async fn rows(copy: &AnalyticsCopy, workspace: WorkspaceId, sql: &str) -> Vec<Vec<Value>> {
    match copy.query(workspace, sql).await {
        Ok(result) => result.rows,
        Err(e) => panic!("{sql}: {e}"),
    }
}

/// The single value `sql` answers in `workspace`.
pub async fn scalar(copy: &AnalyticsCopy, workspace: WorkspaceId, sql: &str) -> Value {
    let rows = rows(copy, workspace, sql).await;
    assert_eq!(rows.len(), 1, "{sql} gave {rows:?}");
    rows[0][0].clone()
}
