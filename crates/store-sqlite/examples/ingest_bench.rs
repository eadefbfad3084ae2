//! Store-only benchmark: demo signals, generated up front, written in batches of 10 000.
//!
//! `cargo run --release -p throughline-store-sqlite --example ingest_bench -- CUSTOMERS [normal]`
//! prints signals/s of `Store::ingest` alone. For instruction counts, run it under
//! `valgrind --tool=callgrind --toggle-collect='*ingest*write_batch*'` so generation
//! is not counted. `ingest_bench CUSTOMERS export FILE` writes the same signals as
//! NDJSON instead, e.g. for `parse_file`.

use std::time::Instant;
use throughline_demo::DemoConfig;
use throughline_domain::IdentityPolicy;
use throughline_store::Store;
use throughline_store_sqlite::{Durability, SqliteStore};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let customers: usize = args.next().map_or(Ok(2_000), |c| c.parse())?;
    let config = DemoConfig {
        customers,
        ..DemoConfig::default()
    };
    let durability = match args.next().as_deref() {
        Some("normal") => Durability::Normal,
        Some("export") => {
            let path = args.next().ok_or("export needs a FILE")?;
            let out = std::io::BufWriter::new(std::fs::File::create(path)?);
            throughline_demo::write_ndjson(&config, out)?;
            return Ok(());
        }
        _ => Durability::Full,
    };
    let mut signals = Vec::new();
    throughline_demo::generate(&config, |s| signals.push(s));
    let dir = std::env::temp_dir().join(format!("ingest-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().build()?;
    let result = runtime.block_on(async {
        let store = SqliteStore::open(&dir.join("db.sqlite"), durability)?;
        let ws = store.ensure_workspace("bench").await?;
        let policy = IdentityPolicy::default();
        let started = Instant::now();
        let mut accepted = 0;
        for batch in signals.chunks(10_000) {
            accepted += store.ingest(ws.id, batch, &policy).await?.accepted;
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{accepted} of {} signals in {secs:.2}s ({:.0} signals/s)",
            signals.len(),
            signals.len() as f64 / secs
        );
        Ok::<_, Box<dyn std::error::Error>>(())
    });
    std::fs::remove_dir_all(&dir)?;
    result
}
