//! The hot column cache: the same answers as reading the Parquet files, columns
//! kept only within the budget, segments a filter rules out never decoded, and
//! retired segments' columns let go.

use std::path::Path;
use std::sync::Arc;

use serde_json::{json, Value};
use throughline_analytics::{AnalyticsConfig, AnalyticsCopy};

use crate::{rows, small_config, FakeStore, WS1, WS2};

const KINDS: [&str; 4] = ["survey_response", "ticket", "transaction", "event"];

/// `n` signals of `workspace`: kinds, channels and times cycle so that every
/// filter below keeps some rows and drops others.
pub(crate) fn add_signals(store: &FakeStore, workspace: i64, from: usize, n: usize) {
    for i in from..from + n {
        let kind = KINDS[i % KINDS.len()];
        let channel = ["web", "app", "store"][i % 3];
        let mut record = json!({
            "kind": kind, "source": "gen", "external_id": format!("{workspace}-{i}"),
            "occurred_at": format!("2025-{:02}-{:02}T{:02}:00:00Z", 1 + i % 12, 1 + i % 28, i % 24),
            "customer": {"email": format!("c{}@x.com", i % 37)},
            "channel": channel,
        });
        match kind {
            "survey_response" => record["nps"] = json!(i % 11),
            "transaction" => {
                record["amount"] = json!((i % 50) as f64 + 0.5);
                record["currency"] = json!("EUR");
            }
            "ticket" => record["text"] = json!(format!("parcel {i} arrived late")),
            _ => record["action"] = json!("page_view"),
        }
        store.add(workspace, 1 + (i % 37) as i64, record);
    }
}

async fn copy_with(dir: &Path, store: &Arc<FakeStore>, hot_cache_bytes: usize) -> AnalyticsCopy {
    let config = AnalyticsConfig {
        hot_cache_bytes,
        ..small_config()
    };
    let copy = AnalyticsCopy::open_with(dir.to_path_buf(), store.clone(), config).unwrap();
    copy.refresh().await.unwrap();
    copy.flush().await.unwrap();
    copy
}

/// Two segments of workspace 1 only, then one of workspace 2 only, then an unflushed tail.
async fn store_in_segments(copies: &[&AnalyticsCopy], store: &FakeStore) {
    let parts = [
        (1, 0, 400, true),
        (1, 400, 300, true),
        (2, 0, 250, true),
        (1, 700, 20, false),
    ];
    for (workspace, from, n, flush) in parts {
        add_signals(store, workspace, from, n);
        for copy in copies {
            copy.refresh().await.unwrap();
            if flush {
                copy.flush().await.unwrap();
            }
        }
    }
}

const QUERIES: [&str; 10] = [
    "SELECT count(*) FROM signals",
    "SELECT kind, count(*), min(occurred_at), max(occurred_at) FROM signals GROUP BY 1 ORDER BY 1",
    "SELECT channel, count(nps), sum(nps) FROM signals WHERE nps IS NOT NULL GROUP BY 1 ORDER BY 1",
    "SELECT date_trunc('month', occurred_at) AS m, sum(amount) FROM signals \
     WHERE kind = 'transaction' AND occurred_at >= TIMESTAMP '2025-04-01T00:00:00Z' GROUP BY 1 ORDER BY 1",
    "SELECT external_id, text FROM signals WHERE kind IN ('ticket') AND text LIKE '%late%' ORDER BY external_id LIMIT 7",
    "SELECT profile_id, count(*) FROM signals WHERE kind = 'event' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5",
    "SELECT * FROM signals WHERE external_id LIKE '%7' ORDER BY external_id",
    "SELECT count(*) FROM signals WHERE kind = 'no such kind'",
    "SELECT channel, count(*), count(nps) FROM signals WHERE 'survey_response' = kind GROUP BY 1 ORDER BY 1",
    "SELECT count(*) FROM signals WHERE kind = 'event' AND kind = 'ticket'",
];

async fn answers(copy: &AnalyticsCopy) -> Vec<Vec<Vec<Value>>> {
    let mut out = Vec::new();
    for ws in [WS1, WS2] {
        for sql in QUERIES {
            out.push(rows(copy, ws, sql).await);
        }
    }
    out
}

/// The segmented store in one copy with a large hot cache (the directory must
/// outlive the copy).
async fn one_segmented_copy() -> (tempfile::TempDir, AnalyticsCopy) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FakeStore::default());
    let copy = copy_with(dir.path(), &store, 1 << 30).await;
    store_in_segments(&[&copy], &store).await;
    (dir, copy)
}

/// The segmented store and two copies of it: the hot cache at `budget`, and Parquet only.
struct Pair {
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    store: Arc<FakeStore>,
    hot: AnalyticsCopy,
    cold: AnalyticsCopy,
}

