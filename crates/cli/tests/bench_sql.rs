//! `throughline bench --sql` on a tiny data size: one row per query, with DuckDB's
//! figures and identical answers when Python's `duckdb` is installed.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_throughline");

#[test]
fn bench_sql_prints_a_row_per_query() {
    let out = Command::new(BIN)
        .args([
            "bench",
            "--sql",
            "--responses",
            "600",
            "--events",
            "1500",
            "--queries",
            "2",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("2100 signals"), "{text}");
    let duckdb = Command::new("python3")
        .args(["-c", "import duckdb"])
        .status()
        .is_ok_and(|s| s.success());
    let names = [
        "NPS by month x channel",
        "CSAT mean by brand",
        "4-step funnel",
        "directly-follows counts",
        "README: avg(nps) by channel",
        "README: themes from aspects",
    ];
    for name in names {
        let row = text
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no row for {name}:\n{text}"));
        let cells: Vec<&str> = row[38..].split_whitespace().collect();
        // rows, p50, p90, first, first/p50, unwarmed, DuckDB, ratio, identical
        assert!(cells.len() >= 9, "{row}");
        for figure in &cells[1..6] {
            assert!(figure.parse::<f64>().is_ok_and(|v| v > 0.0), "{row}");
        }
        if duckdb {
            assert!(cells[6].parse::<f64>().is_ok(), "{row}");
            assert_eq!(cells[8], "yes", "{row}");
        } else {
            assert_eq!(cells[8], "-", "{row}");
        }
    }
    // The start's warm-up ran, after a previous session that recorded its columns.
    assert!(text.contains("warm-up of the columns"), "{text}");
    if !duckdb {
        assert!(text.contains("DuckDB comparison skipped"), "{text}");
    }
}
