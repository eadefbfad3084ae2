//! The overview's result cache against a real store and copy: answers from the
//! cache only while the copy is unchanged, counts new signals at once when
//! staleness is off, serves a marked stale answer while recomputing when it is on,
//! and shares one computation between concurrent requests.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use throughline_analytics::AnalyticsCopy;
use throughline_dashboard::{Dashboard, DashboardSettings, Filters, Overview};
use throughline_domain::{IdentityPolicy, Signal, WorkspaceId};
use throughline_store::Store;
use throughline_store_sqlite::{Durability, SqliteStore};

struct Small {
    _dir: tempfile::TempDir,
    store: Arc<dyn Store>,
    copy: Arc<AnalyticsCopy>,
    ws: WorkspaceId,
    next: usize,
}

impl Small {
    async fn new() -> Small {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::open(&dir.path().join("db.sqlite"), Durability::Normal).unwrap());
        let ws = store.ensure_workspace("small").await.unwrap().id;
        let copy =
            Arc::new(AnalyticsCopy::open(dir.path().join("analytics"), store.clone()).unwrap());
        Small {
            _dir: dir,
            store,
            copy,
            ws,
            next: 0,
        }
    }

    fn dashboard(&self, max_stale_secs: u64) -> Dashboard {
        let settings = DashboardSettings {
            overview_max_stale_secs: max_stale_secs,
            ..DashboardSettings::default()
        };
        Dashboard::new(self.copy.clone(), settings)
    }

    /// One customer survey response per score, all in March 2026, then a refresh.
    async fn answer(&mut self, scores: &[u8]) {
        self.answer_for("Northwind", scores).await;
    }

    async fn answer_for(&mut self, brand: &str, scores: &[u8]) {
        self.answer_on("2026-03-10", brand, scores).await;
    }

    async fn answer_on(&mut self, day: &str, brand: &str, scores: &[u8]) {
        let batch: Vec<Signal> = scores
            .iter()
            .map(|&nps| {
                self.next += 1;
                let n = self.next;
                Signal::parse(&json!({"kind": "survey_response", "source": "survey",
                    "external_id": format!("r{n}"), "occurred_at": format!("{day}T10:00:00Z"),
                    "customer": {"email": format!("c{n}@example.com")}, "nps": nps, "brand": brand}))
                .unwrap()
            })
            .collect();
        self.store
            .ingest(self.ws, &batch, &IdentityPolicy::default())
            .await
            .unwrap();
        self.copy.refresh().await.unwrap();
    }
}

/// The NPS tile's value and n.
fn nps(o: &Overview) -> (f64, u64) {
    let tile = o.tiles.iter().find(|t| t.key == "nps").unwrap();
    (tile.current.value, tile.current.n)
}

const FIRST: [u8; 10] = [10, 10, 10, 9, 9, 9, 8, 7, 3, 0];

#[tokio::test]
async fn an_unchanged_copy_is_answered_from_the_cache_and_equals_a_fresh_computation() {
    let mut w = Small::new().await;
    w.answer(&FIRST).await;
    let dash = w.dashboard(30);
    let first = dash.overview(w.ws, &Filters::default()).await.unwrap();
    // 6 promoters, 2 passives, 2 detractors of 10: NPS 40.
    assert_eq!(nps(&first), (40.0, 10));
    let again = dash.overview(w.ws, &Filters::default()).await.unwrap();
    let (f1, f2) = (first.freshness.clone().unwrap(), again.freshness.unwrap());
    assert!(f1.fresh && f2.fresh);
    assert_eq!(
        f1.computed_at, f2.computed_at,
        "the second answer is the cached one"
    );
    let direct = dash
        .compute_overview(w.ws, &Filters::default())
        .await
        .unwrap();
    assert_eq!(
        Overview {
            freshness: None,
            ..first
        },
        direct
    );
    // Other filters are another entry.
    let lumen = Filters {
        brand: Some("Lumen".into()),
        ..Filters::default()
    };
    let filtered = dash.overview(w.ws, &lumen).await.unwrap();
    assert!(filtered.as_of.is_none(), "no signal has brand Lumen");
    let northwind = Filters {
        brand: Some("Northwind".into()),
        ..Filters::default()
    };
    let filtered = dash.overview(w.ws, &northwind).await.unwrap();
    assert_eq!(nps(&filtered), (40.0, 10));
}

