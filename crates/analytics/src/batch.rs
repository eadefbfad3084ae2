//! Turns stored signals into Arrow record batches of the stored schema, column
//! by column, and concatenates small batches so the tail stays cheap to scan.
//!
//! A signal's times enter the copy only if intake would accept them now
//! (`throughline_domain::limits`: 1900-01-01 to a day past now); any other is
//! null. A store filled before intake checked the range (or a row written by
//! hand) may hold a time past 2262-04-11, which the engine cannot turn into
//! nanoseconds: one such row made every query that truncates or compares its
//! times fail, and a far-future one would be the newest signal for ever.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use datafusion::arrow::array::{
    ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
    UInt8Array,
};
use datafusion::arrow::compute::concat_batches;
use throughline_domain::limits::{latest_time, EARLIEST_TIME};
use throughline_domain::{IdentityKind, Signal};
use throughline_store::StoredSignal;

use crate::error::Result;
use crate::schema::stored_schema;
use crate::text_columns::{self, TextAnalyzer};

/// One record batch of the stored schema holding `rows`, in the order given.
pub fn to_batch(rows: &[StoredSignal], text: &TextAnalyzer) -> Result<RecordBatch> {
    to_batch_at(rows, text, std::time::SystemTime::now().into())
}

/// [`to_batch`] at time `now`, which bounds the times kept (see the module doc). A
/// row is copied after the store received it, so `now` is never earlier than the
/// intake that accepted its times.
pub(crate) fn to_batch_at(
    rows: &[StoredSignal],
    text: &TextAnalyzer,
    now: DateTime<Utc>,
) -> Result<RecordBatch> {
    let range = TimeRange::at(now);
    let micros = |t: DateTime<FixedOffset>| range.micros(t);
    let analyses = text.analyse_rows(rows);
    let strings = |f: &dyn Fn(&StoredSignal) -> Option<String>| -> ArrayRef {
        Arc::new(rows.iter().map(f).collect::<StringArray>())
    };
    let sig_str = |f: &dyn Fn(&Signal) -> Option<&str>| -> ArrayRef {
        Arc::new(rows.iter().map(|r| f(&r.signal)).collect::<StringArray>())
    };
    let ints = |f: &dyn Fn(&StoredSignal) -> i64| -> ArrayRef {
        Arc::new(rows.iter().map(f).collect::<Int64Array>())
    };
    let small = |f: &dyn Fn(&Signal) -> Option<u8>| -> ArrayRef {
        Arc::new(rows.iter().map(|r| f(&r.signal)).collect::<UInt8Array>())
    };
    let times = |f: &dyn Fn(&StoredSignal) -> Option<i64>| -> ArrayRef {
        Arc::new(
            rows.iter()
                .map(f)
                .collect::<TimestampMicrosecondArray>()
                .with_timezone("UTC"),
        )
    };
    let identity = |kind: IdentityKind| {
        sig_str(&move |s: &Signal| {
            s.identities()
                .iter()
                .find(|i| i.kind == kind)
                .map(|i| i.value.as_str())
        })
    };
    let dimension = |i: usize| sig_str(&move |s: &Signal| s.dimensions()[i].as_deref());

    let columns: Vec<ArrayRef> = vec![
        ints(&|r| r.workspace.0),
        ints(&|r| r.seq.0),
        sig_str(&|s| Some(s.kind().as_str())),
        sig_str(&|s| Some(s.source())),
        sig_str(&|s| Some(s.external_id())),
        times(&|r| micros(r.signal.occurred_at())),
        sig_str(&|s| Some(s.stakeholder_type().as_str())),
        ints(&|r| r.profile.0),
        identity(IdentityKind::Email),
        identity(IdentityKind::Phone),
        identity(IdentityKind::Handle),
        identity(IdentityKind::AccountId),
        dimension(0),
        dimension(1),
        dimension(2),
        dimension(3),
        dimension(4),
        dimension(5),
        dimension(6),
        sig_str(&|s| s.action().as_ref().map(|a| a.as_str())),
        sig_str(&|s| s.reason()),
        small(&|s| s.nps()),
        small(&|s| s.csat()),
        small(&|s| s.ces()),
        strings(&|r| {
            let ratings = &r.signal.ratings();
            (!ratings.is_empty()).then(|| serde_json::to_string(ratings).unwrap_or_default())
        }),
        sig_str(&|s| s.text()),
        sig_str(&|s| s.language()),
        Arc::new(
            rows.iter()
                .map(|r| r.signal.amount())
                .collect::<Float64Array>(),
        ),
        sig_str(&|s| s.currency()),
        times(&|r| r.signal.first_response_at().and_then(micros)),
        times(&|r| r.signal.resolved_at().and_then(micros)),
        strings(&|r| {
            let props = &r.signal.properties();
            // The same text as `Value::Object(..).to_string()`, without copying the map.
            (!props.is_empty()).then(|| serde_json::to_string(props).unwrap_or_default())
        }),
        times(&|r| Some(r.received_at_us)),
    ];
    let mut columns = columns;
    columns.extend(text_columns::columns(&analyses));
    Ok(RecordBatch::try_new(stored_schema(), columns)?)
}

