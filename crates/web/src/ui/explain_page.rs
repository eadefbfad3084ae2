//! `/w/{ws}/explain`: the analyser's own account of one text (typed, or a stored
//! signal's), with the evidence behind each label.

use axum::extract::{Path, Query, State};
use axum::response::Html;
use throughline_dashboard::Filters;
use throughline_domain::Chain;

use super::pages::{chrome, render};
use super::views::*;
use super::{workspace, Local, PageError};
use crate::AppState;

#[derive(serde::Deserialize)]
pub struct ExplainParams {
    /// A stored signal whose text to explain (links from explore).
    signal: Option<i64>,
}

#[derive(serde::Deserialize)]
pub struct ExplainForm {
    text: String,
}

/// The form, or the explanation of a stored signal's text.
pub async fn explain(
    State(state): State<AppState>,
    local: Local,
    Path(ws_name): Path<String>,
    Query(p): Query<ExplainParams>,
) -> Result<Html<String>, PageError> {
    let text = match p.signal {
        Some(seq) => stored_text(&state, &ws_name, seq).await?,
        None => String::new(),
    };
    explain_text(state, local, ws_name, text).await
}

/// The explanation of a typed text, sent in the body so it stays out of URLs.
pub async fn explain_posted(
    State(state): State<AppState>,
    local: Local,
    Path(ws_name): Path<String>,
    axum::Form(form): axum::Form<ExplainForm>,
) -> Result<Html<String>, PageError> {
    explain_text(state, local, ws_name, form.text).await
}

/// The text of the workspace's signal number `seq` (empty when it has none).
async fn stored_text(state: &AppState, ws_name: &str, seq: i64) -> Result<String, PageError> {
    let ws = workspace(state, ws_name).await?;
    let sql = format!("SELECT text FROM signals WHERE seq = {seq} AND text IS NOT NULL");
    let failed = |e: &(dyn std::error::Error + 'static)| {
        tracing::error!(error = %Chain(e), "cannot read a signal's text");
        PageError(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "something went wrong; the server log has the details".into(),
        )
    };
    let answer = state
        .analytics
        .query_batches(ws, &sql)
        .await
        .map_err(|e| failed(&e))?;
    let texts = answer.strings("text").map_err(|e| failed(&e))?;
    Ok(texts.into_iter().flatten().next().unwrap_or_default())
}

async fn explain_text(
    state: AppState,
    _: Local,
    ws_name: String,
    text: String,
) -> Result<Html<String>, PageError> {
    let (chrome, _) = chrome(&state, &ws_name, "explain", &Filters::default()).await?;
    let text: String = text
        .chars()
        .take(throughline_domain::limits::MAX_TEXT_BYTES / 4)
        .collect();
    let (explanation, json) = if text.trim().is_empty() {
        (String::new(), String::new())
    } else {
        let analysis = state.analytics.text_analyzer().analyzer().analyze(&text);
        (
            analysis.to_string(),
            serde_json::to_string_pretty(&analysis).unwrap_or_default(),
        )
    };
    render(ExplainPage {
        chrome,
        text,
        explanation,
        json,
    })
}
