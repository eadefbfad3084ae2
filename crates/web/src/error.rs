//! One error type for every route. Every answer it makes carries a `code` from one
//! table (`ErrorCode`): the status, the answer's code and the OpenAPI document's list
//! of codes all come from it. Lower layers' errors are mapped to a code here, by
//! variant. Internal errors are logged with their chain and the client learns
//! nothing internal.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use throughline_analytics::AnalyticsError;
use throughline_dashboard::DashboardError;
use throughline_domain::Chain;
use throughline_store::StoreError;

/// Every machine-readable code an error answer can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthorized,
    NotFound,
    BadRequest,
    BadFilter,
    BadSql,
    ForbiddenStatement,
    QueryFailed,
    QueryTimeout,
    QueryTooLarge,
    TooLarge,
    Unprocessable,
    UnsupportedMediaType,
    Conflict,
    Busy,
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 15] = [
        ErrorCode::Unauthorized,
        ErrorCode::NotFound,
        ErrorCode::BadRequest,
        ErrorCode::BadFilter,
        ErrorCode::BadSql,
        ErrorCode::ForbiddenStatement,
        ErrorCode::QueryFailed,
        ErrorCode::QueryTimeout,
        ErrorCode::QueryTooLarge,
        ErrorCode::TooLarge,
        ErrorCode::Unprocessable,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::Conflict,
        ErrorCode::Busy,
        ErrorCode::Internal,
    ];

    /// The code, its status and what it means: the table itself.
    fn entry(self) -> (&'static str, StatusCode, &'static str) {
        use ErrorCode as C;
        use StatusCode as S;
        match self {
            C::Unauthorized => ("unauthorized", S::UNAUTHORIZED, "missing or invalid API key"),
            C::NotFound => ("not_found", S::NOT_FOUND, "no such profile, page or route in this workspace"),
            C::BadRequest => ("bad_request", S::BAD_REQUEST, "a parameter or body that does not parse, or a body sent too slowly"),
            C::BadFilter => ("bad_filter", S::BAD_REQUEST, "a dashboard filter with a wrong value; the message names the filter"),
            C::BadSql => ("bad_sql", S::BAD_REQUEST, "SQL that does not parse or plan (syntax, unknown column, type mismatch)"),
            C::ForbiddenStatement => ("forbidden_statement", S::BAD_REQUEST, "SQL that is not a read-only query (DDL, DML, `COPY`, `SET` …)"),
            C::QueryFailed => ("query_failed", S::BAD_REQUEST, "a query that failed on the data (a bad cast, division by zero …)"),
            C::QueryTimeout => ("query_timeout", S::BAD_REQUEST, "a query stopped at its deadline"),
            C::QueryTooLarge => ("query_too_large", S::PAYLOAD_TOO_LARGE, "SQL text, expression depth, memory, a built value or the answer over its limit"),
            C::TooLarge => ("too_large", S::PAYLOAD_TOO_LARGE, "a body, batch, text or list over its limit"),
            C::Unprocessable => ("unprocessable", S::UNPROCESSABLE_ENTITY, "a body that parses but cannot be taken as a whole (e.g. not a JSON array)"),
            C::UnsupportedMediaType => ("unsupported_media_type", S::UNSUPPORTED_MEDIA_TYPE, "a body without `content-type: application/json` where a route takes JSON"),
            C::Conflict => ("conflict", S::CONFLICT, "the request contradicts what is stored"),
            C::Busy => ("busy", S::TOO_MANY_REQUESTS, "at a bound kept on purpose (queries, analyses or bodies at once); retry after `Retry-After` seconds"),
            C::Internal => ("internal", S::INTERNAL_SERVER_ERROR, "a fault on our side; it is logged with its cause, and the answer says only \"internal error\""),
        }
    }

    pub fn as_str(self) -> &'static str {
        self.entry().0
    }

    pub fn status(self) -> StatusCode {
        self.entry().1
    }

    pub fn meaning(self) -> &'static str {
        self.entry().2
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The caller's mistake (or a limit the caller hit), with its code.
    #[error("{message}")]
    Caller { code: ErrorCode, message: String },
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

    pub fn caller(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::Caller {
            code,
            message: message.into(),
        }
    }

    pub fn unauthorized() -> Self {
        Self::caller(ErrorCode::Unauthorized, "missing or invalid API key")
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::caller(ErrorCode::NotFound, message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::caller(ErrorCode::BadRequest, message)
    }

    pub fn too_large(message: impl Into<String>) -> Self {
        Self::caller(ErrorCode::TooLarge, message)
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Caller { code, .. } => *code,
            ApiError::Busy { .. } => ErrorCode::Busy,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => ApiError::not_found(e.to_string()),
            StoreError::Conflict(_) => ApiError::caller(ErrorCode::Conflict, e.to_string()),
            other => ApiError::internal(other),
        }
    }
}