async fn pair(budget: usize) -> Pair {
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let store = Arc::new(FakeStore::default());
    let hot = copy_with(dirs.0.path(), &store, budget).await;
    let cold = copy_with(dirs.1.path(), &store, 0).await;
    store_in_segments(&[&hot, &cold], &store).await;
    Pair {
        _dirs: dirs,
        store,
        hot,
        cold,
    }
}

#[tokio::test]
async fn the_hot_cache_answers_exactly_as_the_parquet_files() {
    // `_dirs` is bound (not `..`): the directories must outlive the copies.
    let Pair {
        _dirs, hot, cold, ..
    } = pair(1 << 30).await;

    let expected = answers(&cold).await;
    assert_eq!(expected[0], vec![vec![json!(720)]]);
    assert_eq!(expected[QUERIES.len()], vec![vec![json!(250)]]);
    assert_eq!(answers(&hot).await, expected);
    assert!(hot.hot_cache_bytes() > 0);
    assert_eq!(cold.hot_cache_bytes(), 0);
    // A second pass reads what the first decoded, and still answers the same.
    let held = hot.hot_cache_bytes();
    assert_eq!(answers(&hot).await, expected);
    assert_eq!(hot.hot_cache_bytes(), held);
}

#[tokio::test]
async fn a_segment_the_filters_rule_out_is_never_decoded() {
    let (_dir, copy) = one_segmented_copy().await;
    let sql = "SELECT sum(amount) FROM signals";
    rows(&copy, WS1, sql).await;
    let one_workspace = copy.hot_cache_bytes();
    assert!(one_workspace > 0);
    // Workspace 2's segment was pruned by its statistics: decoding it now adds to the cache.
    rows(&copy, WS2, sql).await;
    assert!(copy.hot_cache_bytes() > one_workspace);
}

#[tokio::test]
async fn past_the_budget_columns_are_decoded_per_query_and_not_kept() {
    let Pair {
        _dirs,
        hot: tiny,
        cold,
        ..
    } = pair(1).await;
    assert_eq!(answers(&tiny).await, answers(&cold).await);
    assert_eq!(tiny.hot_cache_bytes(), 0);
}

#[tokio::test]
async fn a_rebuild_lets_go_of_the_retired_segments_columns() {
    let (_dir, copy) = one_segmented_copy().await;
    let before = answers(&copy).await;
    let held = copy.hot_cache_bytes();
    assert!(held > 0);
    copy.rebuild().await.unwrap();
    // The same rows, now in new segments that came with the read columns: about what
    // was held before. Had the retired segments' columns stayed, it would be twice that.
    let rebuilt = copy.hot_cache_bytes();
    assert!(
        rebuilt > 0 && rebuilt < held * 3 / 2,
        "{rebuilt} after, {held} before"
    );
    assert_eq!(answers(&copy).await, before);
    assert_eq!(copy.hot_cache_bytes(), rebuilt);
}

#[tokio::test]
async fn a_flushed_segment_comes_with_the_columns_queries_read() {
    let Pair {
        _dirs,
        store,
        hot,
        cold,
    } = pair(1 << 30).await;
    answers(&hot).await;
    let held = hot.hot_cache_bytes();
    // The tail becomes a segment: its read columns are kept before anyone asks again.
    add_signals(&store, 2, 250, 200);
    for copy in [&hot, &cold] {
        copy.refresh().await.unwrap();
        copy.flush().await.unwrap();
    }
    let seeded = hot.hot_cache_bytes();
    assert!(seeded > held, "{seeded} after the flush, {held} before");
    assert_eq!(answers(&hot).await, answers(&cold).await);
    // Every column the queries read was seeded: answering decoded nothing more.
    assert_eq!(hot.hot_cache_bytes(), seeded);
}

/// Rows the scans hand to the plan's filters for `sql`, from `EXPLAIN ANALYZE`:
/// the sum of every filter's input (`selectivity=… (kept/in)`).
async fn rows_filtered(
    copy: &AnalyticsCopy,
    ws: throughline_domain::WorkspaceId,
    sql: &str,
) -> u64 {
    let plan = rows(copy, ws, &format!("EXPLAIN ANALYZE {sql}")).await;
    let text = plan[0][1].as_str().unwrap().to_string();
    text.split("selectivity=")
        .skip(1)
        .filter_map(|s| {
            let inner = &s[s.find('(')? + 1..s.find(')')?];
            inner.split('/').nth(1)?.trim().parse::<u64>().ok()
        })
        .sum()
}

#[tokio::test]
async fn a_query_for_one_kind_is_handed_only_the_zones_that_hold_it() {
    let (_dir, copy) = one_segmented_copy().await;
    // Workspace 1: 720 rows, every fourth a transaction; 700 of them in two segments
    // of one row group each, 20 in the tail.
    let sql = "SELECT count(*) FROM signals WHERE kind = 'transaction'";
    assert_eq!(rows(&copy, WS1, sql).await, vec![vec![json!(180)]]);
    // The kind filter is applied in the scan: zones by their statistics, the zones
    // at a kind's edges and the tail row by row. The plan's own filter (on `nps`,
    // null for every transaction) is handed the 180 transactions and nothing else;
    // row groups alone would hand 720, and zones alone up to 244.
    let sql = "SELECT count(*) FROM signals WHERE kind = 'transaction' AND nps IS NULL";
    assert_eq!(rows(&copy, WS1, sql).await, vec![vec![json!(180)]]);
    assert_eq!(rows_filtered(&copy, WS1, sql).await, 180);
}

