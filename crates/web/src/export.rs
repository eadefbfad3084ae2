//! `?format=csv`: a JSON answer's tables as CSV, so every figure the API gives can be
//! opened in a spreadsheet. A table is an array of objects anywhere in the answer,
//! named by its path (`segments`, `report.drivers`); `table=` picks one, else the
//! answer's main table. Each object is a row: nested objects become `a.b` columns (in
//! the order of their names, as a row's keys first appear), arrays JSON text. A cell a spreadsheet would run as a formula is
//! quoted (`throughline_ingest::csv_safe`), as in every CSV we write.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use throughline_ingest::csv_safe::neutralize_formula;

use crate::error::ApiError;
use crate::lag::{Lagged, TenantLag};

/// The answer's format, from the query string (`format=json|csv`, `table=path`).
#[derive(Debug, Default, Deserialize)]
pub struct Export {
    pub format: Option<String>,
    pub table: Option<String>,
}

impl Export {
    /// `view` as JSON, or its table `table` (default `main`) as a CSV download named
    /// after `name`.
    /// `lag` goes into the JSON as `analytics_lag` and into a header of either format,
    /// so a figure computed from a copy still catching up never passes as current.
    pub fn answer<T: Serialize>(
        &self,
        view: T,
        lag: TenantLag,
        name: &str,
        main: &str,
    ) -> Result<Response, ApiError> {
        let mut response = match self.format.as_deref().map(str::trim).unwrap_or("") {
            "" | "json" => {
                let answer = Lagged {
                    view,
                    analytics_lag: lag,
                };
                Json(serde_json::to_value(answer).map_err(ApiError::internal)?).into_response()
            }
            "csv" => {
                let value = serde_json::to_value(view).map_err(ApiError::internal)?;
                let asked = self
                    .table
                    .as_deref()
                    .map(str::trim)
                    .filter(|t| !t.is_empty());
                let path = asked.unwrap_or(main);
                // The main table is absent where there is nothing to show (no driver
                // report): that is an empty table, not a mistake of the caller's.
                let text = match table_csv(&value, path) {
                    Err(_) if asked.is_none() => String::new(),
                    other => other?,
                };
                let file = format!("attachment; filename=\"{name}-{path}.csv\"");
                (
                    [
                        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                        (header::CONTENT_DISPOSITION, file),
                    ],
                    text,
                )
                    .into_response()
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "format: json or csv, not {other:?}"
                )))
            }
        };
        let (name, progress) = lag.header();
        response.headers_mut().insert(name, progress);
        Ok(response)
    }
}

/// The table at `path` of `answer` as CSV, or a 400 that lists the tables there are.
pub fn table_csv(answer: &Value, path: &str) -> Result<String, ApiError> {
    let found = tables(answer);
    let Some((_, rows)) = found.iter().find(|(p, _)| p == path) else {
        let names: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        return Err(ApiError::bad_request(format!(
            "table: no table {path:?} in this answer; it has: {}",
            names.join(", ")
        )));
    };
    let flat: Vec<Vec<(String, Cell)>> = rows.iter().map(flatten).collect();
    let mut columns: Vec<&str> = Vec::new();
    for row in &flat {
        for (name, _) in row {
            if !columns.contains(&name.as_str()) {
                columns.push(name);
            }
        }
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |e: csv::Error| ApiError::internal(e);
    if !columns.is_empty() {
        let header = columns.iter().map(|c| Cell::Text(c.to_string()));
        write_row(&mut out, header).map_err(write)?;
    }
    for row in &flat {
        let cells = columns.iter().map(|c| {
            row.iter()
                .find(|(name, _)| name == c)
                .map_or(Cell::Number(String::new()), |(_, v)| v.clone())
        });
        write_row(&mut out, cells).map_err(write)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| ApiError::internal(e.into_error()))?;
    String::from_utf8(bytes).map_err(ApiError::internal)
}

/// A cell: text (written safe from spreadsheet formulas) or a number, a boolean or
/// nothing (written as it is: `-3` is a number, not a formula).
#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    Number(String),
}

fn write_row(out: &mut csv::Writer<Vec<u8>>, cells: impl Iterator<Item = Cell>) -> csv::Result<()> {
    for cell in cells {
        match cell {
            Cell::Text(t) => out.write_field(neutralize_formula(&t).as_bytes())?,
            Cell::Number(n) => out.write_field(n.as_bytes())?,
        }
    }
    out.write_record(None::<&[u8]>)
}

/// Every array of objects in `value` (an empty array counts: its table has no rows),
/// with its path, in document order. Arrays inside tables' rows are cells, not tables.
fn tables(value: &Value) -> Vec<(String, &Vec<Value>)> {
    fn walk<'a>(value: &'a Value, path: &str, out: &mut Vec<(String, &'a Vec<Value>)>) {
        match value {
            Value::Array(items) if items.iter().all(Value::is_object) => {
                out.push((path.to_string(), items));
            }
            Value::Object(fields) => {
                for (key, child) in fields {
                    let path = match path {
                        "" => key.clone(),
                        _ => format!("{path}.{key}"),
                    };
                    walk(child, &path, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, "", &mut out);
    out
}

/// One row's cells: nested objects' fields as `a.b`, arrays as JSON text.
fn flatten(row: &Value) -> Vec<(String, Cell)> {
    fn walk(fields: &Map<String, Value>, prefix: &str, out: &mut Vec<(String, Cell)>) {
        for (key, value) in fields {
            let name = match prefix {
                "" => key.clone(),
                _ => format!("{prefix}.{key}"),
            };
            match value {
                Value::Object(inner) => walk(inner, &name, out),
                Value::Null => out.push((name, Cell::Number(String::new()))),
                Value::String(s) => out.push((name, Cell::Text(s.clone()))),
                Value::Bool(b) => out.push((name, Cell::Number(b.to_string()))),
                Value::Number(n) => out.push((name, Cell::Number(n.to_string()))),
                Value::Array(_) => out.push((name, Cell::Text(value.to_string()))),
            }
        }
    }
    let mut out = Vec::new();
    if let Value::Object(fields) = row {
        walk(fields, "", &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer() -> Value {
        json!({
            "period": { "from": "2026-01" },
            "segments": [
                { "name": "web", "estimate": { "value": 41.5, "ci_low": 38.0 }, "n": 120 },
                { "name": "=HYPERLINK(\"x\")", "estimate": { "value": -3, "ci_low": null }, "n": 7, "extra": [1, 2] }
            ],
            "report": { "drivers": [] },
            "points": [1, 2, 3]
        })
    }

    #[test]
    fn a_table_is_rows_with_flattened_columns() {
        let csv = table_csv(&answer(), "segments").unwrap();
        // Columns in the order of their paths (serde_json keeps keys sorted).
        let want = "estimate.ci_low,estimate.value,n,name,extra\n\
                    38.0,41.5,120,web,\n\
                    ,-3,7,\"'=HYPERLINK(\"\"x\"\")\",\"[1,2]\"\n";
        assert_eq!(csv, want);
    }

    #[test]
    fn an_empty_table_is_empty_and_an_unknown_one_lists_the_others() {
        assert_eq!(table_csv(&answer(), "report.drivers").unwrap(), "");
        let e = table_csv(&answer(), "points").unwrap_err().to_string();
        assert!(e.contains("report.drivers, segments"), "{e}");
    }
}
