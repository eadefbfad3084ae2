//! `POST /api/v1/query`: read-only SQL over the workspace's analytics copy.

use axum::extract::State;
use axum::Json;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use throughline_analytics::QueryResult;

use crate::auth::Authed;
use crate::extract;
use crate::lag::TenantLag;
use crate::{ApiError, AppState};

#[derive(Debug, Deserialize)]
pub struct QueryBody {
    sql: String,
}

/// A query's answer and how far the copy it read trails the store.
#[derive(Debug, Serialize, JsonSchema)]
pub struct QueryAnswer {
    pub result: QueryResult,
    pub analytics_lag: TenantLag,
}

pub async fn query(
    State(state): State<AppState>,
    Authed(workspace): Authed,
    extract::Json(body): extract::Json<QueryBody>,
) -> Result<Json<QueryAnswer>, ApiError> {
    // The SQL's length is checked by the copy (`max_sql_bytes`); the body limit
    // bounds what is read before that.
    let result = state.analytics.query(workspace, &body.sql).await?;
    let lag = state.analytics.lag().await.map_err(ApiError::internal)?;
    Ok(Json(QueryAnswer {
        result,
        analytics_lag: TenantLag::of(&lag),
    }))
}
