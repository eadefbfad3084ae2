//! One error type for every route, with one `match` from error to status code and a
//! stable machine-readable `code`. Internal errors are logged with their chain and
//! the client learns nothing internal.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use throughline_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("missing or invalid API key")]
    Unauthorized,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Conflict(String),
    /// The server is at a bound it keeps on purpose (buffered intake bodies,
    /// concurrent queries); the client should retry after `retry_after_secs`.
    #[error("{message}")]
    Busy {
        retry_after_secs: u64,
        message: String,
    },
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        ApiError::Internal(Box::new(e))
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "unprocessable"),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::Busy { .. } => (StatusCode::TOO_MANY_REQUESTS, "busy"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::NotFound(format!("{what} not found")),
            StoreError::Conflict(why) => ApiError::Conflict(why),
            other => ApiError::internal(other),
        }
    }
}

impl From<throughline_analytics::AnalyticsError> for ApiError {
    fn from(e: throughline_analytics::AnalyticsError) -> Self {
        use throughline_analytics::AnalyticsError as E;
        match e {
            E::Busy(message) => ApiError::Busy {
                retry_after_secs: 1,
                message,
            },
            E::TooLarge(_) => ApiError::TooLarge(e.to_string()),
            e if e.is_user_error() => ApiError::BadRequest(e.to_string()),
            e => ApiError::internal(e),
        }
    }
}

impl From<throughline_dashboard::DashboardError> for ApiError {
    fn from(e: throughline_dashboard::DashboardError) -> Self {
        if e.is_user_error() {
            ApiError::BadRequest(e.to_string())
        } else {
            ApiError::internal(e)
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let ApiError::Internal(source) = &self {
            let mut chain = source.to_string();
            let mut next = source.source();
            while let Some(cause) = next {
                chain.push_str(": ");
                chain.push_str(&cause.to_string());
                next = cause.source();
            }
            tracing::error!(error = %chain, "internal error");
        }
        let body = Json(json!({ "error": { "code": code, "message": self.to_string() } }));
        match &self {
            ApiError::Busy {
                retry_after_secs, ..
            } => (
                status,
                [(header::RETRY_AFTER, retry_after_secs.to_string())],
                body,
            )
                .into_response(),
            _ => (status, body).into_response(),
        }
    }
}
