//! Parse throughput on synthetic demo-like records: HTTP batches (NDJSON and JSON array,
//! 10k records each) and file import (NDJSON and CSV), reported as the median of 5 runs.
//!
//! `cargo run --release -p throughline-ingest --example parse_bench -- [N]`

use std::io::Cursor;
use std::time::{Duration, Instant};
use throughline_ingest::{parse_batch, BatchLimits, BodyFormat, FileFormat, FileReader, Mapping};

const KINDS: [&str; 3] = ["survey_response", "ticket", "transaction"];
const CHANNELS: [&str; 4] = ["email", "web", "store", "app"];
const BRANDS: [&str; 3] = ["Northwind", "Contoso", "Fabrikam"];

/// One record as a flat list of (CSV header, JSON-ready value); strings are quoted JSON.
fn record(i: usize) -> Vec<(&'static str, String)> {
    let kind = KINDS[i % 3];
    let mut fields = vec![
        ("kind", format!("{kind:?}")),
        ("source", "\"bench\"".to_string()),
        ("external_id", format!("\"r-{i}\"")),
        (
            "occurred_at",
            format!(
                "\"2026-03-{:02}T{:02}:{:02}:00Z\"",
                1 + i % 28,
                i % 24,
                i % 60
            ),
        ),
        (
            "customer.email",
            format!("\"Customer{}@Example.com\"", i % 50_000),
        ),
        ("channel", format!("{:?}", CHANNELS[i % 4])),
        ("brand", format!("{:?}", BRANDS[i % 3])),
        ("region", "\"EMEA\"".to_string()),
    ];
    match kind {
        "survey_response" => {
            fields.push(("nps", (i % 11).to_string()));
            fields.push((
                "text",
                "\"The staff were lovely but delivery took far too long.\"".into(),
            ));
            fields.push(("ratings.ease", (1 + i % 5).to_string()));
        }
        "ticket" => {
            fields.push(("text", "\"My parcel has not arrived, order 12345.\"".into()));
            fields.push(("resolved_at", "\"2026-03-29T10:00:00Z\"".into()));
        }
        _ => {
            fields.push(("amount", format!("{}.99", i % 200)));
            fields.push(("currency", "\"EUR\"".into()));
        }
    }
    fields.push(("properties.plan", "\"gold\"".to_string()));
    fields
}

fn ndjson_line(i: usize) -> String {
    let mut top = Vec::new();
    let (mut customer, mut ratings, mut properties) = (Vec::new(), Vec::new(), Vec::new());
    for (key, value) in record(i) {
        match key.split_once('.') {
            Some(("customer", k)) => customer.push(format!("\"{k}\":{value}")),
            Some(("ratings", k)) => ratings.push(format!("\"{k}\":{value}")),
            Some(("properties", k)) => properties.push(format!("\"{k}\":{value}")),
            _ => top.push(format!("\"{key}\":{value}")),
        }
    }
    for (name, parts) in [
        ("customer", customer),
        ("ratings", ratings),
        ("properties", properties),
    ] {
        if !parts.is_empty() {
            top.push(format!("\"{name}\":{{{}}}", parts.join(",")));
        }
    }
    format!("{{{}}}", top.join(","))
}