impl From<AnalyticsError> for ApiError {
    fn from(e: AnalyticsError) -> Self {
        use AnalyticsError as E;
        let code = match &e {
            E::BadSql(_) => ErrorCode::BadSql,
            E::Forbidden(_) => ErrorCode::ForbiddenStatement,
            E::QueryFailed(_) => ErrorCode::QueryFailed,
            E::TooLarge(_) => ErrorCode::QueryTooLarge,
            E::Timeout(_) => ErrorCode::QueryTimeout,
            E::Busy(message) => {
                return ApiError::Busy {
                    retry_after_secs: 1,
                    message: message.clone(),
                }
            }
            E::Store(_) | E::Io { .. } | E::Manifest { .. } | E::Engine(_) | E::Task(_) => {
                return ApiError::internal(e)
            }
        };
        ApiError::caller(code, e.to_string())
    }
}

impl From<DashboardError> for ApiError {
    fn from(e: DashboardError) -> Self {
        match e {
            DashboardError::BadFilter { .. } => {
                ApiError::caller(ErrorCode::BadFilter, e.to_string())
            }
            DashboardError::Analytics(e) => e.into(),
            DashboardError::Internal(_) => ApiError::internal(e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.code();
        if let ApiError::Internal(source) = &self {
            tracing::error!(error = %Chain(source.as_ref()), "internal error");
        }
        let body = json!({ "error": { "code": code.as_str(), "message": self.to_string() } });
        match &self {
            ApiError::Busy {
                retry_after_secs, ..
            } => (
                code.status(),
                [(header::RETRY_AFTER, retry_after_secs.to_string())],
                Json(body),
            )
                .into_response(),
            _ => (code.status(), Json(body)).into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_named_once() {
        let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn the_readme_lists_every_code_with_its_status() {
        let readme = include_str!("../../../README.md");
        for code in ErrorCode::ALL {
            let (name, status) = (code.as_str(), code.status().as_u16());
            let row = format!("| `{name}` | {status} | {} |", code.meaning());
            assert!(readme.contains(&row), "README lacks the row {row}");
        }
    }

    #[test]
    fn lower_layers_keep_their_codes() {
        let e = ApiError::from(AnalyticsError::BadSql("no column x".into()));
        assert_eq!(
            (e.code(), e.code().status().as_u16()),
            (ErrorCode::BadSql, 400)
        );
        let e = ApiError::from(AnalyticsError::TooLarge("budget".into()));
        assert_eq!(e.code().status().as_u16(), 413);
        let filter = DashboardError::BadFilter {
            field: "month",
            reason: "YYYY-MM".into(),
        };
        assert_eq!(ApiError::from(filter).code(), ErrorCode::BadFilter);
        let store = ApiError::from(StoreError::NotFound("profile 7".into()));
        assert_eq!(store.code(), ErrorCode::NotFound);
        let broken = ApiError::from(AnalyticsError::Task("panic".into()));
        assert_eq!(broken.code(), ErrorCode::Internal);
        assert_eq!(broken.to_string(), "internal error");
    }
}
