//! Ingest throughput of each backend: 100k signals in batches of 10k, from 20k
//! customers, timed from the first batch to the last acknowledgement.
//!
//! `cargo run --release -p throughline-store-tests --example ingest_throughput \
//! [all|sqlite|sqlite-full|sqlite-normal|postgres]`; `BENCH_SIGNALS=n` for a smaller run.

use serde_json::json;
use std::time::Instant;
use throughline_domain::{IdentityPolicy, Signal};
use throughline_store::Store;
use throughline_store_postgres::PostgresStore;
use throughline_store_sqlite::{Durability, SqliteStore};
use throughline_store_tests::backends::SqliteHarness;
use throughline_store_tests::fixtures::parse;
use throughline_store_tests::pg::{ClusterOptions, TempCluster};

const SIGNALS: usize = 100_000;
const BATCH: usize = 10_000;
const CUSTOMERS: usize = 20_000;

fn signals() -> Vec<Signal> {
    // A smaller run for instruction-counting profilers (callgrind).
    let count = std::env::var("BENCH_SIGNALS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(SIGNALS);
    (0..count)
        .map(|i| {
            let customer = (i * 7_919) % CUSTOMERS;
            parse(json!({
                "kind": "survey_response", "source": "bench", "external_id": format!("r-{i}"),
                "occurred_at": format!("2026-0{}-{:02}T10:{:02}:00+01:00", 1 + i % 9, 1 + i % 28, i % 60),
                "customer": {"email": format!("c{customer}@example.com"), "account_id": format!("A-{customer}")},
                "channel": "email", "touchpoint": "after_purchase", "brand": "Northwind",
                "nps": i % 11, "text": "Delivery was quick, packaging could be better.",
            }))
        })
        .collect()
}

async fn measure(name: &str, store: &dyn Store, signals: &[Signal]) {
    let ws = store.ensure_workspace("bench").await.expect("workspace").id;
    let policy = IdentityPolicy::default();
    let started = Instant::now();
    let mut accepted = 0;
    for batch in signals.chunks(BATCH) {
        accepted += store
            .ingest(ws, batch, &policy)
            .await
            .expect("ingest")
            .accepted;
    }
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(accepted, signals.len());
    println!(
        "{name}: {accepted} signals in {seconds:.2} s = {:.0} signals/s",
        accepted as f64 / seconds
    );
}

#[tokio::main]
async fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    let signals = signals();
    if which == "all" || which == "sqlite" || which == "sqlite-full" {
        let harness = SqliteHarness::new();
        measure("sqlite (synchronous=FULL)", &harness.store, &signals).await;
    }
    if which == "all" || which == "sqlite" || which == "sqlite-normal" {
        let dir = tempfile::tempdir().expect("temp dir");
        let normal = SqliteStore::open(&dir.path().join("bench.db"), Durability::Normal)
            .expect("open sqlite");
        measure("sqlite (synchronous=NORMAL)", &normal, &signals).await;
    }
    if which == "all" || which == "postgres" {
        let cluster = TempCluster::start_with(ClusterOptions { fsync: true }).expect("cluster");
        let url = cluster.create_database().expect("database");
        let store = PostgresStore::connect(&url).await.expect("connect");
        measure("postgres 15 (fsync=on, local cluster)", &store, &signals).await;
    }
}
