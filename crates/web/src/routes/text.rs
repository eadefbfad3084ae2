//! `POST /api/v1/text/analyze`: the full analysis of one text — sentiment per
//! sentence, themes with aspect sentiment, emotions, effort, intents, language,
//! PII — with the words and rules behind every label (the "explain" view).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use throughline_domain::limits::MAX_TEXT_BYTES;

use crate::auth::Authed;
use crate::{ApiError, AppState};

#[derive(Debug, Deserialize)]
pub struct AnalyzeBody {
    text: String,
}

pub async fn analyze(
    State(state): State<AppState>,
    Authed(_): Authed,
    Json(body): Json<AnalyzeBody>,
) -> Result<Json<Value>, ApiError> {
    if body.text.len() > MAX_TEXT_BYTES {
        return Err(ApiError::TooLarge(format!(
            "text is longer than {MAX_TEXT_BYTES} bytes"
        )));
    }
    let analysis = state
        .analytics
        .text_analyzer()
        .analyzer()
        .analyze(&body.text);
    Ok(Json(
        serde_json::to_value(&analysis).map_err(ApiError::internal)?,
    ))
}
