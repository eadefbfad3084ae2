//! Small builders of valid signals, so a story reads as who said what, when.

use serde_json::{json, Value};
use throughline_domain::{ProfileId, Signal, SignalSeq};
use throughline_store::{IngestOutcome, RecordOutcome};

/// A survey response from `customer` (an identity object such as
/// `json!({"email": "ann@example.com"})`) on day `day` of March 2026.
pub fn survey(external_id: &str, day: u32, customer: Value) -> Signal {
    parse(json!({
        "kind": "survey_response",
        "source": "survey",
        "external_id": external_id,
        "occurred_at": format!("2026-03-{day:02}T10:00:00Z"),
        "customer": customer,
        "nps": 8,
    }))
}

/// Parses a wire record that the story knows to be valid.
pub fn parse(record: Value) -> Signal {
    match Signal::parse(&record) {
        Ok(signal) => signal,
        Err(e) => panic!("fixture {record} does not parse: {e}"),
    }
}

/// The seq and profile of the accepted record at `index`.
pub fn accepted(outcome: &IngestOutcome, index: usize) -> (SignalSeq, ProfileId) {
    match outcome.records[index] {
        RecordOutcome::Accepted { seq, profile } => (seq, profile),
        RecordOutcome::Duplicate => panic!("record {index} was a duplicate: {outcome:?}"),
    }
}

/// The profile the accepted record at `index` was attached to.
pub fn profile_of(outcome: &IngestOutcome, index: usize) -> ProfileId {
    accepted(outcome, index).1
}

/// The seqs of every accepted record, in batch order.
pub fn seqs(outcome: &IngestOutcome) -> Vec<SignalSeq> {
    outcome
        .records
        .iter()
        .filter_map(|r| match r {
            RecordOutcome::Accepted { seq, .. } => Some(*seq),
            RecordOutcome::Duplicate => None,
        })
        .collect()
}

/// Batch `n`: 50 answers (`b{n}-0` … `b{n}-49`) from 7 customers, `C-0` … `C-6`.
pub fn seven_customers(n: usize) -> Vec<Signal> {
    (0..50)
        .map(|i| {
            survey(
                &format!("b{n}-{i}"),
                1 + (i % 28) as u32,
                json!({"account_id": format!("C-{}", i % 7)}),
            )
        })
        .collect()
}
