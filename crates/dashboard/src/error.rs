//! The dashboard's errors: a filter the caller got wrong, or the engine below.

use throughline_analytics::AnalyticsError;

#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    #[error("bad filter `{field}`: {reason}")]
    BadFilter { field: &'static str, reason: String },
    #[error(transparent)]
    Analytics(#[from] AnalyticsError),
    /// A background computation failed (a panic in a fit, say): a bug, not the caller's fault.
    #[error("internal error: {0}")]
    Internal(String),
}

impl DashboardError {
    pub fn is_user_error(&self) -> bool {
        match self {
            DashboardError::BadFilter { .. } => true,
            DashboardError::Analytics(e) => e.is_user_error(),
            DashboardError::Internal(_) => false,
        }
    }
}

pub type Result<T, E = DashboardError> = std::result::Result<T, E>;
