//! What can go wrong in the analytics copy and its SQL engine, split the way the
//! web layer needs it: the caller's mistakes (bad SQL, a forbidden statement, a
//! query too heavy to run) versus what broke inside (store, disk, engine).

use std::path::PathBuf;
use std::time::Duration;

use datafusion::error::DataFusionError;
use throughline_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    /// The SQL does not parse or does not plan (unknown column, type mismatch, …).
    #[error("invalid query: {0}")]
    BadSql(String),
    /// The SQL is valid but not a read-only query; the message says which statement.
    #[error("statement not allowed: {0}")]
    Forbidden(String),
    /// The query planned but failed while running on the data (e.g. a bad cast).
    #[error("query failed: {0}")]
    QueryFailed(String),
    /// The query ran out of its memory budget.
    #[error("query needs more memory than allowed: {0}")]
    TooLarge(String),
    #[error("query took longer than {0:?}")]
    Timeout(Duration),
    /// Too many queries run at once (in the workspace or on the server): retry later.
    #[error("too many queries at once: {0}")]
    Busy(String),
    #[error("store error")]
    Store(#[from] StoreError),
    #[error("i/o error at {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("manifest at {path} is unreadable: {reason}")]
    Manifest { path: PathBuf, reason: String },
    #[error("engine error")]
    Engine(#[source] DataFusionError),
    #[error("background task failed: {0}")]
    Task(String),
}

pub type Result<T, E = AnalyticsError> = std::result::Result<T, E>;

impl AnalyticsError {
    /// True when the caller can fix it (4xx); false when it is ours (5xx + log).
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            AnalyticsError::BadSql(_)
                | AnalyticsError::Forbidden(_)
                | AnalyticsError::QueryFailed(_)
                | AnalyticsError::TooLarge(_)
                | AnalyticsError::Timeout(_)
                | AnalyticsError::Busy(_)
        )
    }

    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| AnalyticsError::Io { path, source }
    }

    /// Classifies an error raised while planning a user's SQL.
    pub(crate) fn planning(e: DataFusionError) -> Self {
        match e.find_root() {
            DataFusionError::SQL(..)
            | DataFusionError::Plan(_)
            | DataFusionError::SchemaError(..)
            | DataFusionError::NotImplemented(_) => {
                AnalyticsError::BadSql(e.find_root().to_string())
            }
            _ => AnalyticsError::Engine(e),
        }
    }

    /// Classifies an error raised while executing a user's query: failures that
    /// come from the data or the expressions are the caller's; the rest are ours.
    pub(crate) fn execution(e: DataFusionError) -> Self {
        match e.find_root() {
            DataFusionError::ResourcesExhausted(m) => AnalyticsError::TooLarge(m.clone()),
            DataFusionError::Execution(_) | DataFusionError::ArrowError(..) => {
                AnalyticsError::QueryFailed(e.find_root().to_string())
            }
            DataFusionError::Plan(_) | DataFusionError::SchemaError(..) => {
                AnalyticsError::BadSql(e.find_root().to_string())
            }
            _ => AnalyticsError::Engine(e),
        }
    }
}

impl From<DataFusionError> for AnalyticsError {
    fn from(e: DataFusionError) -> Self {
        AnalyticsError::Engine(e)
    }
}

impl From<datafusion::arrow::error::ArrowError> for AnalyticsError {
    fn from(e: datafusion::arrow::error::ArrowError) -> Self {
        AnalyticsError::Engine(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use throughline_domain::Chain;

    #[test]
    fn a_cause_is_printed_once() {
        let e = AnalyticsError::Io {
            path: "/data/x.parquet".into(),
            source: std::io::Error::other("disk on fire"),
        };
        assert_eq!(
            Chain(&e).to_string(),
            "i/o error at /data/x.parquet: disk on fire"
        );
        let e = AnalyticsError::Store(StoreError::backend(std::io::Error::other("gone")));
        assert_eq!(Chain(&e).to_string(), "store error: database error: gone");
    }
}
