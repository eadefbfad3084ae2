//! Themes in customers' own words: how often each is mentioned, how it feels
//! (mean aspect sentiment), and whether its share of texts changed.

use serde::Serialize;
use std::collections::HashMap;
use throughline_domain::WorkspaceId;
use throughline_metrics::{compare, proportion, Estimate, MeanAcc};

use crate::engine::Dashboard;
use crate::error::Result;
use crate::filters::{day_start, Period};

/// Themes shown on the overview.
const TOP_THEMES: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeRow {
    pub theme: String,
    pub label: String,
    pub mentions: u64,
    /// Share of analysed customer texts that mention the theme, with its CI.
    pub share: Estimate,
    pub previous_share: Estimate,
    pub share_p_value: Option<f64>,
    pub share_significant: bool,
    /// Mean aspect sentiment of the mentions, −1..1.
    pub sentiment: Estimate,
    /// Share of mentions with a negative aspect.
    pub negative_share: f64,
}

/// Customer texts' `aspects` (`theme:score,theme:score`, see the copy's text
/// columns) with `columns` before them, as SQL. The mentions are split in Rust
/// ([`each_mention`]): unnesting and parsing them in SQL cost more than the rest
/// of the theme queries together.
pub(crate) fn aspects_sql(columns: &str, where_sql: &str) -> String {
    format!(
        "SELECT {columns}, aspects FROM signals \
         WHERE aspects IS NOT NULL AND stakeholder_type = 'customer'{where_sql}"
    )
}

/// Each (theme, score) mention of an `aspects` value; a mention whose score does
/// not parse is skipped.
pub(crate) fn each_mention(aspects: &str, mut f: impl FnMut(&str, f64)) {
    for mention in aspects.split(',') {
        let mut parts = mention.split(':');
        let theme = parts.next().unwrap_or_default();
        if let Some(score) = parts.next().and_then(|s| s.trim().parse::<f64>().ok()) {
            f(theme, score);
        }
    }
}

/// Theme label from the taxonomy the copy was analysed with.
pub(crate) fn label(dash: &Dashboard, id: &str) -> String {
    dash.analytics
        .text_analyzer()
        .analyzer()
        .taxonomy()
        .themes
        .iter()
        .find(|t| t.id == id)
        .map_or_else(|| id.to_string(), |t| t.label.clone())
}

pub(crate) async fn top(
    dash: &Dashboard,
    ws: WorkspaceId,
    fsql: &str,
    cur: &Period,
    prev: &Period,
) -> Result<Vec<ThemeRow>> {
    let window = Period::spanning(prev, cur);
    let is_cur = format!("occurred_at >= {}", day_start(cur.start));
    let sql = aspects_sql(
        &format!("CASE WHEN {is_cur} THEN 1 ELSE 0 END AS cur"),
        &format!("{}{fsql}", window.sql()),
    );
    let texts_sql = format!(
        "SELECT CASE WHEN {is_cur} THEN 1 ELSE 0 END AS cur, count(*) AS n FROM signals \
         WHERE sentiment IS NOT NULL AND stakeholder_type = 'customer'{}{fsql} GROUP BY 1",
        window.sql()
    );
    let (answer, texts) = tokio::try_join!(dash.sql(ws, &sql), dash.sql(ws, &texts_sql))?;
    let mut texts_in = [0u64; 2];
    for (c, n) in texts.i64s("cur")?.into_iter().zip(texts.i64s("n")?) {
        texts_in[usize::from(c == Some(1))] = n.unwrap_or(0).max(0) as u64;
    }
    #[derive(Default)]
    struct Acc {
        n: [u64; 2],
        sent: MeanAcc,
        neg: u64,
    }
    let mut by_theme: HashMap<String, Acc> = HashMap::new();
    let curs = answer.i64s("cur")?;
    answer.for_each_str("aspects", |i, aspects| {
        let current = curs[i] == Some(1);
        each_mention(aspects.unwrap_or_default(), |theme, score| {
            let acc = match by_theme.get_mut(theme) {
                Some(acc) => acc,
                None => by_theme.entry(theme.to_string()).or_default(),
            };
            acc.n[usize::from(current)] += 1;
            if current {
                acc.sent.merge(&MeanAcc {
                    n: 1,
                    sum: score,
                    sum_sq: score * score,
                });
                acc.neg += u64::from(score < -0.05);
            }
        });
    })?;
    let mut rows: Vec<ThemeRow> = by_theme
        .into_iter()
        .filter(|(_, a)| a.n[1] > 0)
        .map(|(theme, a)| {
            let test = compare::proportion_difference(a.n[1], texts_in[1], a.n[0], texts_in[0]);
            let share = proportion(a.n[1], texts_in[1]);
            let previous_share = proportion(a.n[0], texts_in[0]);
            let p = test.as_ref().map(|t| t.p_value);
            ThemeRow {
                label: label(dash, &theme),
                theme,
                mentions: a.n[1],
                share_significant: p.is_some_and(|p| p < compare::ALPHA)
                    && !share.small_sample
                    && !previous_share.small_sample,
                share,
                previous_share,
                share_p_value: p,
                sentiment: a.sent.estimate(),
                negative_share: a.neg as f64 / a.n[1] as f64,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.mentions
            .cmp(&a.mentions)
            .then_with(|| a.theme.cmp(&b.theme))
    });
    rows.truncate(TOP_THEMES);
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::each_mention;

    #[test]
    fn mentions_are_split_as_the_copy_writes_them() {
        let mut seen = Vec::new();
        each_mention("delivery:-0.500,price:0.250,staff:x", |t, s| {
            seen.push((t.to_string(), s))
        });
        assert_eq!(
            seen,
            vec![("delivery".to_string(), -0.5), ("price".to_string(), 0.25)]
        );
    }
}
