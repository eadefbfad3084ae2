//! The crate's error type: every failure names what went wrong and where.

use thiserror::Error;

/// Everything that can go wrong while reading data or fitting a model.
#[derive(Debug, Error)]
pub enum ValueError {
    /// The underlying reader failed.
    #[error("i/o error while reading input")]
    Io(#[from] std::io::Error),
    /// The input had no header line.
    #[error("empty input: expected a header line")]
    Empty,
    /// The header lacks a required column.
    #[error("missing column `{column}` in header (found: {found})")]
    MissingColumn { column: String, found: String },
    /// The header matches neither accepted layout.
    #[error("unrecognised header `{0}`: expected purchases (customer_id, date, amount) or summaries (frequency, recency, T[, monetary_value])")]
    UnknownLayout(String),
    /// A data row has an unusable field. `line` is 1-based and counts the header.
    #[error("line {line}, field `{field}`: {message}")]
    BadField {
        line: usize,
        field: String,
        message: String,
    },
    /// A data row has fewer fields than the header.
    #[error("line {line}: expected at least {expected} fields, found {found}")]
    FieldCount {
        line: usize,
        expected: usize,
        found: usize,
    },
    /// Not enough customers to estimate the model reliably.
    #[error("too few customers to fit the {model} model: {found} (need at least {needed})")]
    TooFewCustomers {
        model: &'static str,
        found: usize,
        needed: usize,
    },
    /// Nobody bought twice, so dropout and purchase rates are not identified.
    #[error(
        "no repeat purchasers in the data: the {model} model needs customers with frequency > 0"
    )]
    NoRepeaters { model: &'static str },
    /// A caller-supplied argument is out of range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The optimiser stopped without a usable optimum.
    #[error("optimiser failed for the {model} model: {message}")]
    Optimizer {
        model: &'static str,
        message: String,
    },
}

/// Shorthand used across the crate.
pub type Result<T, E = ValueError> = std::result::Result<T, E>;