/// The times a signal may carry into the copy, in microseconds since the epoch.
#[derive(Clone, Copy)]
struct TimeRange {
    earliest: i64,
    latest: i64,
}

impl TimeRange {
    fn at(now: DateTime<Utc>) -> TimeRange {
        TimeRange {
            earliest: EARLIEST_TIME.timestamp_micros(),
            latest: latest_time(now).timestamp_micros(),
        }
    }

    /// `t` in microseconds, or `None` outside the range.
    fn micros(self, t: DateTime<FixedOffset>) -> Option<i64> {
        let us = t.timestamp_micros();
        (self.earliest..=self.latest).contains(&us).then_some(us)
    }
}

/// One batch holding all of `batches` (which must share the stored schema).
pub fn concat(batches: &[RecordBatch]) -> Result<RecordBatch> {
    Ok(concat_batches(&stored_schema(), batches)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::TimestampMicrosecondType;
    use throughline_domain::{ProfileId, SignalSeq, WorkspaceId};

    fn at(t: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(t).unwrap()
    }

    /// A ticket at `occurred` with its response and resolution times, stored as a
    /// store filled before intake checked the range may hold it.
    fn ticket(seq: i64, occurred: &str, first: &str, resolved: &str) -> StoredSignal {
        let record = serde_json::json!({"kind": "ticket", "source": "desk",
            "external_id": format!("t{seq}"), "occurred_at": "2026-03-01T10:00:00Z",
            "customer": {"email": "a@b.co"}, "text": "Help"});
        let mut parts = Signal::parse(&record).unwrap().into_parts();
        parts.occurred_at = at(occurred);
        parts.first_response_at = Some(at(first));
        parts.resolved_at = Some(at(resolved));
        let signal = Signal::from_stored(parts);
        StoredSignal {
            seq: SignalSeq(seq),
            workspace: WorkspaceId(1),
            profile: ProfileId(1),
            received_at_us: 1_772_000_000_000_000,
            signal,
        }
    }

    fn column(batch: &RecordBatch, name: &str) -> Vec<Option<i64>> {
        let index = batch.schema().index_of(name).unwrap();
        let times = batch
            .column(index)
            .as_primitive::<TimestampMicrosecondType>();
        (0..times.len())
            .map(|i| times.is_valid(i).then(|| times.value(i)))
            .collect()
    }

    #[test]
    fn times_intake_would_refuse_enter_the_copy_as_null() {
        let now = at("2026-03-02T00:00:00Z").to_utc();
        let ok = "2026-03-01T10:00:00Z";
        let rows = [
            ticket(1, ok, ok, ok),
            ticket(2, "2300-01-01T00:00:00Z", "1500-01-01T00:00:00Z", ok),
            // The bounds themselves are kept: 1900-01-01 and a day after `now`.
            ticket(3, "1900-01-01T00:00:00Z", ok, "2026-03-03T00:00:00Z"),
            ticket(4, "1899-12-31T23:59:59Z", ok, "2026-03-03T00:00:01Z"),
        ];
        let batch = to_batch_at(&rows, &TextAnalyzer::default(), now).unwrap();
        let us = |t: &str| Some(at(t).timestamp_micros());
        assert_eq!(
            column(&batch, "occurred_at"),
            [us(ok), None, us("1900-01-01T00:00:00Z"), None]
        );
        assert_eq!(
            column(&batch, "first_response_at"),
            [us(ok), None, us(ok), us(ok)]
        );
        assert_eq!(
            column(&batch, "resolved_at"),
            [us(ok), us(ok), us("2026-03-03T00:00:00Z"), None]
        );
        // When it was received is the store's own clock: kept as stored.
        assert_eq!(
            column(&batch, "received_at"),
            [Some(1_772_000_000_000_000); 4]
        );
    }
}
