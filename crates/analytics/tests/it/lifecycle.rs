//! The copy's life: incremental refresh, segments and the manifest, restart
//! without a rebuild, rebuild, compaction, the background refresher and lag.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use throughline_analytics::{AnalyticsConfig, AnalyticsCopy, Manifest};

use crate::{fixture, fixture_copy, open, rows, scalar, small_config, survey, FakeStore, WS1, WS2};

const COUNT: &str = "SELECT count(*) FROM signals";
/// Enough queries to compare two copies row by row.
const PROBES: [&str; 4] = [
    "SELECT * FROM signals ORDER BY source, external_id",
    "SELECT channel, avg(nps), count(*) FROM signals GROUP BY channel ORDER BY channel",
    "SELECT * FROM profiles ORDER BY profile_id",
    "SELECT max(received_at), min(received_at) FROM signals",
];

async fn probe(copy: &AnalyticsCopy) -> Vec<Vec<Vec<serde_json::Value>>> {
    let mut out = Vec::new();
    for ws in [WS1, WS2] {
        for sql in PROBES {
            out.push(rows(copy, ws, sql).await);
        }
    }
    out
}

#[tokio::test]
async fn refresh_picks_up_new_rows_incrementally() {
    let (_dir, store, copy) = fixture_copy().await;
    assert_eq!(store.pulled(), 8);
    store.add(1, 5, survey("r5", "hal@x.com", json!({"nps": 10})));
    store.add(1, 5, survey("r6", "hal@x.com", json!({"nps": 2})));
    // Not yet refreshed: the copy answers from what it had.
    assert_eq!(scalar(&copy, WS1, COUNT).await, json!(6));
    let stats = copy.refresh().await.unwrap();
    assert_eq!((stats.pulled, stats.high_water), (2, 10));
    assert_eq!(store.pulled(), 10, "only the new rows were pulled");
    assert_eq!(scalar(&copy, WS1, COUNT).await, json!(8));
    assert_eq!(
        scalar(&copy, WS1, "SELECT avg(nps) FROM signals").await,
        json!(7.0)
    );
    assert_eq!(copy.refresh().await.unwrap().pulled, 0);
}

#[tokio::test]
async fn a_restart_resumes_from_the_manifest_without_rebuilding() {
    let (dir, store, copy) = fixture_copy().await;
    let before = probe(&copy).await;
    let stats = copy.flush().await.unwrap();
    assert_eq!((stats.segments_written, stats.high_water), (1, 8));
    let manifest = Manifest::load(dir.path()).unwrap().unwrap();
    assert_eq!((manifest.high_water, manifest.segments.len()), (8, 1));
    assert_eq!(manifest.segments[0].rows, 8);
    drop(copy);

    let pulled = store.pulled();
    let reopened = open(dir.path(), &store);
    // Before any refresh, the segments alone answer every query.
    assert_eq!(reopened.copy_high_water(), 8);
    assert_eq!(probe(&reopened).await, before);
    assert_eq!(reopened.refresh().await.unwrap().pulled, 0);
    assert_eq!(
        store.pulled(),
        pulled,
        "the manifest's seq was used: nothing was pulled again"
    );
    store.add(2, 12, survey("r9", "ivy@y.com", json!({"nps": 7})));
    assert_eq!(reopened.refresh().await.unwrap().pulled, 1);
    assert_eq!(store.pulled(), pulled + 1);
    assert_eq!(scalar(&reopened, WS2, COUNT).await, json!(3));
}

#[tokio::test]
async fn unflushed_tail_rows_are_pulled_again_after_a_restart() {
    let (dir, store, copy) = fixture_copy().await;
    copy.flush().await.unwrap();
    store.add(1, 5, survey("r5", "hal@x.com", json!({"nps": 1})));
    copy.refresh().await.unwrap();
    drop(copy);
    let reopened = open(dir.path(), &store);
    assert_eq!(
        scalar(&reopened, WS1, COUNT).await,
        json!(6),
        "the tail was memory only"
    );
    assert_eq!(reopened.refresh().await.unwrap().pulled, 1);
    assert_eq!(scalar(&reopened, WS1, COUNT).await, json!(7));
}

#[tokio::test]
async fn rebuild_gives_identical_results() {
    let (dir, store, copy) = fixture_copy().await;
    copy.flush().await.unwrap();
    store.add(1, 2, survey("r7", "bob@x.com", json!({"nps": 6})));
    copy.refresh().await.unwrap();
    let before = probe(&copy).await;
    let pulled = store.pulled();
    let stats = copy.rebuild().await.unwrap();
    assert_eq!((stats.pulled, stats.high_water), (9, 9));
    assert_eq!(store.pulled(), pulled + 9);
    assert_eq!(probe(&copy).await, before);
    let manifest = Manifest::load(dir.path()).unwrap().unwrap();
    assert_eq!(manifest.high_water, 9);
    assert!(manifest
        .segments
        .iter()
        .all(|s| s.file != "segment-00000001.parquet"));
    // And a restart after the rebuild still answers the same.
    drop(copy);
    assert_eq!(probe(&open(dir.path(), &store)).await, before);
}

