//! Turns stored signals into Arrow record batches of the stored schema, column
//! by column, and concatenates small batches so the tail stays cheap to scan.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use datafusion::arrow::array::{
    ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
    UInt8Array,
};
use datafusion::arrow::compute::concat_batches;
use throughline_domain::{IdentityKind, Signal};
use throughline_store::StoredSignal;

use crate::error::Result;
use crate::schema::stored_schema;
use crate::text_columns::{self, TextAnalyzer};

/// One record batch of the stored schema holding `rows`, in the order given.
pub fn to_batch(rows: &[StoredSignal], text: &TextAnalyzer) -> Result<RecordBatch> {
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
            s.identities
                .iter()
                .find(|i| i.kind == kind)
                .map(|i| i.value.as_str())
        })
    };
    let dimension = |i: usize| sig_str(&move |s: &Signal| s.dimensions[i].as_deref());

    let columns: Vec<ArrayRef> = vec![
        ints(&|r| r.workspace.0),
        ints(&|r| r.seq.0),
        sig_str(&|s| Some(s.kind.as_str())),
        sig_str(&|s| Some(s.source.as_str())),
        sig_str(&|s| Some(s.external_id.as_str())),
        times(&|r| Some(micros(r.signal.occurred_at))),
        sig_str(&|s| Some(s.stakeholder_type.as_str())),
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
        sig_str(&|s| s.action.as_ref().map(|a| a.as_str())),
        sig_str(&|s| s.reason.as_deref()),
        small(&|s| s.nps),
        small(&|s| s.csat),
        small(&|s| s.ces),
        strings(&|r| {
            let ratings = &r.signal.ratings;
            (!ratings.is_empty()).then(|| serde_json::to_string(ratings).unwrap_or_default())
        }),
        sig_str(&|s| s.text.as_deref()),
        sig_str(&|s| s.language.as_deref()),
        Arc::new(
            rows.iter()
                .map(|r| r.signal.amount)
                .collect::<Float64Array>(),
        ),
        sig_str(&|s| s.currency.as_deref()),
        times(&|r| r.signal.first_response_at.map(micros)),
        times(&|r| r.signal.resolved_at.map(micros)),
        strings(&|r| {
            let props = &r.signal.properties;
            // The same text as `Value::Object(..).to_string()`, without copying the map.
            (!props.is_empty()).then(|| serde_json::to_string(props).unwrap_or_default())
        }),
        times(&|r| Some(r.received_at_us)),
    ];
    let mut columns = columns;
    columns.extend(text_columns::columns(&analyses));
    Ok(RecordBatch::try_new(stored_schema(), columns)?)
}

fn micros(t: DateTime<FixedOffset>) -> i64 {
    t.timestamp_micros()
}

/// One batch holding all of `batches` (which must share the stored schema).
pub fn concat(batches: &[RecordBatch]) -> Result<RecordBatch> {
    Ok(concat_batches(&stored_schema(), batches)?)
}
