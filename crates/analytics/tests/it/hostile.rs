//! What a hostile or careless tenant's SQL can do to the engine: deep and long
//! expressions, functions that build huge values, huge answers, queries that
//! never end, and too many at once. Each gets a clean error of its kind; the
//! process lives, and the next query runs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use throughline_analytics::{Admission, AnalyticsConfig, AnalyticsCopy, AnalyticsError};

use serde_json::Value;

use crate::{fixture_copy, small_config, FakeStore, WS1, WS2};

/// The single value `sql` answers in `workspace` (messages name only the SQL's start).
async fn scalar(
    copy: &AnalyticsCopy,
    workspace: throughline_domain::WorkspaceId,
    sql: &str,
) -> Value {
    let head: String = sql.chars().take(80).collect();
    match copy.query(workspace, sql).await {
        Ok(r) if r.rows.len() == 1 => r.rows[0][0].clone(),
        Ok(r) => panic!("{head}…: {} rows", r.rows.len()),
        Err(e) => panic!(
            "{head}…: {}",
            e.to_string().chars().take(300).collect::<String>()
        ),
    }
}

/// `n` terms joined by `op`.
fn chain(term: &str, op: &str, n: usize) -> String {
    vec![term; n].join(op)
}

#[tokio::test]
async fn deep_expressions_answer_or_are_refused_cleanly() {
    let (_dir, _store, copy) = fixture_copy().await;
    // 950 terms crashed the process (a worker's stack overflowed); 5,000 crashed
    // the CLI. Within the depth limit they answer; past it, a refusal that says why.
    let sql = format!("SELECT {}", chain("1", "+", 950));
    assert_eq!(scalar(&copy, WS1, &sql).await, 950);
    for n in [5_000, 20_000] {
        let sql = format!("SELECT {}", chain("1", "+", n));
        match copy.query(WS1, &sql).await {
            Err(e @ AnalyticsError::TooLarge(_)) => assert!(e.to_string().contains("deep"), "{e}"),
            other => panic!("{n} terms: {:?}", other.map(|r| r.row_count)),
        }
    }
    // A BI tool's chain of a thousand ORs.
    let ors = chain("nps = 1", " OR ", 1_000);
    let sql = format!("SELECT count(*) FROM signals WHERE {ors} OR nps = 10");
    assert_eq!(scalar(&copy, WS1, &sql).await, 1);
    // Past the SQL size limit: refused before parsing, with the reason.
    let long = format!("SELECT {}", chain("1", "+", 40_000));
    match copy.query(WS1, &long).await {
        Err(e @ AnalyticsError::TooLarge(_)) => assert!(e.to_string().contains("SQL text")),
        other => panic!("expected TooLarge, got {:?}", other.map(|r| r.row_count)),
    }
    // Nested parentheses past the parser's depth: a clean planning error.
    let nested = format!("SELECT {}1{}", "(".repeat(5_000), ")".repeat(5_000));
    match copy.query(WS1, &nested).await {
        Err(AnalyticsError::BadSql(_)) => {}
        other => panic!("nested: {:?}", other.map(|r| r.row_count)),
    }
    assert_eq!(scalar(&copy, WS1, "SELECT count(*) FROM signals").await, 6);
}

/// The error of `sql`, which must be a refusal for size naming `what`.
async fn refused(copy: &AnalyticsCopy, sql: &str, what: &str) {
    let head: String = sql.chars().take(80).collect();
    match copy.query(WS1, sql).await {
        Err(e @ AnalyticsError::TooLarge(_)) => {
            assert!(e.to_string().contains(what), "{head}…: {e}");
            assert!(e.is_user_error());
        }
        Err(e) => panic!("{head}…: expected TooLarge, got {e}"),
        Ok(r) => panic!("{head}…: expected TooLarge, got {} rows", r.row_count),
    }
}

