//! The API's extractors: axum's `Json`, `Path` and `Query`, whose rejections are
//! answered as every other error is (`{"error": {"code", "message"}}` with a code
//! from the one table) instead of axum's plain-text bodies. The status stays axum's:
//! 400 for a body, path or query that does not parse, 415 for a body without a JSON
//! content type, 422 for JSON of the wrong shape, 413 for a body over the limit.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorCode};

/// A JSON request body (`content-type: application/json`).
pub struct Json<T>(pub T);

/// Path parameters.
pub struct Path<T>(pub T);

/// Query-string parameters.
pub struct Query<T>(pub T);

/// An axum rejection as an `ApiError` of the code its status has in the table; the
/// rejections with a 500 are the route's own mistakes (a missing extension), kept
/// internal.
fn rejected(status: StatusCode, text: String) -> ApiError {
    let code = match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::UNPROCESSABLE_ENTITY => ErrorCode::Unprocessable,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::TooLarge,
        s if s.is_server_error() => return ApiError::internal(Rejected(text)),
        _ => ErrorCode::BadRequest,
    };
    ApiError::caller(code, text)
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Rejected(String);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(e @ JsonRejection::MissingJsonContentType(_)) => Err(rejected(
                e.status(),
                "expected a body with `content-type: application/json`".into(),
            )),
            Err(e) => Err(rejected(e.status(), e.body_text())),
        }
    }
}

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Path(value))
            .map_err(|e: PathRejection| rejected(e.status(), e.body_text()))
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Query(value))
            .map_err(|e: QueryRejection| rejected(e.status(), e.body_text()))
    }
}
