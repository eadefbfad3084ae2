//! Anomaly alerts: for each brand and theme, complaints (negative mentions) in
//! one month against the months before, as a share of that brand's customer
//! texts, tested exactly and controlled for false discoveries across every
//! (brand, theme) pair scanned — "complaints about Delivery for Kestrel up 240%
//! in 2026-09, q < 0.001".
//!
//! The page is read in three steps: `series.rs` queries and folds the complaints,
//! `throughline_metrics::scan` tests them, and this file presents what it found;
//! `calendar.rs` repeats the scan per month for the month picker.

use chrono::{Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use throughline_domain::limits::{latest_time, EARLIEST_TIME};
use throughline_domain::WorkspaceId;
use throughline_metrics::{scan, Direction};

mod calendar;
mod series;

use crate::error::{DashboardError, Result};
use crate::filters::{Filters, Period};
use crate::kpi_shifts::KpiShifts;
use crate::read::Reader;
use crate::themes::label;

/// Separates brand and theme in a series key (never in either).
const KEY_SEP: char = '\u{1f}';
const NO_BRAND: &str = "(no brand)";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertQuery {
    #[serde(flatten)]
    pub filters: Filters,
    /// Any day of the month to test; default: the month of the newest signal.
    pub month: Option<NaiveDate>,
}

impl AlertQuery {
    pub fn latest(filters: Filters) -> Self {
        Self {
            filters,
            month: None,
        }
    }

    /// Refuses bad filters, and a month outside the times a signal may have (1900-01-01
    /// to a day past now): no signal is there, and the engine cannot hold the bounds of
    /// a month past 2262.
    fn validate(&self) -> Result<()> {
        self.filters.validate()?;
        let Some(month) = self.month else {
            return Ok(());
        };
        let earliest = EARLIEST_TIME.date_naive();
        let latest = latest_time(Utc::now()).date_naive();
        if month < earliest || month > latest {
            return Err(DashboardError::BadFilter {
                field: "month",
                reason: format!("a day from {earliest} to {latest}"),
            });
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Alerts {
    /// `YYYY-MM` of the month tested; `None` for an empty workspace.
    pub month: Option<String>,
    pub baseline_months: u32,
    /// (brand, theme) series with complaints in the window.
    pub scanned: usize,
    /// Of which reached the minimum count and were tested: the false-discovery family.
    pub tested: usize,
    pub alerts: Vec<Alert>,
    /// NPS and CSAT shifts per segment in the same month, against the same months before.
    pub kpi_shifts: KpiShifts,
    /// The newest [`CALENDAR_MONTHS`] months with how many complaint alerts each has,
    /// newest last: the page's month picker, so a month with findings is one click away.
    pub calendar: Vec<MonthFindings>,
}

/// Months the alerts calendar covers.
pub const CALENDAR_MONTHS: u32 = 12;

/// One month of the calendar: the complaint alerts the scan finds in it (each month
/// scanned against its own baseline months, as the page would for that month).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MonthFindings {
    pub month: String,
    pub complaint_alerts: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Alert {
    pub headline: String,
    pub brand: String,
    pub theme: String,
    pub theme_label: String,
    pub month: String,
    pub current: u64,
    pub expected: f64,
    /// current / expected − 1.
    pub change: f64,
    pub p_value: f64,
    pub q_value: f64,
    pub direction: Direction,
    /// Complaints and customer texts per month, oldest first: the evidence.
    pub evidence: Vec<(String, u64, u64)>,
}

pub async fn alerts(rd: &Reader, ws: WorkspaceId, q: &AlertQuery) -> Result<Alerts> {
    q.validate()?;
    let fsql = q.filters.sql();
    let baseline = rd.settings.alert_baseline_months;
    let newest = rd.as_of(ws, &fsql).await?;
    let Some(month) = q.month.or(newest).map(|d| d.with_day(1).unwrap_or(d)) else {
        return Ok(Alerts {
            month: None,
            baseline_months: baseline,
            scanned: 0,
            tested: 0,
            alerts: Vec::new(),
            kpi_shifts: KpiShifts::default(),
            calendar: Vec::new(),
        });
    };
    let window = Period {
        start: month - Months::new(baseline),
        end: month + Months::new(1),
    };
    let (complaints, kpi_shifts, calendar) = tokio::try_join!(
        series::complaint_series(rd, ws, &fsql, &window),
        crate::kpi_shifts::kpi_shifts(rd, ws, &fsql, month, baseline),
        calendar::calendar(rd, ws, &fsql, newest)
    )?;
    let (months, series) = (complaints.months, complaints.series);
    let min_count = rd.settings.alert_min_count;
    let found = scan(&series, baseline as usize, min_count);
    let tested = found.tested;
    let month_name = month.format("%Y-%m").to_string();
    let alerts = found
        .anomalies
        .into_iter()
        .filter_map(|a| {
            let s = series.iter().find(|s| s.key == a.key)?;
            let (brand, theme) = a.key.split_once(KEY_SEP)?;
            let theme_label = label(rd, theme);
            let evidence = months
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    (
                        m.clone(),
                        s.counts[i],
                        s.exposure.get(i).copied().unwrap_or(0.0) as u64,
                    )
                })
                .collect();
            Some(Alert {
                headline: headline(
                    &theme_label,
                    brand,
                    &month_name,
                    a.change,
                    a.q_value,
                    a.direction,
                ),
                brand: brand.to_string(),
                theme: theme.to_string(),
                theme_label,
                month: month_name.clone(),
                current: a.current,
                expected: a.expected,
                change: a.change,
                p_value: a.p_value,
                q_value: a.q_value,
                direction: a.direction,
                evidence,
            })
        })
        .collect();
    Ok(Alerts {
        month: Some(month_name),
        baseline_months: baseline,
        scanned: series.len(),
        tested,
        alerts,
        kpi_shifts,
        calendar,
    })
}

fn headline(theme: &str, brand: &str, month: &str, change: f64, q: f64, dir: Direction) -> String {
    let way = match dir {
        Direction::Up => "up",
        Direction::Down => "down",
    };
    let size = if change.is_finite() {
        format!("{:.0}%", change.abs() * 100.0)
    } else {
        "from none".to_string()
    };
    let q = if q < 0.001 {
        "q < 0.001".to_string()
    } else {
        format!("q = {q:.3}")
    };
    format!("Complaints about {theme} for {brand} {way} {size} in {month} ({q})")
}
