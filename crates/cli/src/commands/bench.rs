//! `throughline bench`: the intake figures the project reports, as medians of
//! repeated runs on this machine: demo generation, file import, HTTP NDJSON intake
//! (client and server on loopback), the analytics copy's lag after the burst, on
//! SQLite and (with `--postgres URL`) PostgreSQL; `--dashboard` and `--sql` measure
//! the dashboard and ad-hoc SQL instead (`bench_dashboard.rs`, `bench_sql.rs`).

use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use throughline_demo::DemoConfig;
use throughline_domain::IdentityPolicy;
use throughline_store::Store;
use throughline_store_postgres::PostgresStore;
use throughline_store_sqlite::{Durability, SqliteStore};

use crate::args::BenchArgs;
use crate::commands::import::{import_file, ImportPlan};
use crate::settings::Settings;

/// `bench --sql` (in its own file beside `bench_dashboard.rs`).
#[path = "bench_sql.rs"]
pub mod sql;

const HTTP_BATCH: usize = 10_000;
/// Concurrent client connections: a shipper sending in parallel, as log and event
/// forwarders do; the SQLite store commits concurrent batches together.
const HTTP_CONNECTIONS: usize = 4;

pub async fn run(settings: &Settings, args: BenchArgs) -> anyhow::Result<ExitCode> {
    if args.dashboard {
        crate::commands::bench_dashboard::run(settings, &args).await?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.sql {
        sql::run(settings, &args).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let dir = std::env::temp_dir().join(format!("throughline-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let config = DemoConfig {
        customers: args.customers,
        ..DemoConfig::default()
    };
    let mut figures = Vec::new();

    let mut generation = Vec::new();
    let mut count = 0u64;
    for _ in 0..args.runs {
        let started = Instant::now();
        count = 0;
        throughline_demo::generate(&config, |_| count += 1);
        generation.push(started.elapsed().as_secs_f64());
    }
    figures.push((
        "demo generation (s)".to_string(),
        median(&mut generation),
        count as f64,
    ));

    let file = dir.join("demo.ndjson");
    let out = std::io::BufWriter::new(std::fs::File::create(&file)?);
    throughline_demo::write_ndjson(&config, out)?;
    let bodies = http_bodies(&file, args.http_signals)?;
    let http_count: usize = bodies.iter().map(|b| b.1).sum();

    let cluster = match args.postgres.as_deref() {
        Some("temp") => {
            Some(throughline_store_tests::pg::TempCluster::start().map_err(anyhow::Error::msg)?)
        }
        _ => None,
    };
    let pg_url = || -> anyhow::Result<Option<String>> {
        match &cluster {
            Some(c) => Ok(Some(c.create_database().map_err(anyhow::Error::msg)?)),
            None => Ok(args.postgres.clone()),
        }
    };
    let backends: Vec<&str> = if args.postgres.is_some() {
        vec!["sqlite", "postgres"]
    } else {
        vec!["sqlite"]
    };
    for backend in backends {
        let mut import_rates = Vec::new();
        let mut http_rates = Vec::new();
        let mut lags = Vec::new();
        for run in 0..args.runs {
            let store = open(backend, &dir, run, pg_url()?.as_deref()).await?;
            let ws = store
                .ensure_workspace(&format!("bench-import-{run}-{}", nanos()))
                .await?;
            let plan = ImportPlan {
                path: file.clone(),
                format: None,
                mapping: Default::default(),
                batch_size: crate::commands::import::DEFAULT_BATCH,
                rejects: dir.join("rejects.ndjson"),
                progress: false,
                redact_pii: false,
            };
            let report =
                import_file(store.as_ref(), ws.id, &plan, &IdentityPolicy::default()).await?;
            anyhow::ensure!(report.rejected_rows == 0, "demo rows were rejected");
            import_rates.push(report.rows as f64 / report.seconds);

            let store = open(backend, &dir, run + 1000, pg_url()?.as_deref()).await?;
            let (rate, lag) = http_run(
                settings,
                store,
                &dir.join(format!("a-{backend}-{run}")),
                &bodies,
            )
            .await?;
            http_rates.push(rate);
            lags.push(lag);
        }
        figures.push((
            format!("{backend}: file import (signals/s)"),
            median(&mut import_rates),
            count as f64,
        ));
        figures.push((
            format!("{backend}: HTTP NDJSON intake (signals/s)"),
            median(&mut http_rates),
            http_count as f64,
        ));
        figures.push((
            format!("{backend}: analytics lag after the burst (s)"),
            median(&mut lags),
            http_count as f64,
        ));
    }
    println!("{:<48} {:>14} {:>12}", "figure", "median", "signals");
    for (name, value, n) in &figures {
        println!("{name:<48} {value:>14.2} {n:>12.0}");
    }
    println!(
        "({} runs each, {} cores)",
        args.runs,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(ExitCode::SUCCESS)
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// A fresh SQLite file per run; on PostgreSQL a fresh workspace per run does the same.
async fn open(
    backend: &str,
    dir: &Path,
    run: usize,
    url: Option<&str>,
) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match (backend, url) {
        ("postgres", Some(url)) => Arc::new(PostgresStore::connect(url).await?),
        _ => {
            let path = dir.join(format!("run-{run}.sqlite"));
            Arc::new(SqliteStore::open(&path, Durability::Full)?)
        }
    })
}

/// The first `limit` lines of the NDJSON file, cut into request bodies.
fn http_bodies(file: &Path, limit: usize) -> anyhow::Result<Vec<(Vec<u8>, usize)>> {
    let text = std::fs::read_to_string(file).context("reading the demo file")?;
    let mut bodies = Vec::new();
    let (mut body, mut n) = (Vec::new(), 0usize);
    for line in text.lines().take(limit) {
        body.extend_from_slice(line.as_bytes());
        body.push(b'\n');
        n += 1;
        if n == HTTP_BATCH {
            bodies.push((std::mem::take(&mut body), n));
            n = 0;
        }
    }
    if n > 0 {
        bodies.push((body, n));
    }
    Ok(bodies)
}

/// Serves `store` on loopback, streams the bodies over `HTTP_CONNECTIONS`
/// connections, and returns signals/s plus the seconds until the analytics copy
/// had caught up after the last acknowledgement.
async fn http_run(
    settings: &Settings,
    store: Arc<dyn Store>,
    analytics_dir: &Path,
    bodies: &[(Vec<u8>, usize)],
) -> anyhow::Result<(f64, f64)> {
    let key =
        crate::commands::apikey::create(store.as_ref(), &format!("bench-http-{}", nanos())).await?;
    let analytics = Arc::new(throughline_analytics::AnalyticsCopy::open(
        PathBuf::from(analytics_dir),
        store.clone(),
    )?);
    analytics.refresh().await?;
    let refresher = analytics
        .clone()
        .spawn_refresher(Duration::from_millis(250));
    let state = crate::wiring::app_state(settings, store, analytics.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/api/v1/signals", listener.local_addr()?);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(throughline_web::serve(listener, state, async {
        let _ = stop_rx.await;
    }));

    let started = Instant::now();
    let shared: Arc<Vec<(Vec<u8>, usize)>> = Arc::new(bodies.to_vec());
    let mut lanes = Vec::new();
    for lane in 0..HTTP_CONNECTIONS {
        let (shared, url, key) = (shared.clone(), url.clone(), key.clone());
        lanes.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut accepted = 0u64;
            for (body, _) in shared.iter().skip(lane).step_by(HTTP_CONNECTIONS) {
                let resp = client
                    .post(&url)
                    .bearer_auth(&key)
                    .header("content-type", "application/x-ndjson")
                    .body(body.clone())
                    .send()
                    .await?
                    .error_for_status()?;
                let out: serde_json::Value = resp.json().await?;
                accepted += out["accepted"].as_u64().unwrap_or(0);
            }
            Ok::<u64, reqwest::Error>(accepted)
        }));
    }
    let mut accepted = 0;
    for lane in lanes {
        accepted += lane.await??;
    }
    let rate = accepted as f64 / started.elapsed().as_secs_f64();
    let acked = Instant::now();
    while analytics.lag().await?.behind_signals > 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let lag = acked.elapsed().as_secs_f64();
    refresher.abort();
    let _ = stop_tx.send(());
    server.await??;
    Ok((rate, lag))
}
