//! `POST /api/v1/query`: read-only SQL over the workspace's analytics copy.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Authed;
use crate::{ApiError, AppState};

#[derive(Debug, Deserialize)]
pub struct QueryBody {
    sql: String,
}

/// Longest accepted SQL text.
const MAX_SQL_BYTES: usize = 64 * 1024;

pub async fn query(
    State(state): State<AppState>,
    Authed(workspace): Authed,
    Json(body): Json<QueryBody>,
) -> Result<Json<Value>, ApiError> {
    if body.sql.len() > MAX_SQL_BYTES {
        return Err(ApiError::TooLarge(format!(
            "sql is longer than {MAX_SQL_BYTES} bytes"
        )));
    }
    let result = state
        .analytics
        .query(workspace, &body.sql)
        .await
        .map_err(|e| {
            if e.is_user_error() {
                ApiError::BadRequest(e.to_string())
            } else {
                ApiError::internal(e)
            }
        })?;
    let lag = state.analytics.lag().await.map_err(ApiError::internal)?;
    Ok(Json(json!({ "result": result, "analytics_lag": lag })))
}
