//! `throughline bench --sql`: ad-hoc SQL as a user runs it, through `POST /api/v1/query`
//! on the real server (in-process, loopback, an API key), beside DuckDB (Python's
//! `duckdb`, 2 threads) on the very same rows, read from the analytics copy's Parquet
//! segments and loaded into a DuckDB table. Per query: Throughline warm (median, p90),
//! the first call after a start (once its warm-up is done) and before any warm-up,
//! DuckDB warm (median), their ratio and whether the two answers are identical. Data: the synthetic responses and events of
//! `bench --dashboard` (`bench_dashboard::prepare`).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::Value;
use throughline_store::Store;

use crate::args::BenchArgs;
use crate::commands::bench_dashboard::{finish, pct, prepare, run_duckdb, BenchData};
use crate::settings::Settings;

/// DuckDB's threads, as in the figures (the machines we size for have more).
const DUCKDB_THREADS: usize = 2;
/// The Python side, run with `python3 -c` so the binary needs no source tree.
const DUCKDB_SCRIPT: &str = include_str!("bench_sql_duckdb.py");
/// Events used when `--events` is not given.
const DEFAULT_EVENTS: usize = 5_000_000;

/// One query of the comparison: its SQL for Throughline and, where the dialects
/// differ, DuckDB's translation.
pub struct SqlQuery {
    pub name: &'static str,
    pub sql: &'static str,
    pub duckdb: Option<&'static str>,
}

impl SqlQuery {
    fn duckdb_sql(&self) -> &'static str {
        self.duckdb.unwrap_or(self.sql)
    }
}

/// The queries of issue 19 plus the README's examples. Every one aggregates (an ad-hoc
/// answer is capped at 10 000 rows and 64 MiB), and every one orders its rows fully,
/// so the answers compare row by row. The directly-follows query breaks ties in time
/// by `external_id`, so both engines pair the same events.
pub const QUERIES: [SqlQuery; 6] = [
    SqlQuery {
        name: "NPS by month x channel (surveys)",
        sql: "SELECT date_trunc('month', occurred_at) AS month, channel, \
              CAST(100 AS DOUBLE) * (sum(CASE WHEN nps >= 9 THEN 1 ELSE 0 END) \
              - sum(CASE WHEN nps <= 6 THEN 1 ELSE 0 END)) / count(nps) AS nps, count(nps) AS n \
              FROM signals WHERE kind = 'survey_response' AND nps IS NOT NULL \
              GROUP BY 1, 2 ORDER BY 1, 2",
        duckdb: None,
    },
    SqlQuery {
        name: "CSAT mean by brand",
        sql: "SELECT brand, avg(csat) AS csat, count(csat) AS n FROM signals \
              WHERE kind = 'survey_response' AND csat IS NOT NULL GROUP BY brand ORDER BY brand",
        duckdb: None,
    },
    SqlQuery {
        name: "4-step funnel in 30 days, self-joins",
        sql: "WITH e AS (SELECT profile_id, action, channel, occurred_at FROM signals \
              WHERE kind = 'event' AND occurred_at IS NOT NULL) \
              SELECT s1.channel, count(DISTINCT s1.profile_id) AS viewed, \
              count(DISTINCT s2.profile_id) AS product_viewed, \
              count(DISTINCT s3.profile_id) AS added_to_cart, \
              count(DISTINCT s4.profile_id) AS ordered \
              FROM e s1 \
              LEFT JOIN e s2 ON s2.profile_id = s1.profile_id AND s2.action = 'product_viewed' \
              AND s2.occurred_at > s1.occurred_at AND s2.occurred_at <= s1.occurred_at + INTERVAL '30 days' \
              LEFT JOIN e s3 ON s3.profile_id = s2.profile_id AND s3.action = 'added_to_cart' \
              AND s3.occurred_at > s2.occurred_at AND s3.occurred_at <= s1.occurred_at + INTERVAL '30 days' \
              LEFT JOIN e s4 ON s4.profile_id = s3.profile_id AND s4.action = 'order_placed' \
              AND s4.occurred_at > s3.occurred_at AND s4.occurred_at <= s1.occurred_at + INTERVAL '30 days' \
              WHERE s1.action = 'page_viewed' GROUP BY 1 ORDER BY 1",
        duckdb: None,
    },
    SqlQuery {
        name: "directly-follows counts, LEAD",
        sql: "SELECT action AS from_action, next_action AS to_action, count(*) AS n FROM \
              (SELECT action, LEAD(action) OVER (PARTITION BY profile_id \
              ORDER BY occurred_at, external_id) AS next_action FROM signals WHERE kind = 'event') AS t \
              WHERE next_action IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2",
        duckdb: None,
    },
    SqlQuery {
        name: "README: avg(nps) by channel",
        sql: "SELECT channel, avg(nps) FROM signals WHERE nps IS NOT NULL GROUP BY channel",
        duckdb: None,
    },
    SqlQuery {
        name: "README: themes from aspects",
        sql: "SELECT split_part(a, ':', 1) AS theme, count(*) AS mentions, \
              avg(CAST(split_part(a, ':', 2) AS DOUBLE)) AS tone \
              FROM (SELECT unnest(string_to_array(aspects, ',')) AS a FROM signals \
              WHERE aspects IS NOT NULL) GROUP BY 1 ORDER BY 2 DESC, 1",
        duckdb: None,
    },
];

