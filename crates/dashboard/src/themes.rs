//! Themes in customers' own words: how often each is mentioned, how it feels
//! (mean aspect sentiment), and whether its share of texts changed.

use serde::Serialize;
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

/// `unnest`ed (theme, score) mentions of customer texts, as a SQL subquery.
pub(crate) fn mentions_subquery(extra_columns: &str, where_sql: &str) -> String {
    format!(
        "(SELECT {extra_columns} split_part(a, ':', 1) AS theme, \
         CAST(split_part(a, ':', 2) AS DOUBLE) AS score FROM \
         (SELECT {extra_columns} unnest(string_to_array(aspects, ',')) AS a FROM signals \
          WHERE aspects IS NOT NULL AND stakeholder_type = 'customer'{where_sql}))"
    )
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
    let sql = format!(
        "SELECT theme, CASE WHEN {is_cur} THEN 1 ELSE 0 END AS cur, count(*) AS n, \
         sum(score) AS s, sum(score * score) AS sq, sum(CASE WHEN score < -0.05 THEN 1 ELSE 0 END) AS neg \
         FROM {} GROUP BY 1, 2",
        mentions_subquery("occurred_at,", &format!("{}{fsql}", window.sql()))
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
    struct Acc {
        n: [u64; 2],
        sent: MeanAcc,
        neg: u64,
    }
    let mut by_theme: Vec<(String, Acc)> = Vec::new();
    let themes = answer.strings("theme")?;
    let curs = answer.i64s("cur")?;
    let ns = answer.i64s("n")?;
    let sums = answer.f64s("s")?;
    let sqs = answer.f64s("sq")?;
    let negs = answer.i64s("neg")?;
    for i in 0..themes.len() {
        let theme = themes[i].clone().unwrap_or_default();
        let pos = match by_theme.iter().position(|(t, _)| *t == theme) {
            Some(p) => p,
            None => {
                by_theme.push((
                    theme,
                    Acc {
                        n: [0; 2],
                        sent: MeanAcc::default(),
                        neg: 0,
                    },
                ));
                by_theme.len() - 1
            }
        };
        let acc = &mut by_theme[pos].1;
        let n = ns[i].unwrap_or(0).max(0) as u64;
        let current = curs[i] == Some(1);
        acc.n[usize::from(current)] += n;
        if current {
            acc.sent.merge(&MeanAcc {
                n,
                sum: sums[i].unwrap_or(0.0),
                sum_sq: sqs[i].unwrap_or(0.0),
            });
            acc.neg += negs[i].unwrap_or(0).max(0) as u64;
        }
    }
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