#[tokio::test]
async fn a_zone_shared_by_two_workspaces_hands_each_only_its_own_rows() {
    let Pair {
        _dirs,
        store,
        hot,
        cold,
    } = pair(1 << 30).await;
    // 725 rows of workspace 1 then 250 of workspace 2, rewritten together: the zone
    // at the boundary (16 rows) holds rows of both.
    add_signals(&store, 1, 720, 5);
    for copy in [&hot, &cold] {
        copy.rebuild().await.unwrap();
    }
    let count = "SELECT count(*) FROM signals";
    assert_eq!(rows(&hot, WS1, count).await, vec![vec![json!(725)]]);
    assert_eq!(rows(&hot, WS2, count).await, vec![vec![json!(250)]]);
    assert_eq!(answers(&hot).await, answers(&cold).await);
}

#[tokio::test]
async fn a_filter_on_a_merged_profile_finds_its_rows_in_every_zone() {
    let Pair {
        _dirs,
        store,
        hot,
        cold,
    } = pair(1 << 30).await;
    // Profile 20's rows now live in profile 100, an id no row was stored with: pruning
    // by the stored ids' statistics would rule out every zone.
    store.merge(1, 20, 100);
    for copy in [&hot, &cold] {
        copy.refresh().await.unwrap();
    }
    let sql = "SELECT count(*), min(profile_id) FROM signals WHERE profile_id = 100";
    // add_signals gives row i profile 1 + i % 37.
    let expected = (0..720).filter(|i| i % 37 == 19).count();
    assert_eq!(
        rows(&hot, WS1, sql).await,
        vec![vec![json!(expected), json!(100)]]
    );
    assert_eq!(rows(&hot, WS1, sql).await, rows(&cold, WS1, sql).await);
    let profiles = "SELECT canonical_id FROM profiles WHERE profile_id = 20";
    assert_eq!(rows(&hot, WS1, profiles).await, vec![vec![json!(100)]]);
}

#[tokio::test]
async fn a_restart_warms_the_columns_queries_read_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FakeStore::default());
    add_signals(&store, 1, 0, 300);
    let budget = 64 << 20;
    let sql = "SELECT channel, avg(nps) FROM signals WHERE nps IS NOT NULL GROUP BY channel ORDER BY channel";
    let before = {
        let copy = copy_with(dir.path(), &store, budget).await;
        // Nothing recorded yet: a start warms nothing.
        assert_eq!(copy.warm().await.unwrap().cache_bytes, 0);
        let answer = rows(&copy, WS1, sql).await;
        copy.remember_hot_columns().unwrap();
        answer
    };
    let recorded: Value = serde_json::from_slice(
        &std::fs::read(dir.path().join(throughline_analytics::HOT_COLUMNS_FILE)).unwrap(),
    )
    .unwrap();
    let names: Vec<&str> = recorded["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for column in ["workspace_id", "channel", "nps"] {
        assert!(names.contains(&column), "{column} not in {names:?}");
    }
    assert!(!names.contains(&"text"), "{names:?}");
    // After a restart, a query before the warm-up keeps fewer columns: the record
    // stays until the warm-up has run.
    let copy = copy_with(dir.path(), &store, budget).await;
    rows(
        &copy,
        WS1,
        "SELECT count(*) FROM signals WHERE kind = 'event'",
    )
    .await;
    copy.remember_hot_columns().unwrap();
    let file = dir.path().join(throughline_analytics::HOT_COLUMNS_FILE);
    assert_eq!(
        std::fs::read(&file).unwrap(),
        serde_json::to_vec_pretty(&recorded).unwrap()
    );
    // The warm-up decodes those columns before any query reads them.
    let warmed = copy.warm().await.unwrap();
    assert!(warmed.columns >= names.len(), "{warmed:?}");
    assert!(warmed.cache_bytes > 0, "{warmed:?}");
    assert_eq!(rows(&copy, WS1, sql).await, before);
    // A damaged record warms nothing and is no error.
    std::fs::write(
        dir.path().join(throughline_analytics::HOT_COLUMNS_FILE),
        "{",
    )
    .unwrap();
    let copy = copy_with(dir.path(), &store, budget).await;
    assert_eq!(copy.warm().await.unwrap().columns, 0);
    // With the cache off there is nothing to warm.
    let copy = copy_with(dir.path(), &store, 0).await;
    assert_eq!(copy.warm().await.unwrap().columns, 0);
}
