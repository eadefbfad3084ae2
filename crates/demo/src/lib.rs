//! The demo company generator: a seeded, deterministic, realistic company (three brands,
//! nine channels, an 18-touchpoint journey, 50 000 customers, 400 employees, partners)
//! and every kind of signal it produces over two years, with planted truths
//! (`truths`) that Throughline's analytics must find.
//!
//! Pure: no clocks, no randomness beyond `DemoConfig::seed`, no I/O except
//! `write_ndjson` into any `impl Write`. Scales: CSAT 1–5, CES 1–7 (7 = very easy),
//! NPS and eNPS 0–10.
//!
//! How it works: `plan` decides every episode of every person up front (small structs),
//! sorts them by time, and `render` turns each into signals from its own seed. So the
//! output is in time order and identical for a seed whatever the machine.

mod comments;
pub mod company;
mod contacts;
mod customers;
mod dist;
mod employees;
mod events;
mod feedback;
mod journey;
mod names;
mod orders;
mod partners;
#[rustfmt::skip]
mod phrases;
mod plan;
mod posts;
mod render;
mod spend;
mod themes;
mod transactions;
pub mod truths;

use std::collections::BTreeMap;
use std::io::{self, Write};

use chrono::NaiveDate;
use throughline_domain::{Signal, SignalKind, SignalParts};

pub use spend::AcquisitionTally;

/// What to generate. `Default` is the full demo company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    pub seed: u64,
    pub customers: usize,
    /// Headcount at the start; leavers are replaced (and their applicants appear too).
    pub employees: usize,
    /// First day of the window (midnight UTC).
    pub start: NaiveDate,
    pub months: u32,
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            customers: 50_000,
            employees: 400,
            start: NaiveDate::from_ymd_opt(2024, 11, 1).expect("a valid date"),
            months: 24,
        }
    }
}

/// Generates the company and hands every signal to `emit`, in time order (signals of
/// one episode, like a funnel's events, follow each other). Every signal has a unique
/// `external_id`, an `occurred_at` inside the window, and round-trips through
/// `Signal::parse(&serde_json::to_value(signal.to_wire()))`.
pub fn generate(config: &DemoConfig, mut emit: impl FnMut(Signal)) {
    let world = plan::plan(config);
    let (start, end) = (world.start, world.end);
    // Checked as intake would check them, as if taken in at the window's end: no clock,
    // so the same config makes the same signals on any day.
    let now = render::ts(end).to_utc();
    let mut keep = |mut s: SignalParts| {
        // A few signals of an episode fall just outside the window (an ad click minutes
        // before it opens, a session running past its end): pull in or drop them.
        let at = s.occurred_at.timestamp();
        if at >= end {
            return;
        }
        if at < start {
            s.occurred_at = render::ts(start);
        }
        match s.check(now) {
            Ok(signal) => emit(signal),
            // A generator bug, not a user's input: the demo tests make every kind.
            Err(rejected) => panic!("the demo generated an invalid signal: {rejected}"),
        }
    };
    for ep in &world.episodes {
        render::render(&world, ep, &mut keep);
    }
}

/// Counts per kind of what `generate` emitted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub per_kind: BTreeMap<&'static str, u64>,
    pub total: u64,
}

impl DemoSummary {
    pub fn add(&mut self, kind: SignalKind) {
        *self.per_kind.entry(kind.as_str()).or_default() += 1;
        self.total += 1;
    }
}

/// Generates the company as NDJSON (one wire-format signal per line) into `w`; returns
/// the number of lines written.
pub fn write_ndjson(config: &DemoConfig, w: impl Write) -> io::Result<u64> {
    Ok(write_ndjson_summary(config, w)?.total)
}

/// Like `write_ndjson`, returning the counts per kind.
pub fn write_ndjson_summary(config: &DemoConfig, w: impl Write) -> io::Result<DemoSummary> {
    let mut w = io::BufWriter::with_capacity(1 << 20, w);
    let mut summary = DemoSummary::default();
    let mut result = Ok(());
    generate(config, |s| {
        if result.is_err() {
            return;
        }
        summary.add(s.kind());
        result = serde_json::to_writer(&mut w, &s.to_wire())
            .map_err(io::Error::from)
            .and_then(|()| w.write_all(b"\n"));
    });
    result?;
    w.flush()?;
    Ok(summary)
}

/// Counts per kind without writing anything.
pub fn summarize(config: &DemoConfig) -> DemoSummary {
    let mut summary = DemoSummary::default();
    generate(config, |s| summary.add(s.kind()));
    summary
}
