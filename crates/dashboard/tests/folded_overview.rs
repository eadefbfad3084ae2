//! The overview's parts are kept folded per segment prefix by the analytics copy,
//! so a miss after new signals reads only what is new. Here the demo company
//! arrives in three parts (the last one while the dashboard is already in use)
//! and every overview is checked against one computed by a copy that reads every
//! row afresh (the hot column cache off: nothing is kept).

use std::sync::Arc;

use serde_json::Value;
use throughline_analytics::{AnalyticsConfig, AnalyticsCopy};
use throughline_dashboard::{Dashboard, DashboardSettings, Filters};
use throughline_demo::DemoConfig;
use throughline_domain::{IdentityPolicy, Signal, WorkspaceId};
use throughline_store::Store;
use throughline_store_sqlite::{Durability, SqliteStore};

/// Equal up to the last bits of floating-point sums added in another order.
fn assert_close(a: &Value, b: &Value, path: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            let scale = x.abs().max(y.abs()).max(1.0);
            assert!((x - y).abs() <= 1e-9 * scale, "{path}: {x} vs {y}");
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}: lengths");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                assert_close(x, y, &format!("{path}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(x.len(), y.len(), "{path}: keys");
            for (k, v) in x {
                assert_close(v, &y[k], &format!("{path}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}

struct Pair {
    kept: Dashboard,
    whole: Dashboard,
    kept_copy: Arc<AnalyticsCopy>,
    whole_copy: Arc<AnalyticsCopy>,
    ws: WorkspaceId,
}

impl Pair {
    async fn refresh(&self) {
        self.kept_copy.refresh().await.unwrap();
        self.whole_copy.refresh().await.unwrap();
    }

    async fn same_overviews(&self, filters: &[Filters]) {
        for f in filters {
            let kept = self.kept.compute_overview(self.ws, f).await.unwrap();
            let whole = self.whole.compute_overview(self.ws, f).await.unwrap();
            assert!(!kept.tiles.is_empty());
            assert_close(
                &serde_json::to_value(&kept).unwrap(),
                &serde_json::to_value(&whole).unwrap(),
                &format!("{f:?}"),
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overviews_from_kept_parts_equal_overviews_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("db.sqlite"), Durability::Normal).unwrap());
    let ws = store.ensure_workspace("demo").await.unwrap().id;
    let mut signals: Vec<Signal> = Vec::new();
    let config = DemoConfig {
        customers: 1_500,
        ..DemoConfig::default()
    };
    throughline_demo::generate(&config, |s| signals.push(s));
    let ingest = |part: &[Signal]| {
        let store = store.clone();
        let part = part.to_vec();
        async move {
            for chunk in part.chunks(5_000) {
                store
                    .ingest(ws, chunk, &IdentityPolicy::default())
                    .await
                    .unwrap();
            }
        }
    };
    // Several segments, never compacted (so each new one extends the kept prefix).
    let small = AnalyticsConfig {
        tail_max_rows: 8_000,
        compact_below_rows: 1_000,
        ..AnalyticsConfig::default()
    };
    let open = |name: &str, hot_cache_bytes: usize| {
        let config = AnalyticsConfig {
            hot_cache_bytes,
            ..small.clone()
        };
        Arc::new(AnalyticsCopy::open_with(dir.path().join(name), store.clone(), config).unwrap())
    };
    let (kept_copy, whole_copy) = (open("kept", 1 << 30), open("whole", 0));
    let settings = DashboardSettings::default();
    let pair = Pair {
        kept: Dashboard::new(kept_copy.clone(), settings.clone()),
        whole: Dashboard::new(whole_copy.clone(), settings),
        kept_copy,
        whole_copy,
        ws,
    };
    let (first, rest) = signals.split_at(signals.len() * 8 / 10);
    let (second, third) = rest.split_at(rest.len() / 2);
    ingest(first).await;
    pair.refresh().await;
    let menus = pair
        .kept
        .dimension_values(ws, &[throughline_domain::Dimension::Brand])
        .await
        .unwrap();
    let filters = vec![
        Filters::default(),
        Filters {
            brand: menus[0].1.first().cloned(),
            months: Some(1),
            ..Filters::default()
        },
    ];
    pair.same_overviews(&filters).await;
    assert!(pair.kept_copy.fold_memo_bytes() > 0, "parts are kept");

    // New signals in the tail only, then enough for new segments after the kept ones.
    for part in [&second[..50], &second[50..], third] {
        ingest(part).await;
        pair.refresh().await;
        pair.same_overviews(&filters).await;
    }
    assert!(pair.kept_copy.tail_rows() > 0);
}
