//! Throughput benchmark on one core: sentiment alone and the full pipeline over the texts of a
//! VADER-style ground-truth file (id<TAB>rating<TAB>text). Prints one JSON line with medians of
//! wall-clock rates, and of CPU-time rates (time this thread actually ran, which a busy machine
//! distorts less).
//!
//! cargo run --release -p throughline-text --example bench -- FILE [REPETITIONS]

use std::time::Instant;

use throughline_text::Analyzer;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Peak resident set size in KiB (Linux `VmHWM`), 0 elsewhere.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// CPU time this thread has run, in seconds (Linux schedstat), so figures on a busy machine
/// are not inflated by time spent waiting for a core; None elsewhere.
fn thread_cpu_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Texts per second over wall time and over CPU time.
fn rates(count: usize, run: impl FnOnce()) -> (f64, Option<f64>) {
    let cpu = thread_cpu_s();
    let start = Instant::now();
    run();
    let wall = start.elapsed().as_secs_f64();
    // The CPU clock can advance in steps longer than a pass; a pass it saw take no time has
    // no rate (it would print as `inf`, which is not JSON).
    let cpu = cpu
        .zip(thread_cpu_s())
        .filter(|(a, b)| b > a)
        .map(|(a, b)| count as f64 / (b - a));
    (count as f64 / wall, cpu)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: bench FILE [REPETITIONS]");
    let repetitions: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let raw = std::fs::read_to_string(&path).expect("readable file");
    let texts: Vec<&str> = raw
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.splitn(3, '\t').nth(2))
        .collect();
    let started = Instant::now();
    let analyzer = Analyzer::new();
    let build_ms = started.elapsed().as_secs_f64() * 1e3;
    let mut checksum = 0.0f64;
    // One untimed pass of each so caches and per-thread buffers are warm.
    for text in &texts {
        checksum += analyzer.sentiment_score(text) as f64;
        checksum += analyzer.analyze(text).themes.len() as f64;
    }
    let (mut sentiment_rates, mut sentiment_cpu) = (Vec::new(), Vec::new());
    let (mut full_rates, mut full_cpu) = (Vec::new(), Vec::new());
    for _ in 0..repetitions {
        let (wall, cpu) = rates(texts.len(), || {
            for text in &texts {
                checksum += analyzer.sentiment_score(text) as f64;
            }
        });
        sentiment_rates.push(wall);
        sentiment_cpu.extend(cpu);
        let (wall, cpu) = rates(texts.len(), || {
            for text in &texts {
                let analysis = analyzer.analyze(text);
                checksum += analysis.themes.len() as f64;
            }
        });
        full_rates.push(wall);
        full_cpu.extend(cpu);
    }
    let cpu_median = |values: Vec<f64>| {
        if values.is_empty() {
            0.0
        } else {
            median(values)
        }
    };
    println!(
        "{{\"texts\": {}, \"repetitions\": {repetitions}, \"build_ms\": {build_ms:.1}, \"sentiment_texts_per_s\": {:.0}, \"full_texts_per_s\": {:.0}, \"sentiment_cpu_texts_per_s\": {:.0}, \"full_cpu_texts_per_s\": {:.0}, \"peak_rss_kib\": {}, \"checksum\": {checksum:.3}}}",
        texts.len(),
        median(sentiment_rates),
        median(full_rates),
        cpu_median(sentiment_cpu),
        cpu_median(full_cpu),
        peak_rss_kib()
    );
}
