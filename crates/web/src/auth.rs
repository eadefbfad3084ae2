//! The API-key extractor: `Authorization: Bearer tl_…` (or `X-Api-Key`) → workspace.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use throughline_domain::{apikey, WorkspaceId};

use crate::{ApiError, AppState};

/// The workspace the request's key belongs to. Handlers that take this are authenticated.
pub struct Authed(pub WorkspaceId);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let key = header("authorization")
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .or_else(|| header("x-api-key"))
            .ok_or(ApiError::unauthorized())?;
        let workspace = state
            .store
            .workspace_for_key(&apikey::digest(key))
            .await?
            .ok_or(ApiError::unauthorized())?;
        Ok(Authed(workspace))
    }
}
