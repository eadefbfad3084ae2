//! The columns of the analytics copy: the stored schema (with `workspace_id` and
//! the intake profile) and the `signals` view a query sees (without
//! `workspace_id`, with the canonical `profile_id`). Names are the wire format's.

use std::sync::{Arc, OnceLock};

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::error::ArrowError;

/// Bumped whenever the stored columns change; a manifest with another version
/// is discarded and the copy rebuilt from the system of record.
/// 3: `occurred_at` may be null (a stored time outside what intake accepts), so
/// copies that hold such a time as a value are rebuilt.
pub const SCHEMA_VERSION: u32 = 3;

/// The column that scopes every row to a tenant. Never visible to a query.
pub const WORKSPACE_COLUMN: &str = "workspace_id";

/// The signal's kind: segments are sorted by it after the workspace, so a scan can
/// apply a `kind = '…'` filter by zone statistics (`workspace_table.rs`).
pub const KIND_COLUMN: &str = "kind";

/// The column that holds the profile attached at intake; a query sees it
/// replaced by the profile it lives in now.
pub const PROFILE_COLUMN: &str = "profile_id";

fn utc_micros() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// Every column a query sees in `signals`, in order, with its type and whether it can be null.
pub fn view_columns() -> Vec<(&'static str, DataType, bool)> {
    let text = || DataType::Utf8;
    vec![
        ("seq", DataType::Int64, false),
        ("kind", text(), false),
        ("source", text(), false),
        ("external_id", text(), false),
        // Null where the stored time is outside what intake accepts (`batch.rs`).
        ("occurred_at", utc_micros(), true),
        ("stakeholder_type", text(), false),
        (PROFILE_COLUMN, DataType::Int64, false),
        ("email", text(), true),
        ("phone", text(), true),
        ("handle", text(), true),
        ("account_id", text(), true),
        ("channel", text(), true),
        ("touchpoint", text(), true),
        ("stage", text(), true),
        ("brand", text(), true),
        ("store", text(), true),
        ("team", text(), true),
        ("region", text(), true),
        ("action", text(), true),
        ("reason", text(), true),
        ("nps", DataType::UInt8, true),
        ("csat", DataType::UInt8, true),
        ("ces", DataType::UInt8, true),
        ("ratings", text(), true),
        ("text", text(), true),
        ("language", text(), true),
        ("amount", DataType::Float64, true),
        ("currency", text(), true),
        ("first_response_at", utc_micros(), true),
        ("resolved_at", utc_micros(), true),
        ("properties", text(), true),
        ("received_at", utc_micros(), false),
        // Text understanding (null where there is no text, or its language has no rules).
        ("sentiment", DataType::Float64, true),
        ("sentiment_label", text(), true),
        ("themes", text(), true),
        ("aspects", text(), true),
        ("emotions", text(), true),
        ("intents", text(), true),
        ("effort", text(), true),
        ("text_language", text(), true),
        ("analyzer_version", text(), true),
    ]
}

/// The type a query sees for a column stored as `stored`: text as string views.
/// Grouping, comparing and hashing short strings through views (the value inline
/// when it is 12 bytes or less) is about twice as fast as through offsets, and a
/// view array over a decoded column shares its bytes. Segments stay plain `Utf8`.
pub fn query_type(stored: &DataType) -> DataType {
    match stored {
        DataType::Utf8 => DataType::Utf8View,
        other => other.clone(),
    }
}

/// `array` in its query type (`query_type`); shares the text's bytes.
pub(crate) fn to_query_type(array: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    let wanted = query_type(array.data_type());
    match &wanted == array.data_type() {
        true => Ok(Arc::clone(array)),
        false => cast(array, &wanted),
    }
}

/// The stored schema with every column in its query type (`query_type`): what the
/// hot column cache keeps and what a scan of it hands out.
pub fn hot_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let stored = stored_schema();
            let fields = stored
                .fields()
                .iter()
                .map(|f| Field::new(f.name(), query_type(f.data_type()), f.is_nullable()));
            Arc::new(Schema::new(fields.collect::<Vec<_>>()))
        })
        .clone()
}

/// The stored schema: `workspace_id` first, then the view's columns (with the
/// intake profile in `profile_id`). Segments and the tail share it exactly.
pub fn stored_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let mut fields = vec![Field::new(WORKSPACE_COLUMN, DataType::Int64, false)];
            fields.extend(
                view_columns()
                    .into_iter()
                    .map(|(n, t, null)| Field::new(n, t, null)),
            );
            Arc::new(Schema::new(fields))
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_schema_is_the_view_plus_the_workspace() {
        let schema = stored_schema();
        assert_eq!(schema.field(0).name(), WORKSPACE_COLUMN);
        assert_eq!(schema.fields().len(), view_columns().len() + 1);
        // The wire format's fields are all there, under their wire names.
        for field in throughline_domain::wire::FIELDS {
            let stakeholder = ["customer", "employee", "partner"].contains(field);
            assert!(
                stakeholder || schema.field_with_name(field).is_ok(),
                "missing {field}"
            );
        }
        for field in throughline_domain::wire::IDENTITY_FIELDS {
            assert!(
                *field == "network" || schema.field_with_name(field).is_ok(),
                "missing {field}"
            );
        }
    }
}
