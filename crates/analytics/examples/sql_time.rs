//! Times SQL on an existing data directory (e.g. one left by
//! `throughline bench --dashboard --keep`), one statement per line on stdin, each
//! run once to warm the hot column cache and then `runs` times; prints the median:
//! `cargo run --release -p throughline-analytics --example sql_time DIR WORKSPACE_ID [runs] < queries.sql`

use std::io::BufRead;
use std::sync::Arc;
use std::time::Instant;

use throughline_analytics::AnalyticsCopy;
use throughline_domain::WorkspaceId;
use throughline_store_sqlite::{Durability, SqliteStore};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().ok_or("usage: sql_time DIR WORKSPACE_ID")?);
    let ws = WorkspaceId(args.next().ok_or("no workspace id")?.parse()?);
    let runs: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(20);
    let store = Arc::new(SqliteStore::open(
        &dir.join("throughline.sqlite"),
        Durability::Normal,
    )?);
    let copy = AnalyticsCopy::open(dir.join("analytics"), store)?;
    copy.refresh().await?;
    for sql in std::io::stdin().lock().lines() {
        let sql = sql?;
        if sql.trim().is_empty() {
            continue;
        }
        let rows = copy.query_batches(ws, &sql).await?.num_rows();
        let mut ms = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            copy.query_batches(ws, &sql).await?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        ms.sort_by(f64::total_cmp);
        let head: String = sql.chars().take(100).collect();
        println!("{:8.2} ms {rows:>7} rows  {head}", ms[runs / 2]);
    }
    Ok(())
}
