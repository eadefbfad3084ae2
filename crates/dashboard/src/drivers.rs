//! Key drivers of NPS, CSAT or churn: which themes, when customers mention them, move
//! the score (or the chance of cancelling) most — relative importance by Shapley decomposition of R² (exact,
//! up to 15 themes) or relative weights beyond that, with the importance ×
//! performance priority matrix.

use serde::{Deserialize, Serialize};
use throughline_domain::WorkspaceId;
use throughline_drivers::{
    analyse_with, DriverData, DriverReport, Method, OutcomePolarity, SHAPLEY_MAX_DRIVERS,
};

use crate::engine::Dashboard;
use crate::error::{DashboardError, Result};
use crate::filters::{Filters, Period};
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
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriversView {
    pub filters: Filters,
    pub outcome: String,
    pub period: Option<Period>,
    /// Respondents with an analysed comment and the outcome.
    pub respondents: u64,
    pub report: Option<DriverReport>,
    /// Theme id → label, for every driver in the report.
    pub labels: Vec<(String, String)>,
    /// Why there is no report (too few respondents …).
    pub refusal: Option<String>,
}

impl Dashboard {
    pub async fn drivers(&self, ws: WorkspaceId, q: &DriverQuery) -> Result<DriversView> {
        q.filters.validate()?;
        let outcome = q.outcome.clone().unwrap_or_else(|| "nps".into());
        if !["nps", "csat", "churn"].contains(&outcome.as_str()) {
            return Err(DashboardError::BadFilter {
                field: "outcome",
                reason: "nps, csat or churn".into(),
            });
        }
        let fsql = q.filters.sql();
        let mut view = DriversView {
            filters: q.filters.clone(),
            outcome: outcome.clone(),
            period: None,
            respondents: 0,
            report: None,
            labels: Vec::new(),
            refusal: None,
        };
        let Some(as_of) = self.as_of(ws, &fsql).await? else {
            view.refusal = Some("no signals yet".into());
            return Ok(view);
        };
        let (cur, _) = Period::current_and_previous(as_of, q.filters.months.unwrap_or(12));
        view.period = Some(cur);
        let sql = if outcome == "churn" {
            // One row per customer who wrote in the period: did they cancel in it, and which
            // themes did they mention (a linear probability model on theme mentions).
            format!(
                "SELECT max(CASE WHEN x.profile_id IS NULL THEN 0 ELSE 1 END) AS y, \
                        string_agg(coalesce(themes, ''), ',') AS t \
                 FROM signals LEFT JOIN (SELECT DISTINCT profile_id FROM signals \
                   WHERE kind = 'transaction' AND action = 'cancellation'{period}) x \
                   ON signals.profile_id = x.profile_id \
                 WHERE sentiment IS NOT NULL AND stakeholder_type = 'customer'{period}{fsql} \
                 GROUP BY signals.profile_id",
                period = cur.sql()
            )
        } else {
            format!(
                "SELECT {outcome} AS y, coalesce(themes, '') AS t FROM signals WHERE {outcome} IS NOT NULL \
                 AND sentiment IS NOT NULL AND stakeholder_type = 'customer'{}{fsql}",
                cur.sql()
            )
        };
        let answer = self.sql(ws, &sql).await?;
        let y: Vec<f64> = answer
            .f64s("y")?
            .into_iter()
            .map(|v| v.unwrap_or(0.0))
            .collect();
        let themes: Vec<Vec<String>> = answer
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
        view.respondents = y.len() as u64;
        let data = design(self, &y, &themes);
        view.labels = data
            .names
            .iter()
            .map(|n| (n.clone(), label(self, n)))
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
        match analyse_with(&data, method, polarity) {
            Ok(report) => view.report = Some(report),
            Err(e) => view.refusal = Some(e.to_string()),
        }
        Ok(view)
    }
}

/// One 0/1 column per top-level theme of the taxonomy that enough respondents mention.
fn design(dash: &Dashboard, y: &[f64], mentions: &[Vec<String>]) -> DriverData {
    let taxonomy = dash.analytics.text_analyzer().analyzer().taxonomy();
    let n = y.len().max(1) as f64;
    let names: Vec<String> = taxonomy
        .themes
        .iter()
        .map(|t| t.id.clone())
        .filter(|id| {
            mentions.iter().filter(|m| m.contains(id)).count() as f64 / n >= MIN_THEME_SHARE
        })
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
