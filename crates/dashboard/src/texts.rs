//! The analysis of given signals' texts as the copy holds it (sentiment and theme labels),
//! so the profile page shows the same scores the other pages count.

use std::collections::HashMap;

use serde::Serialize;
use throughline_domain::WorkspaceId;

use crate::error::Result;
use crate::read::Reader;
use crate::themes::label;

/// Most signals one call reads (a profile page's timeline).
pub const MOST_SIGNALS: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TextAnalysis {
    pub sentiment: Option<f64>,
    pub sentiment_label: Option<String>,
    /// Theme labels, as the taxonomy names them.
    pub themes: Vec<String>,
}

/// The analysis of each of `seqs` (at most [`MOST_SIGNALS`]) that has an analysed text.
pub async fn text_analyses(
    rd: &Reader,
    ws: WorkspaceId,
    seqs: &[i64],
) -> Result<HashMap<i64, TextAnalysis>> {
    let seqs: Vec<String> = seqs.iter().take(MOST_SIGNALS).map(i64::to_string).collect();
    if seqs.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT seq, sentiment, sentiment_label, themes FROM signals \
         WHERE sentiment IS NOT NULL AND seq IN ({})",
        seqs.join(", ")
    );
    let answer = rd.sql(ws, &sql).await?;
    let (seq, sentiment) = (answer.i64s("seq")?, answer.f64s("sentiment")?);
    let (labels, themes) = (
        answer.strings("sentiment_label")?,
        answer.strings("themes")?,
    );
    Ok((0..seq.len())
        .filter_map(|i| {
            let themes = themes[i]
                .as_deref()
                .unwrap_or("")
                .split(',')
                .filter(|t| !t.is_empty())
                .map(|t| label(rd, t))
                .collect();
            Some((
                seq[i]?,
                TextAnalysis {
                    sentiment: sentiment[i],
                    sentiment_label: labels[i].clone(),
                    themes,
                },
            ))
        })
        .collect())
}
