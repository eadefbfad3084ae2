//! Timing on hostile inputs: texts built to make a scanner revisit what it has seen (long runs
//! of one character, no spaces, many `@` / `.` / digits, brackets, emoji, one endless clause).
//! For each, the median of several runs of `pii::find` and of the full `Analyzer::analyze`.
//! Speed is measured here, not in timed tests.
//!
//! cargo run --release -p throughline-text --example hostile -- [BYTES] [RUNS] [FILTER]

use std::time::Instant;

use throughline_text::{pii, Analyzer};

/// `unit` repeated up to `bytes` bytes (whole units only).
fn repeat(unit: &str, bytes: usize) -> String {
    unit.repeat((bytes / unit.len()).max(1))
}

/// The hostile texts, by name, each about `bytes` long.
pub fn cases(bytes: usize) -> Vec<(&'static str, String)> {
    let mut every_theme = String::new();
    for word in [
        "delivery",
        "driver",
        "price",
        "overcharged",
        "staff",
        "rude",
        "clueless",
        "queue",
        "quality",
        "faulty",
        "coffee",
        "refund",
        "app",
        "crash",
        "password",
        "email",
        "training",
        "manager",
        "salary",
        "workload",
        "store",
        "cancel",
    ] {
        every_theme.push_str(word);
        every_theme.push(' ');
    }
    let rest = repeat("good ", bytes - every_theme.len());
    let every_theme = every_theme + &rest;
    vec![
        ("a-run then @", "a".repeat(bytes - 1) + "@"),
        ("@ run", repeat("@", bytes)),
        ("a@ pairs", repeat("a@", bytes)),
        ("a. pairs", repeat("a.", bytes)),
        ("dot run", repeat(".", bytes)),
        ("digit run", repeat("1", bytes)),
        ("1-space pairs", repeat("1 ", bytes)),
        ("a1 pairs", repeat("a1 ", bytes)),
        ("1( pairs", repeat("1(", bytes)),
        ("1 then ) run", "1".to_string() + &repeat(")", bytes - 1)),
        (
            "1)))) blocks",
            repeat(&("1".to_string() + &")".repeat(63)), bytes),
        ),
        ("iban heads", repeat("AB12 ", bytes)),
        ("emails", repeat("a@b.co ", bytes)),
        ("[ run", repeat("[", bytes)),
        ("[A pairs", repeat("[A", bytes)),
        ("! run", repeat("!", bytes)),
        ("a! pairs", repeat("a!", bytes)),
        ("a? words", repeat("a? ", bytes)),
        ("emoji run", repeat("😀", bytes)),
        ("emoji words", repeat("😀 ", bytes)),
        ("a words", repeat("a ", bytes)),
        ("good words", repeat("good ", bytes)),
        ("theme clause", repeat("delivery good ", bytes)),
        ("theme sentences", repeat("delivery good. ", bytes)),
        ("every theme", every_theme),
        ("near pairs", repeat("parcel late ", bytes)),
        ("but clauses", repeat("but good ", bytes)),
        ("cyrillic words", repeat("дд ", bytes)),
        ("long word", "g".to_string() + &"o".repeat(bytes - 2) + "d"),
        ("entities", repeat("&amp;", bytes)),
    ]
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Median milliseconds of `runs` calls (one call when the first takes over a second).
fn time(runs: usize, mut f: impl FnMut() -> usize) -> f64 {
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(f());
        let ms = start.elapsed().as_secs_f64() * 1e3;
        times.push(ms);
        if ms > 1000.0 {
            break;
        }
    }
    median(times)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let bytes: usize = args.next().map_or(64 * 1024, |a| a.parse().expect("BYTES"));
    let runs: usize = args.next().map_or(5, |a| a.parse().expect("RUNS"));
    let filter = args.next().unwrap_or_default();
    let analyzer = Analyzer::new();
    analyzer.analyze("warm up the shared buffers");
    println!(
        "{:<16} {:>8} {:>10} {:>10}",
        "case", "bytes", "pii ms", "analyze ms"
    );
    for (name, text) in cases(bytes) {
        if !name.contains(filter.as_str()) {
            continue;
        }
        let pii_ms = time(runs, || pii::find(&text).len());
        let analyze_ms = time(runs, || analyzer.analyze(&text).themes.len());
        println!(
            "{name:<16} {:>8} {pii_ms:>10.3} {analyze_ms:>10.3}",
            text.len()
        );
    }
}