fn csv_file(n: usize) -> String {
    let headers = [
        "kind",
        "source",
        "external_id",
        "occurred_at",
        "customer.email",
        "channel",
        "brand",
        "region",
        "nps",
        "text",
        "ratings.ease",
        "resolved_at",
        "amount",
        "currency",
        "properties.plan",
    ];
    let mut out = headers.join(",") + "\n";
    for i in 0..n {
        let fields = record(i);
        let cells: Vec<String> = headers
            .iter()
            .map(|h| {
                let value = fields
                    .iter()
                    .find(|(k, _)| k == h)
                    .map_or("", |(_, v)| v.as_str());
                // JSON strings are valid CSV quoted cells here (no embedded quotes).
                value.to_string()
            })
            .collect();
        out += &cells.join(",");
        out.push('\n');
    }
    out
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

/// CPU seconds used by the whole process so far (Linux; clock ticks of 10 ms), so the
/// figures stay meaningful when other work shares the machine.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the file, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

fn report(name: &str, rows: usize, bytes: usize, mut run: impl FnMut() -> usize) {
    let runs: Vec<(Duration, f64)> = (0..5)
        .map(|_| {
            let (started, cpu) = (Instant::now(), cpu_seconds());
            let good = run();
            assert_eq!(good, rows, "{name}: every synthetic record must parse");
            (started.elapsed(), cpu_seconds() - cpu)
        })
        .collect();
    let wall = median(runs.iter().map(|r| r.0).collect()).as_secs_f64();
    let mut cpu: Vec<f64> = runs.iter().map(|r| r.1).collect();
    cpu.sort_by(f64::total_cmp);
    let cpu = cpu[cpu.len() / 2].max(0.01);
    let mib = bytes as f64 / (1024.0 * 1024.0) / wall;
    println!(
        "{name:<24} {:>9.0} rows/s wall  {mib:>6.1} MiB/s  {:>9.0} rows per CPU-second",
        rows as f64 / wall,
        rows as f64 / cpu
    );
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let lines: Vec<String> = (0..n).map(ndjson_line).collect();
    let ndjson = lines.join("\n") + "\n";
    let batch = 10_000;
    let ndjson_batches: Vec<String> = lines.chunks(batch).map(|c| c.join("\n")).collect();
    let array_batches: Vec<String> = lines
        .chunks(batch)
        .map(|c| format!("[{}]", c.join(",")))
        .collect();
    let csv = csv_file(n);
    let limits = BatchLimits::default();
    println!(
        "{n} records, {} bytes of NDJSON, {} bytes of CSV",
        ndjson.len(),
        csv.len()
    );
    // Other work on the machine skews wall-clock figures; say how busy it was.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "{cores} cores, load average {}",
        load.split(' ').next().unwrap_or("?")
    );

    let count = |format, bodies: &[String]| {
        bodies
            .iter()
            .map(|b| {
                parse_batch(b.as_bytes(), format, &limits)
                    .unwrap()
                    .signals
                    .len()
            })
            .sum()
    };
    // Baselines: what serde_json alone costs, and `Signal::parse` on ready `Value`s.
    report("baseline: json→Value", n, ndjson.len(), || {
        lines
            .iter()
            .filter(|l| serde_json::from_str::<serde_json::Value>(l).is_ok_and(|v| v.is_object()))
            .count()
    });
    let values: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    report("baseline: Signal::parse", n, ndjson.len(), || {
        values
            .iter()
            .filter(|v| throughline_domain::Signal::parse(v).is_ok())
            .count()
    });
    drop(values);
    report("http ndjson", n, ndjson.len(), || {
        count(BodyFormat::Ndjson, &ndjson_batches)
    });
    report("http json array", n, ndjson.len(), || {
        count(BodyFormat::Json, &array_batches)
    });
    // Files are read from memory so that the figure is parsing, not the disk.
    let file = |format, text: &str, threads| {
        let bytes = Cursor::new(text.as_bytes().to_vec());
        let mut reader = FileReader::new(bytes, format, &Mapping::default()).unwrap();
        reader.set_threads(threads);
        let mut good = 0;
        while let Some(chunk) = reader.next_chunk(batch).unwrap() {
            assert!(chunk.rejects.is_empty(), "{:?}", chunk.rejects.first());
            good += chunk.signals.len();
        }
        good
    };
    report("file ndjson", n, ndjson.len(), || {
        file(FileFormat::Ndjson, &ndjson, 1)
    });
    report("file csv", n, csv.len(), || file(FileFormat::Csv, &csv, 1));
    report("file ndjson, 2 threads", n, ndjson.len(), || {
        file(FileFormat::Ndjson, &ndjson, 2)
    });
    report("file csv, 2 threads", n, csv.len(), || {
        file(FileFormat::Csv, &csv, 2)
    });
}
