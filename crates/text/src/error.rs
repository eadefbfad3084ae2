//! The crate's error type: taxonomy files and evaluation input are the only things that can fail.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum TextError {
    /// The taxonomy file is not valid TOML or does not have the expected shape.
    #[error("taxonomy line {line}, field `{field}`: {reason}")]
    Taxonomy {
        line: usize,
        field: String,
        reason: String,
    },
    /// The evaluation CSV lacks a required column.
    #[error("evaluation csv: {0}")]
    EvalHeader(String),
    /// One evaluation row is unusable; `row` counts data rows from 1 (the header is row 0).
    #[error("evaluation csv row {row}: {reason}")]
    EvalRow { row: usize, reason: String },
    #[error("evaluation csv has no data rows")]
    EvalEmpty,
}