#[tokio::test]
async fn a_full_tail_becomes_a_segment_and_small_segments_are_merged() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FakeStore::default());
    fixture(&store);
    let config = AnalyticsConfig {
        tail_max_rows: 2,
        retire_grace: Duration::ZERO,
        ..small_config()
    };
    let copy = AnalyticsCopy::open_with(dir.path().to_path_buf(), store.clone(), config).unwrap();
    let stats = copy.refresh().await.unwrap();
    // Chunks of 3 rows against a tail limit of 2: a segment per chunk, then merged.
    assert_eq!(stats.pulled, 8);
    assert!(stats.segments_written >= 3, "{stats:?}");
    assert!(stats.segments_merged >= 3, "{stats:?}");
    let manifest = Manifest::load(dir.path()).unwrap().unwrap();
    assert!(
        manifest.segments.len() < stats.segments_written,
        "{manifest:?}"
    );
    assert_eq!(manifest.segments.iter().map(|s| s.rows).sum::<u64>(), 8);
    assert_eq!(scalar(&copy, WS1, COUNT).await, json!(6));
    assert_eq!(
        scalar(&copy, WS1, "SELECT avg(nps) FROM signals").await,
        json!(7.5)
    );
    // Retired files go on the next refresh (grace zero here); only live segments stay.
    copy.refresh().await.unwrap();
    let mut on_disk: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".parquet"))
        .collect();
    on_disk.sort();
    let mut live: Vec<String> = manifest.segments.iter().map(|s| s.file.clone()).collect();
    live.sort();
    assert_eq!(on_disk, live);
}

#[tokio::test]
async fn a_damaged_manifest_means_a_rebuild_not_an_outage() {
    let (dir, store, copy) = fixture_copy().await;
    copy.flush().await.unwrap();
    drop(copy);
    std::fs::write(
        dir.path().join(throughline_analytics::MANIFEST_FILE),
        b"{not json",
    )
    .unwrap();
    let reopened = open(dir.path(), &store);
    assert_eq!(reopened.copy_high_water(), 0);
    assert_eq!(reopened.refresh().await.unwrap().pulled, 8);
    assert_eq!(scalar(&reopened, WS1, COUNT).await, json!(6));
}

#[tokio::test]
async fn a_missing_segment_file_means_a_rebuild_not_an_outage() {
    let (dir, store, copy) = fixture_copy().await;
    copy.flush().await.unwrap();
    drop(copy);
    let manifest = Manifest::load(dir.path()).unwrap().unwrap();
    std::fs::remove_file(dir.path().join(&manifest.segments[0].file)).unwrap();
    let reopened = open(dir.path(), &store);
    assert_eq!(reopened.copy_high_water(), 0);
    assert_eq!(reopened.refresh().await.unwrap().pulled, 8);
    assert_eq!(scalar(&reopened, WS1, COUNT).await, json!(6));
}

#[tokio::test]
async fn lag_reports_how_far_behind_the_copy_is() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FakeStore::default());
    fixture(&store);
    let copy = open(dir.path(), &store);
    let lag = copy.lag().await.unwrap();
    assert_eq!(
        (
            lag.store_high_water,
            lag.copy_high_water,
            lag.behind_signals
        ),
        (8, 0, 8)
    );
    assert_eq!(lag.last_refresh_age_ms, None);
    copy.refresh().await.unwrap();
    let lag = copy.lag().await.unwrap();
    assert_eq!(
        (
            lag.store_high_water,
            lag.copy_high_water,
            lag.behind_signals
        ),
        (8, 8, 0)
    );
    assert!(lag.last_refresh_age_ms.is_some_and(|ms| ms < 5_000));
}

#[tokio::test]
async fn the_refresher_follows_the_store_and_survives_its_errors() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FakeStore::default());
    let copy = Arc::new(open(dir.path(), &store));
    let handle = Arc::clone(&copy).spawn_refresher(Duration::from_millis(10));

    store.failing.store(true, Ordering::SeqCst);
    fixture(&store);
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(copy.copy_high_water(), 0, "the store is down");
    store.failing.store(false, Ordering::SeqCst);
    wait_until(|| copy.copy_high_water() == 8).await;
    assert_eq!(scalar(&copy, WS1, COUNT).await, json!(6));
    assert_eq!(copy.lag().await.unwrap().behind_signals, 0);

    // The refresher holds no strong reference: dropping the copy ends it.
    drop(copy);
    tokio::time::timeout(Duration::from_secs(5), handle)
        .await
        .unwrap()
        .unwrap();
}

async fn wait_until(mut done: impl FnMut() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("condition not reached in 5 s");
}
