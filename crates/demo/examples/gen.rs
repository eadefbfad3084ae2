//! Generates the default demo company, printing counts per kind and the time taken.
//! `cargo run --release --example gen -- [customers] [out.ndjson]`: with a path it also
//! writes the NDJSON there (serialisation included in the time).

use std::time::Instant;

use throughline_demo::{summarize, write_ndjson_summary, DemoConfig};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut config = DemoConfig::default();
    if let Some(n) = args.next() {
        config.customers = n.parse().expect("customers must be a number");
    }
    let started = Instant::now();
    let summary = match args.next() {
        Some(path) => write_ndjson_summary(&config, std::fs::File::create(path)?)?,
        None => summarize(&config),
    };
    let elapsed = started.elapsed();
    for (kind, count) in &summary.per_kind {
        println!("{kind:>18} {count:>9}");
    }
    println!(
        "{:>18} {:>9} signals in {:.2?}",
        "total", summary.total, elapsed
    );
    Ok(())
}
