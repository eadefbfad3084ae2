//! The dashboard's errors: a filter the caller got wrong, or the engine below.

use throughline_analytics::AnalyticsError;

#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    #[error("bad filter `{field}`: {reason}")]
    BadFilter { field: &'static str, reason: String },
    #[error(transparent)]
    Analytics(#[from] AnalyticsError),
}

impl DashboardError {
    pub fn is_user_error(&self) -> bool {
        match self {
            DashboardError::BadFilter { .. } => true,
            DashboardError::Analytics(e) => e.is_user_error(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            DashboardError::BadFilter { .. } => "bad_filter",
            DashboardError::Analytics(e) => e.code(),
        }
    }
}

pub type Result<T, E = DashboardError> = std::result::Result<T, E>;
