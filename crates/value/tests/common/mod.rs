//! Shared fixture loading for the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use throughline_value::{read_summaries, CustomerSummary, Date, Purchase};

/// The crate directory as the test runner reports it when the test runs (cargo and
/// nextest set it), so a test binary built in another checkout of the same target
/// cache still finds this checkout's fixtures; the compile-time value otherwise.
pub fn fixture(name: &str) -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("tests")
        .join("fixtures")
        .join(name)
}

pub fn summaries(name: &str) -> Vec<CustomerSummary> {
    read_summaries(std::fs::File::open(fixture(name)).unwrap()).unwrap()
}

/// CDNOW_sample.txt is whitespace separated without a header: customer id, id, date, CDs, dollars.
pub fn cdnow_purchases() -> Vec<Purchase> {
    let text = std::fs::read_to_string(fixture("CDNOW_sample.txt")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Purchase {
                customer_id: f[0].to_string(),
                date: Date::parse(f[2]).unwrap(),
                amount: f[4].parse().unwrap(),
            }
        })
        .collect()
}

/// The same purchases as the `customer_id,date,amount` CSV the CLI reads.
pub fn cdnow_purchases_csv() -> String {
    let mut out = String::from("customer_id,date,amount\n");
    for p in cdnow_purchases() {
        out.push_str(&format!("{},{},{}\n", p.customer_id, p.date, p.amount));
    }
    out
}
