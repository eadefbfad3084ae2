//! Parse-only benchmark on a real file (e.g. the demo export): `FileReader`, no store.
//!
//! `cargo run --release -p throughline-ingest --example parse_file -- FILE [THREADS]`
//! prints rows, signals and rows/s. Under `valgrind --tool=callgrind` the instruction
//! count divided by the rows is the parse cost per record, stable on a busy machine.

use std::time::Instant;
use throughline_ingest::{FileReader, Mapping};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: parse_file FILE [THREADS]")?;
    let threads: usize = args.next().map_or(Ok(1), |t| t.parse())?;
    let mut reader = FileReader::open(path.as_ref(), None, &Mapping::default())?;
    reader.set_threads(threads);
    let started = Instant::now();
    let (mut rows, mut signals) = (0usize, 0usize);
    while let Some(chunk) = reader.next_chunk(10_000)? {
        rows += chunk.rows;
        signals += chunk.signals.len();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{rows} rows, {signals} signals in {secs:.2}s ({:.0} rows/s)",
        rows as f64 / secs
    );
    Ok(())
}
