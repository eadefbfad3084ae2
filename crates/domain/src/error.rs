//! Why a record was rejected: which field, and why, in words a person can act on.

use serde::Serialize;

/// One problem with one field of one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FieldError {
    /// The wire name of the field, e.g. `nps` or `customer.email`.
    pub field: String,
    /// A lowercase sentence saying what is wrong.
    pub reason: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// A record that did not parse; all problems found are listed, not just the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("record rejected: {}", .errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
pub struct RecordRejected {
    pub errors: Vec<FieldError>,
}