/// One query's figures on Throughline's side.
struct Ours {
    /// The first call after opening the copy, before any warm-up.
    unwarmed_ms: f64,
    /// The start's warm-up of the hot columns (`AnalyticsCopy::warm`).
    warm_up_ms: f64,
    /// The first call after the warm-up.
    cold_ms: f64,
    warm_ms: Vec<f64>,
    rows: Vec<Vec<Value>>,
    truncated: bool,
}

/// One query's figures on DuckDB's side.
struct Theirs {
    ms: Vec<f64>,
    rows: Vec<Vec<Value>>,
}

pub async fn run(settings: &Settings, args: &BenchArgs) -> anyhow::Result<()> {
    let BenchData {
        dir,
        store,
        ws,
        copy,
        loaded,
    } = prepare(settings, args, "sql", DEFAULT_EVENTS).await?;
    // Every row into the Parquet segments DuckDB reads; then the copy is closed,
    // and each query opens its own, so its first call is one after opening.
    copy.flush().await?;
    drop(copy);
    println!("{loaded}");
    let load_before = load_average();
    let key = crate::commands::apikey::create(store.as_ref(), "bench").await?;
    let runs = args.queries.max(1);
    previous_session(settings, &store, &dir, &key).await?;
    let mut ours = Vec::new();
    for q in &QUERIES {
        ours.push(
            through_http(settings, &store, &dir, &key, q.sql, runs)
                .await
                .with_context(|| format!("Throughline: {}", q.name))?,
        );
    }
    let theirs = duckdb(&dir.join("analytics"), ws.0, runs)?;
    print_table(&ours, &theirs, runs);
    println!(
        "  (load average before / after: {} / {}; {} cores)",
        load_before,
        load_average(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    finish(args, &dir);
    Ok(())
}

/// A server on the copy, as `serve` runs it, on 127.0.0.1:0.
struct Served {
    url: String,
    copy: Arc<throughline_analytics::AnalyticsCopy>,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    client: reqwest::Client,
}

impl Served {
    /// Opens the copy and serves it; with `warm`, after the warm-up `serve` runs
    /// at start (its time is returned), as a server that has been up a few seconds.
    async fn start(
        settings: &Settings,
        store: &Arc<dyn Store>,
        dir: &Path,
        warm: bool,
    ) -> anyhow::Result<(Self, Option<Duration>)> {
        let copy = crate::wiring::open_analytics_in(settings, dir, store.clone())?;
        copy.refresh().await?;
        let warmed = match warm {
            true => Some(copy.warm().await?.took),
            false => None,
        };
        let state = crate::wiring::app_state(settings, store.clone(), copy.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/api/v1/query", listener.local_addr()?);
        let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(throughline_web::serve(listener, state, async {
            let _ = stop_rx.await;
        }));
        let client = reqwest::Client::new();
        let served = Self {
            url,
            copy,
            stop,
            server,
            client,
        };
        Ok((served, warmed))
    }

    /// One call of `sql`: its time and the answer's bytes.
    async fn call(&self, key: &str, sql: &str) -> anyhow::Result<(f64, Vec<u8>)> {
        let t = Instant::now();
        let body = serde_json::json!({ "sql": sql });
        let resp = self
            .client
            .post(&self.url)
            .bearer_auth(key)
            .json(&body)
            .send()
            .await?;
        let status = resp.status();
        let bytes = resp.bytes().await?.to_vec();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        anyhow::ensure!(
            status.is_success(),
            "{status}: {}",
            String::from_utf8_lossy(&bytes)
        );
        Ok((ms, bytes))
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        if tokio::time::timeout(Duration::from_secs(10), self.server)
            .await
            .is_err()
        {
            tracing::warn!("the bench server did not stop within 10 s");
        }
    }
}

/// The session before a restart: a server started as `serve` starts (warm-up
/// included) runs every query once, so the copy records the columns they read —
/// what the next start warms up.
async fn previous_session(
    settings: &Settings,
    store: &Arc<dyn Store>,
    dir: &Path,
    key: &str,
) -> anyhow::Result<()> {
    let (served, _) = Served::start(settings, store, dir, true).await?;
    for q in &QUERIES {
        served.call(key, q.sql).await?;
    }
    served.copy.remember_hot_columns()?;
    served.stop().await;
    Ok(())
}

/// Times `sql` through `POST /api/v1/query`: the first call after opening the
/// copy without a warm-up, then (reopened) the first call after the start's
/// warm-up, then `runs` more.
async fn through_http(
    settings: &Settings,
    store: &Arc<dyn Store>,
    dir: &Path,
    key: &str,
    sql: &str,
    runs: usize,
) -> anyhow::Result<Ours> {
    let (served, _) = Served::start(settings, store, dir, false).await?;
    let (unwarmed_ms, _) = served.call(key, sql).await?;
    served.stop().await;
    let (served, warm_up) = Served::start(settings, store, dir, true).await?;
    let (cold_ms, _) = served.call(key, sql).await?;
    let mut warm_ms = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let (ms, bytes) = served.call(key, sql).await?;
        warm_ms.push(ms);
        last = Some(bytes);
    }
    served.stop().await;
    let answer: Value = serde_json::from_slice(&last.context("no warm run")?)?;
    let result = &answer["result"];
    let rows = serde_json::from_value(result["rows"].clone()).context("the answer's rows")?;
    Ok(Ours {
        unwarmed_ms,
        warm_up_ms: warm_up.map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        cold_ms,
        warm_ms,
        rows,
        truncated: result["truncated"].as_bool().unwrap_or(false),
    })
}

/// DuckDB's figures per query, or why there are none.
fn duckdb(
    analytics: &Path,
    workspace: i64,
    runs: usize,
) -> anyhow::Result<Result<Vec<Theirs>, String>> {
    let queries: Vec<[&str; 2]> = QUERIES.iter().map(|q| [q.name, q.duckdb_sql()]).collect();
    let args = [
        "--runs".to_string(),
        runs.to_string(),
        "--threads".to_string(),
        DUCKDB_THREADS.to_string(),
        "--queries".to_string(),
        serde_json::to_string(&queries)?,
    ];
    let text = match run_duckdb(analytics, workspace, &["-c", DUCKDB_SCRIPT], &args)? {
        Ok(text) => text,
        Err(why) => return Ok(Err(why)),
    };
    let mut lines = text.lines().map(serde_json::from_str::<Value>);
    let about = lines.next().context("no output from DuckDB")??;
    println!(
        "DuckDB {} ({} threads): {} rows loaded from the copy's Parquet segments in {:.1} s",
        about["duckdb"].as_str().unwrap_or("?"),
        about["threads"],
        about["rows"],
        about["load_s"].as_f64().unwrap_or(f64::NAN)
    );
    let mut out = Vec::new();
    for line in lines {
        let line = line?;
        out.push(Theirs {
            ms: serde_json::from_value(line["ms"].clone())?,
            rows: serde_json::from_value(line["rows"].clone())?,
        });
    }
    anyhow::ensure!(
        out.len() == QUERIES.len(),
        "DuckDB answered {} of {} queries",
        out.len(),
        QUERIES.len()
    );
    Ok(Ok(out))
}

fn print_table(ours: &[Ours], theirs: &Result<Vec<Theirs>, String>, runs: usize) {
    println!(
        "{:<38} {:>6} {:>9} {:>9} {:>9} {:>6} {:>9} {:>9} {:>7}  identical",
        "query (ms; ratio = DuckDB / Throughline)",
        "rows",
        "p50",
        "p90",
        "first",
        "f/p50",
        "unwarmed",
        "DuckDB",
        "ratio"
    );
    for (i, (q, o)) in QUERIES.iter().zip(ours).enumerate() {
        let mut warm = o.warm_ms.clone();
        let p50 = pct(&mut warm, 0.5);
        let p90 = pct(&mut warm, 0.9);
        let (duck, ratio, same) = match theirs {
            Ok(t) => {
                let mut ms = t[i].ms.clone();
                let d = pct(&mut ms, 0.5);
                let same = match (o.truncated, same_answer(&o.rows, &t[i].rows)) {
                    (true, _) => "no (Throughline's answer was truncated)".to_string(),
                    (false, Ok(())) => "yes".to_string(),
                    (false, Err(why)) => format!("no ({why})"),
                };
                (format!("{d:.1}"), format!("{:.2}", d / p50), same)
            }
            Err(_) => ("-".into(), "-".into(), "-".into()),
        };
        println!(
            "{:<38} {:>6} {:>9.1} {:>9.1} {:>9.1} {:>6.1} {:>9.1} {:>9} {:>7}  {}",
            q.name,
            o.rows.len(),
            p50,
            p90,
            o.cold_ms,
            o.cold_ms / p50,
            o.unwarmed_ms,
            duck,
            ratio,
            same
        );
    }
    let mut warm_up: Vec<f64> = ours.iter().map(|o| o.warm_up_ms).collect();
    println!("  ({runs} warm runs per query on each side, after one untimed for DuckDB; ratio above 1: Throughline is faster)");
    println!(
        "  (first = the first call after a start, once the start's warm-up of the columns the \
         previous session read is done: {:.0} ms median; unwarmed = the first call right after \
         opening, before any warm-up)",
        pct(&mut warm_up, 0.5)
    );
    if let Err(why) = theirs {
        println!("DuckDB comparison skipped: {why}");
    }
}

/// `/proc/loadavg`'s first three figures, or `?`.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".into())
}

/// A cell of either engine's answer, as both compare: numbers (and times, as
/// microseconds since the epoch; Throughline writes them as RFC 3339 text) or text.
#[derive(Debug, PartialEq, PartialOrd)]
enum Cell {
    Null,
    Number(f64),
    Text(String),
    Other(String),
}

fn cell(v: &Value) -> Cell {
    match v {
        Value::Null => Cell::Null,
        Value::Number(n) => Cell::Number(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) => Cell::Number(t.timestamp_micros() as f64),
            Err(_) => Cell::Text(s.clone()),
        },
        other => Cell::Other(other.to_string()),
    }
}

