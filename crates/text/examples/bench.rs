//! Throughput benchmark on one core: sentiment alone and the full pipeline over the texts of a
//! VADER-style ground-truth file (id<TAB>rating<TAB>text). Prints one JSON line with medians.
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
    let mut sentiment_rates = Vec::new();
    let mut full_rates = Vec::new();
    for _ in 0..repetitions {
        let start = Instant::now();
        for text in &texts {
            checksum += analyzer.sentiment_score(text) as f64;
        }
        sentiment_rates.push(texts.len() as f64 / start.elapsed().as_secs_f64());
        let start = Instant::now();
        for text in &texts {
            let analysis = analyzer.analyze(text);
            checksum += analysis.themes.len() as f64;
        }
        full_rates.push(texts.len() as f64 / start.elapsed().as_secs_f64());
    }
    println!(
        "{{\"texts\": {}, \"repetitions\": {repetitions}, \"build_ms\": {build_ms:.1}, \"sentiment_texts_per_s\": {:.0}, \"full_texts_per_s\": {:.0}, \"peak_rss_kib\": {}, \"checksum\": {checksum:.3}}}",
        texts.len(),
        median(sentiment_rates),
        median(full_rates),
        peak_rss_kib()
    );
}
