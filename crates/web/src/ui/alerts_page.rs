//! `/w/{ws}/alerts`: a month's complaint alerts and KPI shifts, with the month picker.

use axum::extract::{Path, Query, State};
use axum::response::Html;
use throughline_dashboard::Format;

use super::format as fmt;
use super::pages::{alert_view, chrome, render};
use super::views::*;
use super::{Local, PageError};
use crate::params::PageParams;
use crate::AppState;

pub async fn alerts(
    State(state): State<AppState>,
    _: Local,
    Path(ws_name): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Html<String>, PageError> {
    let q = p.alerts()?;
    let (mut chrome, ws) = chrome(&state, &ws_name, "alerts", &q.filters).await?;
    chrome.export = super::export_page::link(&chrome, "alerts", &p);
    let a = state.dashboard.alerts(ws, &q).await?;
    let keep = if chrome.query.is_empty() { "" } else { "&" };
    let calendar = a
        .calendar
        .iter()
        .map(|m| MonthLink {
            link: format!(
                "/w/{}/alerts?month={}{keep}{}",
                chrome.ws_path, m.month, chrome.query
            ),
            current: Some(&m.month) == a.month.as_ref(),
            findings: match m.complaint_alerts {
                0 => String::new(),
                1 => "1 alert".into(),
                n => format!("{n} alerts"),
            },
            month: m.month.clone(),
        })
        .collect();
    render(AlertsPage {
        calendar,
        month: a.month.clone().unwrap_or_default(),
        summary: format!(
            "Complaints per theme and brand in the month against the {} months before, as a share of that brand's customer comments (exact conditional test). {} brand–theme series had complaints; the {} with at least {} complaints in the month or expected were tested, with Benjamini–Hochberg over those {}; q < 0.05 shown.",
            a.baseline_months, a.scanned, a.tested, state.dashboard.settings().alert_min_count, a.tested
        ),
        shifts_summary: format!(
            "Customer NPS and CSAT (top-2-box) per brand, channel, region, store and touchpoint in the month against the same {} months pooled; {} segment–KPI pairs had at least {} answers on both sides and were tested (NPS: z on the trinomial variance; CSAT: two-proportion z), Benjamini–Hochberg over all of them; q < 0.05 shown.",
            a.baseline_months, a.kpi_shifts.tested, throughline_dashboard::SMALL_SAMPLE
        ),
        shifts: a
            .kpi_shifts
            .shifts
            .iter()
            .map(|s| {
                let f = if s.kpi == "nps" { Format::Score } else { Format::Percent };
                ShiftView {
                    key: format!("{}:{}:{}", s.dimension, s.segment, s.kpi),
                    headline: s.headline.clone(),
                    figures: format!(
                        "{} (n = {}) against {} (n = {}); p = {:.4}",
                        fmt::value(f, &s.current),
                        s.current.n,
                        fmt::value(f, &s.baseline),
                        s.baseline.n,
                        s.p_value
                    ),
                }
            })
            .collect(),
        alerts: a.alerts.iter().map(|x| alert_view(x, &chrome)).collect(),
        chrome,
    })
}
