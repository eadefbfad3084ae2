//! Measures the copy's refresh lag after an intake burst, and query latency on
//! the result: `cargo run --release -p throughline-analytics --example lag [rows]`.
//! The store is the in-memory fake of the tests, so this measures the copy alone.

#[path = "../tests/it/fake_store.rs"]
#[allow(dead_code)]
mod fake_store;

use std::sync::Arc;
use std::time::{Duration, Instant};

use fake_store::FakeStore;
use serde_json::json;
use throughline_analytics::AnalyticsCopy;
use throughline_domain::{Signal, WorkspaceId};

const WORKSPACES: i64 = 8;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300_000);
    let dir = tempfile::tempdir()?;
    let store = Arc::new(FakeStore::default());
    let copy = Arc::new(AnalyticsCopy::open(
        dir.path().to_path_buf(),
        store.clone(),
    )?);
    let refresher = Arc::clone(&copy).spawn_refresher(Duration::from_millis(250));

    let template = Signal::parse(&json!({
        "kind": "survey_response", "source": "bench", "external_id": "x",
        "occurred_at": "2026-03-01T14:30:00Z", "customer": {"email": "a@b.co"},
        "nps": 7, "channel": "web", "text": "Fine, mostly."
    }))?;
    for burst in 0..3 {
        let start = Instant::now();
        for i in 0..rows / 3 {
            let mut parts = template.clone().into_parts();
            parts.external_id = format!("{burst}-{i}");
            parts.nps = Some((i % 11) as u8);
            let signal = parts.check(chrono::Utc::now())?;
            store.push(i as i64 % WORKSPACES + 1, i as i64 % 5000, signal);
        }
        let intake = start.elapsed();
        let target = store.high_water_now();
        while copy.copy_high_water() < target {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        println!(
            "burst {burst}: {} rows stored in {intake:?}; copy caught up {:?} after the burst ended",
            rows / 3,
            start.elapsed() - intake
        );
    }

    let lag = copy.lag().await?;
    println!("lag: {lag:?}");
    for sql in [
        "SELECT count(*) FROM signals",
        "SELECT avg(nps), count(nps) FROM signals",
        "SELECT channel, count(*) FROM signals GROUP BY channel",
        "SELECT profile_id, count(*) AS n FROM signals GROUP BY profile_id ORDER BY n DESC LIMIT 5",
    ] {
        let start = Instant::now();
        let result = copy.query(WorkspaceId(1), sql).await?;
        println!(
            "{:>8.1?}  {sql}  -> {:?}",
            start.elapsed(),
            result.rows.first()
        );
    }
    copy.flush().await?;
    let manifest = throughline_analytics::Manifest::load(dir.path())?.unwrap_or_default();
    let bytes: u64 = manifest.segments.iter().map(|s| s.bytes).sum();
    println!(
        "{} segments, {} rows, {} bytes on disk",
        manifest.segments.len(),
        manifest.high_water,
        bytes
    );
    refresher.abort();
    Ok(())
}