#[tokio::test]
async fn new_signals_are_counted_at_once_when_staleness_is_off() {
    let mut w = Small::new().await;
    w.answer(&FIRST).await;
    let dash = w.dashboard(0);
    let before = dash.overview(w.ws, &Filters::default()).await.unwrap();
    w.answer(&[0; 10]).await;
    let after = dash.overview(w.ws, &Filters::default()).await.unwrap();
    // 6 promoters, 12 detractors of 20: NPS −30.
    assert_eq!(nps(&after), (-30.0, 20));
    let (b, a) = (before.freshness.unwrap(), after.freshness.unwrap());
    assert!(a.fresh);
    assert!(a.computed_at > b.computed_at);
}

#[tokio::test]
async fn a_stale_answer_is_marked_and_replaced_by_the_background_recomputation() {
    let mut w = Small::new().await;
    w.answer(&FIRST).await;
    let dash = w.dashboard(3_600);
    dash.overview(w.ws, &Filters::default()).await.unwrap();
    w.answer(&[0; 10]).await;
    let stale = dash.overview(w.ws, &Filters::default()).await.unwrap();
    assert_eq!(nps(&stale), (40.0, 10), "the previous figures, at once");
    assert!(!stale.freshness.unwrap().fresh, "marked as not fresh");
    let started = Instant::now();
    loop {
        let o = dash.overview(w.ws, &Filters::default()).await.unwrap();
        if o.freshness.as_ref().unwrap().fresh {
            assert_eq!(nps(&o), (-30.0, 20));
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never recomputed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_share_one_computation() {
    let mut w = Small::new().await;
    w.answer(&FIRST).await;
    let dash = w.dashboard(0);
    let ws = w.ws;
    let requests: Vec<_> = (0..8)
        .map(|_| {
            let dash = dash.clone();
            tokio::spawn(async move { dash.overview(ws, &Filters::default()).await.unwrap() })
        })
        .collect();
    let mut stamps = Vec::new();
    for r in requests {
        stamps.push(r.await.unwrap().freshness.unwrap().computed_at);
    }
    stamps.dedup();
    assert_eq!(stamps.len(), 1, "one computation answered all eight");
}

#[tokio::test]
async fn filter_menus_follow_new_signals() {
    let mut w = Small::new().await;
    w.answer(&FIRST).await;
    let dash = w.dashboard(30);
    let brands = |menus: Vec<(&'static str, Vec<String>)>| menus[0].1.clone();
    let before = dash
        .dimension_values(w.ws, &[throughline_domain::Dimension::Brand])
        .await
        .unwrap();
    assert_eq!(brands(before), ["Northwind"]);
    w.answer_for("Kestrel", &[5]).await;
    let after = dash
        .dimension_values(w.ws, &[throughline_domain::Dimension::Brand])
        .await
        .unwrap();
    assert_eq!(brands(after), ["Kestrel", "Northwind"]);
}

#[tokio::test]
async fn the_newest_day_follows_new_signals() {
    let mut w = Small::new().await;
    w.answer(&FIRST).await;
    let dash = w.dashboard(0);
    let before = dash.overview(w.ws, &Filters::default()).await.unwrap();
    assert_eq!(before.as_of.unwrap().to_string(), "2026-03-10");
    w.answer_on("2026-04-02", "Northwind", &[10]).await;
    let after = dash.overview(w.ws, &Filters::default()).await.unwrap();
    assert_eq!(after.as_of.unwrap().to_string(), "2026-04-02");
}
