//! Key drivers of NPS, CSAT or churn: which themes, when customers mention them, move
//! the score (or the chance of cancelling) most — relative importance by Shapley decomposition of R² (exact,
//! up to 15 themes) or relative weights beyond that, with the importance ×
//! performance priority matrix.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use throughline_domain::WorkspaceId;
use throughline_drivers::{
    analyse_with_intervals, DriverData, DriverReport, Method, OutcomePolarity, SHAPLEY_MAX_DRIVERS,
};

use crate::error::{DashboardError, Result};
use crate::filters::{Filters, Period};
use crate::read::Reader;
use crate::themes::label;

/// Themes mentioned by fewer than this share of respondents are left out: too
/// rare to estimate, and they would only add noise to the decomposition.
const MIN_THEME_SHARE: f64 = 0.01;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DriverQuery {
    #[serde(flatten)]
    pub filters: Filters,
    /// `nps` (default), `csat`, or `churn` (per customer: cancelled in the period, on every
    /// theme they mentioned in it).
    pub outcome: Option<String>,
    /// `themes` (default): themes mentioned; `touchpoints`: touchpoints where the customer had
    /// a bad experience (detractor answer, CSAT 1–2 or negative text) in the period, per
    /// customer, against churn or their latest NPS / CSAT answer.
    pub drivers: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DriversView {
    pub filters: Filters,
    pub outcome: String,
    /// `themes` or `touchpoints`.
    pub drivers: String,
    pub period: Option<Period>,
    /// Respondents with an analysed comment and the outcome.
    pub respondents: u64,
    pub report: Option<DriverReport>,
    /// Theme id → label, for every driver in the report.
    pub labels: Vec<(String, String)>,
    /// Why there is no report (too few respondents …).
    pub refusal: Option<String>,
}

pub async fn drivers(rd: &Reader, ws: WorkspaceId, q: &DriverQuery) -> Result<DriversView> {
    q.filters.validate()?;
    let outcome = q.outcome.clone().unwrap_or_else(|| "nps".into());
    if !["nps", "csat", "churn"].contains(&outcome.as_str()) {
        return Err(DashboardError::BadFilter {
            field: "outcome",
            reason: "nps, csat or churn".into(),
        });
    }
    let set = q.drivers.clone().unwrap_or_else(|| "themes".into());
    if !["themes", "touchpoints", "ratings"].contains(&set.as_str()) {
        return Err(DashboardError::BadFilter {
            field: "drivers",
            reason: "themes, touchpoints or ratings".into(),
        });
    }
    if set == "ratings" && outcome == "churn" {
        return Err(DashboardError::BadFilter {
            field: "drivers",
            reason: "ratings are drivers of nps or csat (the answers they come with)".into(),
        });
    }
    let fsql = q.filters.sql();
    let mut view = DriversView {
        filters: q.filters.clone(),
        drivers: set.clone(),
        outcome: outcome.clone(),
        period: None,
        respondents: 0,
        report: None,
        labels: Vec::new(),
        refusal: None,
    };
    let Some(as_of) = rd.as_of(ws, &fsql).await? else {
        view.refusal = Some("no signals yet".into());
        return Ok(view);
    };
    let (cur, _) = Period::current_and_previous(as_of, q.filters.months.unwrap_or(12));
    view.period = Some(cur);
    let data = if set == "ratings" {
        rating_data(rd, ws, &outcome, &cur.sql(), &fsql).await?
    } else {
        mention_data(rd, ws, &outcome, &set, &cur.sql(), &fsql).await?
    };
    view.respondents = data.outcome.len() as u64;
    view.labels = data
        .names
        .iter()
        .map(|n| {
            let shown = if set == "themes" {
                label(rd, n)
            } else {
                n.replace('_', " ")
            };
            (n.clone(), shown)
        })
        .collect();
    let method = if data.names.len() <= SHAPLEY_MAX_DRIVERS {
        Method::ShapleyR2
    } else {
        Method::RelativeWeights
    };
    // More churn is worse: a theme that raises it is the one to fix.
    let polarity = if outcome == "churn" {
        OutcomePolarity::LowerIsBetter
    } else {
        OutcomePolarity::HigherIsBetter
    };
    // The bootstrap reruns the analysis up to 200 times (a bounded budget, about a
    // quarter of a second): off the async workers. It resamples rows by position, so
    // every query above reads its rows in a fixed order (`ORDER BY`).
    let analysed =
        tokio::task::spawn_blocking(move || analyse_with_intervals(&data, method, polarity))
            .await
            .map_err(|e| crate::DashboardError::Internal(format!("driver analysis: {e}")))?;
    match analysed {
        Ok(report) => view.report = Some(report),
        Err(e) => view.refusal = Some(e.to_string()),
    }
    Ok(view)
}

/// 0/1 drivers: themes mentioned, or touchpoints of a bad experience.
async fn mention_data(
    rd: &Reader,
    ws: WorkspaceId,
    outcome: &str,
    set: &str,
    period: &str,
    fsql: &str,
) -> Result<DriverData> {
    let sql = if set == "touchpoints" {
        touchpoint_sql(outcome, period, fsql)
    } else {
        theme_sql(outcome, period, fsql)
    };
    let answer = rd.sql(ws, &sql).await?;
    let y: Vec<f64> = answer
        .f64s("y")?
        .into_iter()
        .map(|v| v.unwrap_or(0.0))
        .collect();
    let mentions: Vec<Vec<String>> = answer
        .strings("t")?
        .into_iter()
        .map(|t| {
            t.unwrap_or_default()
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .collect();
    let candidates: Vec<String> = if set == "touchpoints" {
        let mut seen: Vec<String> = mentions.iter().flatten().cloned().collect();
        seen.sort_unstable();
        seen.dedup();
        seen
    } else {
        let taxonomy = rd.analytics.text_analyzer().analyzer().taxonomy();
        taxonomy.themes.iter().map(|t| t.id.clone()).collect()
    };
    Ok(design(&candidates, &y, &mentions))
}

/// Rating drivers: the custom ratings answered with the outcome. The ratings that come
/// with at least half of the answers are the drivers; answers missing any of them are
/// left out (no imputation).
async fn rating_data(
    rd: &Reader,
    ws: WorkspaceId,
    outcome: &str,
    period: &str,
    fsql: &str,
) -> Result<DriverData> {
    let sql = format!(
        "SELECT {outcome} AS y, ratings AS r FROM signals WHERE {outcome} IS NOT NULL \
         AND ratings IS NOT NULL AND stakeholder_type = 'customer'{period}{fsql} ORDER BY seq"
    );
    let answer = rd.sql(ws, &sql).await?;
    let y = answer.f64s("y")?;
    let parsed: Vec<BTreeMap<String, f64>> = answer
        .strings("r")?
        .into_iter()
        .map(|r| crate::ratings::values(r.as_deref().unwrap_or("")))
        .collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &parsed {
        for name in m.keys() {
            *counts.entry(name).or_default() += 1;
        }
    }
    let names: Vec<String> = counts
        .into_iter()
        .filter(|(_, n)| *n * 2 >= parsed.len())
        .map(|(name, _)| name.to_string())
        .collect();
    let (mut rows, mut outcome_values) = (Vec::new(), Vec::new());
    for (m, y) in parsed.iter().zip(y) {
        let row: Option<Vec<f64>> = names.iter().map(|n| m.get(n).copied()).collect();
        if let (Some(row), Some(y)) = (row, y) {
            rows.push(row);
            outcome_values.push(y);
        }
    }
    Ok(DriverData {
        names,
        rows,
        outcome: outcome_values,
    })
}

/// Rows of (outcome `y`, comma-separated theme ids `t`): per answer for NPS / CSAT, per
/// customer who wrote in the period for churn (a linear probability model on mentions).
fn theme_sql(outcome: &str, period: &str, fsql: &str) -> String {
    if outcome == "churn" {
        format!(
            "SELECT max(CASE WHEN x.profile_id IS NULL THEN 0 ELSE 1 END) AS y, \
                    string_agg(coalesce(themes, ''), ',') AS t \
             FROM signals {} \
             WHERE sentiment IS NOT NULL AND stakeholder_type = 'customer'{period}{fsql} \
             GROUP BY signals.profile_id ORDER BY signals.profile_id",
            cancelled_join(period)
        )
    } else {
        format!(
            "SELECT {outcome} AS y, coalesce(themes, '') AS t FROM signals WHERE {outcome} IS NOT NULL \
             AND sentiment IS NOT NULL AND stakeholder_type = 'customer'{period}{fsql} ORDER BY seq"
        )
    }
}

/// Rows of (outcome `y`, comma-separated touchpoints of bad experiences `t`), one per
/// customer who gave feedback at a touchpoint in the period: did they cancel in it, or their
/// latest NPS / CSAT answer in it.
fn touchpoint_sql(outcome: &str, period: &str, fsql: &str) -> String {
    let y = if outcome == "churn" {
        "max(CASE WHEN x.profile_id IS NULL THEN 0 ELSE 1 END)".to_string()
    } else {
        format!("last_value({outcome} ORDER BY {outcome} IS NOT NULL, occurred_at, seq)")
    };
    let having = if outcome == "churn" {
        String::new()
    } else {
        format!(" HAVING count({outcome}) > 0")
    };
    format!(
        "SELECT {y} AS y, \
                string_agg(CASE WHEN nps <= 6 OR csat <= 2 OR sentiment <= -0.05 THEN touchpoint END, ',') AS t \
         FROM signals {} \
         WHERE stakeholder_type = 'customer' AND touchpoint IS NOT NULL \
           AND (nps IS NOT NULL OR csat IS NOT NULL OR sentiment IS NOT NULL){period}{fsql} \
         GROUP BY signals.profile_id{having} ORDER BY signals.profile_id",
        cancelled_join(period)
    )
}

/// `x.profile_id` is set for customers who cancelled in the period.
fn cancelled_join(period: &str) -> String {
    format!(
        "LEFT JOIN (SELECT DISTINCT profile_id FROM signals \
           WHERE kind = 'transaction' AND action = 'cancellation'{period}) x \
         ON signals.profile_id = x.profile_id"
    )
}

/// One 0/1 column per candidate driver (theme or touchpoint) enough respondents have.
fn design(candidates: &[String], y: &[f64], mentions: &[Vec<String>]) -> DriverData {
    let n = y.len().max(1) as f64;
    let names: Vec<String> = candidates
        .iter()
        .filter(|id| {
            mentions.iter().filter(|m| m.contains(id)).count() as f64 / n >= MIN_THEME_SHARE
        })
        .cloned()
        .collect();
    let rows = mentions
        .iter()
        .map(|m| {
            names
                .iter()
                .map(|id| if m.contains(id) { 1.0 } else { 0.0 })
                .collect()
        })
        .collect();
    DriverData {
        names,
        rows,
        outcome: y.to_vec(),
    }
}
