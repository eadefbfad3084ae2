//! `POST /api/v1/signals`: a JSON array or NDJSON batch in, per-record outcome out.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::Serialize;
use throughline_ingest::{BatchError, BodyFormat, Reject};

use crate::auth::Authed;
use crate::error::ErrorCode;
use crate::limits::IntakeGate;
use crate::serve::BodyTimeout;
use crate::{ApiError, AppState};

#[derive(Debug, Serialize, JsonSchema)]
pub struct IngestResponse {
    pub accepted: usize,
    pub duplicates: usize,
    /// Records rejected (a record with two bad fields counts once).
    pub rejected: usize,
    /// One entry per bad field: the record's index in the batch, the field, why.
    pub rejects: Vec<Reject>,
}

/// Parses off the async runtime, writes the good records in one transaction, and
/// answers only after they are durable: an acknowledged record is never lost.
///
/// Served by `serve_with_limits`, a request first takes room for its body in the
/// intake buffer (its declared length, or the largest allowed body) and keeps it
/// until its records are written, since the parsed records take as much memory
/// again; when there is no room in time it is answered 429 with `Retry-After`.
pub async fn ingest(
    State(state): State<AppState>,
    Authed(workspace): Authed,
    gate: Option<Extension<IntakeGate>>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<IngestResponse>), ApiError> {
    let max = state.limits.max_body_bytes;
    let too_large = || ApiError::too_large(format!("request body is larger than {max} bytes"));
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // A body declared larger than allowed is still read up to the limit, as before,
    // so the client gets its 413 rather than a closed connection mid-upload.
    let _room = match &gate {
        Some(Extension(gate)) => Some(gate.enter(declared.unwrap_or(max).min(max)).await?),
        None => None,
    };
    let bytes = axum::body::to_bytes(body, max)
        .await
        .map_err(|e| match timed_out(&e) {
            true => ApiError::bad_request(BodyTimeout.to_string()),
            false => too_large(),
        })?;
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok());
    let format = BodyFormat::from_content_type(content_type);
    let limits = state.limits.clone();
    let redact = match state.pii.all || !state.pii.workspaces.is_empty() {
        true => state
            .store
            .workspace(workspace)
            .await?
            .is_some_and(|w| state.pii.applies_to(&w.name)),
        false => false,
    };
    let parsed = tokio::task::spawn_blocking(move || {
        let mut parsed = throughline_ingest::parse_batch(&bytes, format, &limits)?;
        if redact {
            // Before the store: the original text is never written anywhere.
            throughline_ingest::redact_texts(&mut parsed.signals);
        }
        Ok::<_, BatchError>(parsed)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|e| match e {
        BatchError::TooManyRecords { .. } | BatchError::TooLarge { .. } => {
            ApiError::too_large(e.to_string())
        }
        other => ApiError::caller(ErrorCode::Unprocessable, other.to_string()),
    })?;

    let outcome = state
        .store
        .ingest_owned(workspace, parsed.signals, &state.policy)
        .await?;
    let mut rejected_indexes: Vec<usize> = parsed.rejects.iter().map(|r| r.index).collect();
    rejected_indexes.dedup();
    let response = IngestResponse {
        accepted: outcome.accepted,
        duplicates: outcome.duplicates,
        rejected: rejected_indexes.len(),
        rejects: parsed.rejects,
    };
    let nothing_usable = response.accepted + response.duplicates == 0 && response.rejected > 0;
    let status = if nothing_usable {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(response)))
}

/// Whether reading the body failed on the server's body deadline.
fn timed_out(e: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.is::<BodyTimeout>() {
            return true;
        }
        cause = c.source();
    }
    false
}
