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

pub async fn query(
    State(state): State<AppState>,
    Authed(workspace): Authed,
    Json(body): Json<QueryBody>,
) -> Result<Json<Value>, ApiError> {
    // The SQL's length is checked by the copy (`max_sql_bytes`); the body limit
    // bounds what is read before that.
    let result = state.analytics.query(workspace, &body.sql).await?;
    let lag = state.analytics.lag().await.map_err(ApiError::internal)?;
    Ok(Json(
        json!({ "result": result, "analytics_lag": crate::lag::TenantLag::of(&lag) }),
    ))
}