#[tokio::test]
async fn functions_that_build_values_are_capped_before_they_allocate() {
    let (_dir, _store, copy) = fixture_copy().await;
    refused(&copy, "SELECT length(repeat('x', 2000000000))", "repeat").await;
    refused(&copy, "SELECT lpad('x', 2000000000)", "lpad").await;
    refused(
        &copy,
        "SELECT rpad(channel, 100000000, 'ab') FROM signals",
        "rpad",
    )
    .await;
    refused(
        &copy,
        "SELECT cardinality(range(1, 1000000000000))",
        "range",
    )
    .await;
    refused(
        &copy,
        "SELECT generate_series(DATE '1970-01-01', DATE '9999-01-01', INTERVAL '1 day')",
        "generate_series",
    )
    .await;
    refused(
        &copy,
        "SELECT cardinality(array_repeat(1, 1000000000))",
        "array_repeat",
    )
    .await;
    refused(
        &copy,
        "SELECT replace(repeat('x', 1000000), '', repeat('y', 1000))",
        "replace",
    )
    .await;
    refused(
        &copy,
        "SELECT regexp_replace(repeat('x', 100000), 'x*?', repeat('y', 100), 'g')",
        "regexp_replace",
    )
    .await;
    refused(
        &copy,
        "SELECT levenshtein(repeat('a', 60000), repeat('b', 60000)) FROM generate_series(1, 300)",
        "levenshtein",
    )
    .await;
    // Doubling through nested calls is bounded by the per-value cap…
    let nested = format!(
        "SELECT length({}'x'{})",
        "repeat(".repeat(8),
        ", 16)".repeat(8)
    );
    refused(&copy, &nested, "repeat").await;
    // …and concat of one column many times by the per-call cap (8 rows of 500 kB,
    // 40 times over: 160 MB in one batch).
    let wide = format!(
        "SELECT length(concat({})) FROM (SELECT repeat('x', 500000) AS s FROM generate_series(1, 8))",
        chain("s", ",", 40)
    );
    refused(&copy, &wide, "concat").await;
    // A value within the per-value cap, copied into every row of a batch, is
    // counted for every row (planning does not fold it into an unchecked literal).
    refused(
        &copy,
        "SELECT repeat('x', 1000000) FROM generate_series(1, 100000)",
        "repeat",
    )
    .await;
    // Ordinary uses answer as before.
    let ok = "SELECT repeat('ab', 3) || lpad('7', 3, '0') || rpad('a', 2, '.') || replace('a-b', '-', '+') \
              || concat('x', 'y') || regexp_replace('a1b22', '([0-9]+)', '<\\1>', 'g') || levenshtein('kitten', 'sitting')";
    assert_eq!(scalar(&copy, WS1, ok).await, "ababab007a.a+bxya<1>b<22>3");
    let sizes = "SELECT cardinality(range(1, 11)) + cardinality(array_repeat(0, 5))";
    assert_eq!(scalar(&copy, WS1, sizes).await, 15);
}

/// `sql` wrapped `levels` times in a subquery that doubles `column` with `||`.
fn doubled(sql: &str, column: &str, levels: usize) -> String {
    let f = format!("{column} || {column}");
    (0..levels).fold(sql.to_string(), |inner, _| {
        format!("SELECT {f} AS {column} FROM ({inner})")
    })
}

/// `sql` wrapped `n` times in a subquery that selects `f` as `s`.
fn levels(sql: &str, f: &str, n: usize) -> String {
    (0..n).fold(sql.to_string(), |inner, _| {
        format!("SELECT {f} AS s FROM ({inner})")
    })
}

#[tokio::test]
async fn the_concat_operator_is_capped_like_concat() {
    let (_dir, _store, copy) = fixture_copy().await;
    // `||` is an operator, not a function: doubling through subqueries went
    // unchecked (10 rows of 1 MB, four levels: 160 MB in one batch).
    let rows = "SELECT repeat('x', 1000000) AS s FROM generate_series(1, 10)";
    let sql = format!("SELECT length(s) FROM ({})", doubled(rows, "s", 4));
    refused(&copy, &sql, "||").await;
    // `||` on lists is planned as the built-in `array_concat`, past the registry.
    let lists = "SELECT array_repeat(1, 50000) AS a FROM generate_series(1, 10)";
    let sql = format!("SELECT cardinality(a) FROM ({})", doubled(lists, "a", 6));
    refused(&copy, &sql, "array_concat").await;
    // Ordinary uses keep their answers, null rule and column name.
    let sql = "SELECT 'a' || 'b' || 1, 'a' || NULL IS NULL, [1, 2] || [3] FROM signals LIMIT 1";
    let answer = copy.query(WS1, sql).await.unwrap();
    assert_eq!(answer.rows[0][0], "ab1");
    assert_eq!(answer.rows[0][1], true);
    assert_eq!(answer.rows[0][2], "[1, 2, 3]");
    assert!(answer.columns[0].contains("||"), "{:?}", answer.columns);
    // A function applied at two levels is applied twice (a volatile call equal to
    // its input's once lost a level: 12 characters for 24).
    for f in ["s || s", "concat(s, s)"] {
        let sql = format!(
            "SELECT length(s) FROM ({})",
            levels("SELECT 'xxx' AS s", f, 3)
        );
        assert_eq!(scalar(&copy, WS1, &sql).await, 24, "{f}");
    }
    let grouped =
        "SELECT channel || '/' || kind AS k, count(*) FROM signals GROUP BY channel || '/' || kind";
    assert!(copy.query(WS1, grouped).await.unwrap().row_count > 0);
    let sql = "SELECT count(*) FROM signals WHERE channel || '/' || kind = 'web/survey_response'";
    let filtered =
        "SELECT count(*) FROM signals WHERE channel = 'web' AND kind = 'survey_response'";
    assert_eq!(
        scalar(&copy, WS1, sql).await,
        scalar(&copy, WS1, filtered).await
    );
}

