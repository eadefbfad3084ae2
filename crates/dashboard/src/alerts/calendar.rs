//! The alerts page's month picker: how many complaint alerts each of the newest months
//! has, each scanned against its own baseline months as its own page would be.

use chrono::{Datelike, Months, NaiveDate};
use throughline_domain::WorkspaceId;
use throughline_metrics::{scan, CountSeries};

use super::{MonthFindings, CALENDAR_MONTHS};
use crate::error::Result;
use crate::filters::Period;
use crate::read::Reader;

/// Complaint alerts per month for the newest [`CALENDAR_MONTHS`] months: one read of
/// the window (the months plus the first one's baseline), one scan per month.
pub(crate) async fn calendar(
    rd: &Reader,
    ws: WorkspaceId,
    fsql: &str,
    newest: Option<NaiveDate>,
) -> Result<Vec<MonthFindings>> {
    let Some(newest) = newest.map(|d| d.with_day(1).unwrap_or(d)) else {
        return Ok(Vec::new());
    };
    let baseline = rd.settings.alert_baseline_months as usize;
    let window = Period {
        start: newest - Months::new(CALENDAR_MONTHS - 1 + baseline as u32),
        end: newest + Months::new(1),
    };
    let all = super::series::complaint_series(rd, ws, fsql, &window).await?;
    let min_count = rd.settings.alert_min_count;
    Ok((baseline..all.months.len())
        .map(|t| {
            let upto: Vec<CountSeries> = all
                .series
                .iter()
                .map(|s| CountSeries {
                    key: s.key.clone(),
                    counts: s.counts[t - baseline..=t].to_vec(),
                    exposure: s
                        .exposure
                        .get(t - baseline..=t)
                        .map(<[f64]>::to_vec)
                        .unwrap_or_default(),
                })
                .collect();
            MonthFindings {
                month: all.months[t].clone(),
                complaint_alerts: scan(&upto, baseline, min_count).anomalies.len(),
            }
        })
        .collect())
}
