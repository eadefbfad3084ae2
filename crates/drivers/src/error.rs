//! The crate's error type: each refusal says what is wrong with the data and which column.

use std::fmt;

/// Why a driver analysis was refused. Messages are lowercase sentences for the analyst.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriverError {
    /// Too few respondents for the number of drivers: `needed` is max(30, 5·k).
    TooFewRows { n: usize, needed: usize },
    /// The outcome is the same for every respondent, so there is nothing to explain.
    NoVariance { name: String },
    /// More (non-constant) drivers than the method handles.
    TooManyDrivers { k: usize, max: usize },
    /// A row or the outcome does not have the expected length.
    LengthMismatch {
        what: String,
        expected: usize,
        found: usize,
    },
    /// A NaN or infinite value; `row` is 0-based.
    NonFinite { row: usize, column: String },
    /// No driver varies (or none was given).
    NoDrivers,
    /// A driver is (almost) a linear combination of the drivers before it, e.g. a duplicate
    /// column or a set of 0/1 columns that always sum to 1; R² cannot be split among them.
    Collinear { name: String },
}

impl fmt::Display for DriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DriverError::TooFewRows { n, needed } => write!(
                f,
                "too few respondents: {n}, need at least {needed} (max(30, 5 per driver))"
            ),
            DriverError::NoVariance { name } => {
                write!(f, "`{name}` has the same value for every respondent")
            }
            DriverError::TooManyDrivers { k, max } => {
                write!(f, "too many drivers for this method: {k}, at most {max}")
            }
            DriverError::LengthMismatch {
                what,
                expected,
                found,
            } => write!(f, "{what} has {found} values, expected {expected}"),
            DriverError::NonFinite { row, column } => {
                write!(f, "row {row}, `{column}`: value is not a finite number")
            }
            DriverError::NoDrivers => write!(f, "no driver varies across respondents"),
            DriverError::Collinear { name } => write!(
                f,
                "driver `{name}` is (almost) a linear combination of other drivers; \
                 remove or merge it"
            ),
        }
    }
}

impl std::error::Error for DriverError {}