#[tokio::test]
async fn answers_are_capped_in_bytes_as_well_as_rows() {
    let (_dir, _store, copy) = fixture_copy().await;
    // 10,001 values of 10,000 bytes: 100 MB, past the 64 MiB answer cap (the row
    // cap alone would still let it through).
    refused(
        &copy,
        "SELECT repeat('x', 10000) FROM generate_series(1, 20000)",
        "answer",
    )
    .await;
    // The same rows aggregated are a few bytes.
    let n = "SELECT count(*) FROM (SELECT repeat('x', 5000) AS s FROM generate_series(1, 20000))";
    assert_eq!(scalar(&copy, WS1, n).await, 20_000);
}

/// A copy of the fixture with `config`'s limits.
async fn copy_with(config: AnalyticsConfig) -> (tempfile::TempDir, AnalyticsCopy) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FakeStore::default());
    crate::fixture(&store);
    let copy = AnalyticsCopy::open_with(dir.path().to_path_buf(), store, config).unwrap();
    copy.refresh().await.unwrap();
    (dir, copy)
}

/// Far more work than any deadline here allows.
const ENDLESS: &str = "SELECT sum(a.value * b.value) \
     FROM generate_series(1, 1000000) a, generate_series(1, 1000000) b";

#[tokio::test]
async fn a_query_is_stopped_at_its_deadline() {
    let deadline = Duration::from_millis(1500);
    let (_dir, copy) = copy_with(AnalyticsConfig {
        query_timeout: deadline,
        ..small_config()
    })
    .await;
    let started = Instant::now();
    let answer = copy.query(WS1, ENDLESS).await;
    assert!(
        matches!(answer, Err(AnalyticsError::Timeout(_))),
        "{:?}",
        answer.map(|r| r.rows)
    );
    assert!(started.elapsed() < deadline + Duration::from_secs(1));
    // Its work stops too, not only the wait for it (generous bound for a busy CI).
    let stop_by = Instant::now() + Duration::from_secs(3);
    while copy.queries_running() > 0 {
        assert!(
            Instant::now() < stop_by,
            "the query still runs after its deadline"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn too_many_queries_at_once_are_refused_per_workspace_and_in_all() {
    let (_dir, copy) = copy_with(AnalyticsConfig {
        query_timeout: Duration::from_secs(20),
        admission: Admission {
            total: 2,
            per_workspace: 1,
        },
        ..small_config()
    })
    .await;
    let copy = Arc::new(copy);
    let slow = {
        let copy = Arc::clone(&copy);
        tokio::spawn(async move { copy.query(WS1, ENDLESS).await })
    };
    while copy.queries_running() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let second = copy.query(WS1, "SELECT 1").await;
    assert!(
        matches!(second, Err(AnalyticsError::Busy(_))),
        "{:?}",
        second.map(|r| r.rows)
    );
    // Another workspace still has room.
    assert_eq!(scalar(&copy, WS2, "SELECT count(*) FROM signals").await, 2);
    slow.abort();
}

#[tokio::test]
async fn explain_names_no_files_and_counts_no_other_workspace() {
    // With the hot cache off the plan reads the Parquet segments.
    let (_dir, copy) = copy_with(AnalyticsConfig {
        hot_cache_bytes: 0,
        ..small_config()
    })
    .await;
    copy.flush().await.unwrap();
    let plan = copy
        .query(WS1, "EXPLAIN SELECT count(*) FROM signals")
        .await
        .unwrap();
    let text = serde_json::to_string(&plan.rows).unwrap();
    assert!(text.contains("<file>"), "{text}");
    assert!(!text.contains(".parquet"), "{text}");
    match copy
        .query(WS1, "EXPLAIN ANALYZE SELECT count(*) FROM signals")
        .await
    {
        Err(e @ AnalyticsError::Forbidden(_)) => {
            assert!(e.to_string().contains("hot column cache"))
        }
        other => panic!("{:?}", other.map(|r| r.rows)),
    }
}