/// Rows in a canonical order (each engine may order rows without an ORDER BY differently).
fn canonical(rows: &[Vec<Value>]) -> Vec<Vec<Cell>> {
    let mut out: Vec<Vec<Cell>> = rows.iter().map(|r| r.iter().map(cell).collect()).collect();
    out.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    out
}

/// Whether two answers hold the same rows: as many, each with the same text and
/// nulls, and numbers within 1e-9 (relative to their size, at least absolute).
pub fn same_answer(ours: &[Vec<Value>], theirs: &[Vec<Value>]) -> Result<(), String> {
    if ours.len() != theirs.len() {
        return Err(format!("{} rows against {}", ours.len(), theirs.len()));
    }
    for (i, (a, b)) in canonical(ours).iter().zip(canonical(theirs)).enumerate() {
        if a.len() != b.len() {
            return Err(format!("row {i}: {} columns against {}", a.len(), b.len()));
        }
        for (j, (x, y)) in a.iter().zip(&b).enumerate() {
            let same = match (x, y) {
                (Cell::Number(x), Cell::Number(y)) => {
                    (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)
                }
                _ => x == y,
            };
            if !same {
                return Err(format!("row {i}, column {j}: {x:?} against {y:?}"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows(v: Value) -> Vec<Vec<Value>> {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn answers_compare_by_value_in_any_order() {
        let ours = rows(json!([
            ["2025-01-01T00:00:00Z", "web", 12.5, 3],
            ["2024-12-01T00:00:00Z", "app", -1.0, 2]
        ]));
        // DuckDB's side: times as epoch microseconds, another order, float noise.
        let theirs = rows(json!([
            [1_733_011_200_000_000i64, "app", -1.0000000000001, 2],
            [1_735_689_600_000_000i64, "web", 12.5, 3]
        ]));
        assert_eq!(same_answer(&ours, &theirs), Ok(()));
    }

    #[test]
    fn differences_are_named() {
        let ours = rows(json!([["web", 1.0], ["app", null]]));
        assert!(same_answer(&ours, &rows(json!([["web", 1.0]]))).is_err());
        assert!(same_answer(&ours, &rows(json!([["web", 1.0], ["app", 0.0]]))).is_err());
        assert!(same_answer(&ours, &rows(json!([["web", 1.000001], ["app", null]]))).is_err());
        assert!(same_answer(&ours, &rows(json!([["Web", 1.0], ["app", null]]))).is_err());
    }
}
