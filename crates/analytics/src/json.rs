//! Arrow record batches to rows of JSON values: numbers stay numbers, text stays
//! text, nulls are `null`, and anything else (timestamps, dates, decimals, lists)
//! is written the way Arrow displays it.

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{
    DataType, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type,
    UInt32Type, UInt64Type, UInt8Type,
};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use serde_json::Value;

use crate::error::Result;

/// At most `limit` rows of `batches`, each a vector of column values.
pub fn rows(batches: &[RecordBatch], limit: usize) -> Result<Vec<Vec<Value>>> {
    let mut out = Vec::new();
    for batch in batches {
        let take = batch.num_rows().min(limit - out.len());
        let columns = batch
            .columns()
            .iter()
            .map(|c| column(c.as_ref(), take))
            .collect::<Result<Vec<_>>>()?;
        for row in 0..take {
            out.push(columns.iter().map(|c| c[row].clone()).collect());
        }
        if out.len() == limit {
            break;
        }
    }
    Ok(out)
}

/// The first `take` values of one column.
fn column(array: &dyn Array, take: usize) -> Result<Vec<Value>> {
    macro_rules! each {
        ($convert:expr) => {
            (0..take)
                .map(|i| {
                    if array.is_null(i) {
                        Value::Null
                    } else {
                        $convert(i)
                    }
                })
                .collect()
        };
    }
    let int = |v: i64| Value::from(v);
    let float = |v: f64| serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number);
    let values = match array.data_type() {
        DataType::Null => vec![Value::Null; take],
        DataType::Boolean => each!(|i| Value::Bool(array.as_boolean().value(i))),
        DataType::Int8 => each!(|i| int(array.as_primitive::<Int8Type>().value(i).into())),
        DataType::Int16 => each!(|i| int(array.as_primitive::<Int16Type>().value(i).into())),
        DataType::Int32 => each!(|i| int(array.as_primitive::<Int32Type>().value(i).into())),
        DataType::Int64 => each!(|i| int(array.as_primitive::<Int64Type>().value(i))),
        DataType::UInt8 => each!(|i| int(array.as_primitive::<UInt8Type>().value(i).into())),
        DataType::UInt16 => each!(|i| int(array.as_primitive::<UInt16Type>().value(i).into())),
        DataType::UInt32 => each!(|i| int(array.as_primitive::<UInt32Type>().value(i).into())),
        DataType::UInt64 => each!(|i| Value::from(array.as_primitive::<UInt64Type>().value(i))),
        DataType::Float32 => each!(|i| float(array.as_primitive::<Float32Type>().value(i).into())),
        DataType::Float64 => each!(|i| float(array.as_primitive::<Float64Type>().value(i))),
        DataType::Utf8 => each!(|i| Value::from(array.as_string::<i32>().value(i))),
        DataType::LargeUtf8 => each!(|i| Value::from(array.as_string::<i64>().value(i))),
        DataType::Utf8View => each!(|i| Value::from(array.as_string_view().value(i))),
        _ => {
            let formatter = ArrayFormatter::try_new(array, &FormatOptions::default())?;
            each!(|i| Value::from(formatter.value(i).to_string()))
        }
    };
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{
        Float64Array, StringArray, TimestampMicrosecondArray, UInt8Array,
    };
    use serde_json::json;
    use std::sync::Arc;

    #[test]
    fn values_keep_their_json_types_and_the_limit_holds() {
        let batch = RecordBatch::try_from_iter(vec![
            ("n", Arc::new(UInt8Array::from(vec![Some(9), None])) as _),
            ("x", Arc::new(Float64Array::from(vec![1.5, f64::NAN])) as _),
            ("s", Arc::new(StringArray::from(vec!["a", "b"])) as _),
            (
                "t",
                Arc::new(TimestampMicrosecondArray::from(vec![0, 1]).with_timezone("UTC")) as _,
            ),
        ])
        .unwrap();
        let got = rows(&[batch.clone(), batch], 3).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(
            got[0],
            vec![
                json!(9),
                json!(1.5),
                json!("a"),
                json!("1970-01-01T00:00:00Z")
            ]
        );
        assert_eq!(got[1][..3], [json!(null), json!(null), json!("b")]);
    }
}

/// EXPLAIN text with every absolute file path replaced by `<file>`: a plan over
/// the Parquet segments names them, and the data directory's layout is not the
/// tenant's business.
pub fn redact_paths(rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    let redact = |v: Value| match v {
        Value::String(s) => Value::String(redact_text(&s)),
        other => other,
    };
    rows.into_iter()
        .map(|row| row.into_iter().map(redact).collect())
        .collect()
}

fn redact_text(text: &str) -> String {
    // A path is a run of these characters with a `/` in it (plans print object
    // store paths without their leading slash); DataFusion prints division as ` / `.
    let path_char = |c: char| c.is_ascii_alphanumeric() || "._-/~".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(path_char) {
        out.push_str(&rest[..start]);
        let run = &rest[start..];
        let len = run.find(|c: char| !path_char(c)).unwrap_or(run.len());
        let token = &run[..len];
        // A word too: `(180/720)` and `(4.50 M/5.00 M)` in EXPLAIN ANALYZE's
        // selectivity are no paths.
        let word = |part: &str| part.chars().filter(|c| c.is_ascii_alphabetic()).count() >= 3;
        if token.contains('/') && token.split('/').any(word) {
            out.push_str("<file>");
        } else {
            out.push_str(token);
        }
        rest = &run[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod redact_tests {
    use super::redact_text;

    #[test]
    fn absolute_paths_are_replaced_and_nothing_else() {
        assert_eq!(
            redact_text(
                "DataSourceExec: file_groups={1 group: [[/tmp/x/seg-1.parquet, tmp/.t/b.parquet]]}"
            ),
            "DataSourceExec: file_groups={1 group: [[<file>, <file>]]}"
        );
        assert_eq!(redact_text("nps@3 / Int64(2), 7"), "nps@3 / Int64(2), 7");
        assert_eq!(
            redact_text("selectivity=25.00% (180/720)"),
            "selectivity=25.00% (180/720)"
        );
        assert_eq!(
            redact_text("selectivity=90% (4.50 M/5.00 M)"),
            "selectivity=90% (4.50 M/5.00 M)"
        );
        assert_eq!(redact_text("[/a/b/c/x.parquet]"), "[<file>]");
        assert_eq!(redact_text("plain"), "plain");
    }
}
