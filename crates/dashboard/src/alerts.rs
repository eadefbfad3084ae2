//! Anomaly alerts: for each brand and theme, complaints (negative mentions) in
//! one month against the months before, as a share of that brand's customer
//! texts, tested exactly and controlled for false discoveries across every
//! (brand, theme) pair scanned — "complaints about Delivery for Kestrel up 240%
//! in 2026-09, q < 0.001".

use chrono::{Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use throughline_analytics::QueryBatches;
use throughline_domain::limits::{latest_time, EARLIEST_TIME};
use throughline_domain::WorkspaceId;
use throughline_metrics::{scan, CountSeries, Direction};

use crate::engine::Dashboard;
use crate::error::{DashboardError, Result};
use crate::filters::{Filters, Period};
use crate::kpi_shifts::KpiShifts;
use crate::small_map::{Slots, SmallMap};
use crate::themes::{aspects_sql, each_mention, label};
use crate::transactions::MonthIndex;

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

impl Dashboard {
    pub async fn alerts(&self, ws: WorkspaceId, q: &AlertQuery) -> Result<Alerts> {
        q.validate()?;
        let fsql = q.filters.sql();
        let baseline = self.settings.alert_baseline_months;
        let newest = self.as_of(ws, &fsql).await?;
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
            self.complaint_series(ws, &fsql, &window),
            self.kpi_shifts(ws, &fsql, month, baseline),
            self.calendar(ws, &fsql, newest)
        )?;
        let (months, series) = (complaints.months, complaints.series);
        let min_count = self.settings.alert_min_count;
        let found = scan(&series, baseline as usize, min_count);
        let tested = found.tested;
        let month_name = month.format("%Y-%m").to_string();
        let alerts = found
            .anomalies
            .into_iter()
            .filter_map(|a| {
                let s = series.iter().find(|s| s.key == a.key)?;
                let (brand, theme) = a.key.split_once(KEY_SEP)?;
                let theme_label = label(self, theme);
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
}

/// Negative mentions per (brand, theme) and month over a window of whole months, with
/// each brand's customer texts per month as exposure.
struct Complaints {
    /// `YYYY-MM` of each month of the window, oldest first.
    months: Vec<String>,
    series: Vec<CountSeries>,
}

impl Dashboard {
    /// Complaint alerts per month for the newest [`CALENDAR_MONTHS`] months: one read of
    /// the window (the months plus the first one's baseline), one scan per month.
    async fn calendar(
        &self,
        ws: WorkspaceId,
        fsql: &str,
        newest: Option<NaiveDate>,
    ) -> Result<Vec<MonthFindings>> {
        let Some(newest) = newest.map(|d| d.with_day(1).unwrap_or(d)) else {
            return Ok(Vec::new());
        };
        let baseline = self.settings.alert_baseline_months as usize;
        let window = Period {
            start: newest - Months::new(CALENDAR_MONTHS - 1 + baseline as u32),
            end: newest + Months::new(1),
        };
        let all = self.complaint_series(ws, fsql, &window).await?;
        let min_count = self.settings.alert_min_count;
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

    async fn complaint_series(
        &self,
        ws: WorkspaceId,
        fsql: &str,
        window: &Period,
    ) -> Result<Complaints> {
        let where_sql = format!("{}{fsql}", window.sql());
        let complaints = aspects_sql(
            &format!("date_trunc('month', occurred_at) AS m, coalesce(brand, '{NO_BRAND}') AS b"),
            &where_sql,
        );
        let texts = format!(
            "SELECT date_trunc('month', occurred_at) AS m, coalesce(brand, '{NO_BRAND}') AS b, count(*) AS n \
             FROM signals WHERE sentiment IS NOT NULL AND stakeholder_type = 'customer'{where_sql} GROUP BY 1, 2"
        );
        let count = (window.end.year() * 12 + window.end.month0() as i32)
            - (window.start.year() * 12 + window.start.month0() as i32);
        let months: Vec<String> = (0..count.max(0) as u32)
            .map(|k| (window.start + Months::new(k)).format("%Y-%m").to_string())
            .collect();
        // A row's month slot by arithmetic on its month index, not by its label.
        let first = window.start.year() * 12 + window.start.month0() as i32;
        let slots = months.len();
        let slotter = move || {
            let mut month_of = MonthIndex::default();
            move |m: Option<i64>| {
                let k = usize::try_from(month_of.of(m?)? - first).ok()?;
                (k < slots).then_some(k)
            }
        };
        let exposure = |texts: &QueryBatches| {
            let mut slot = slotter();
            let mut exposure: SmallMap<Slots<f64>> = SmallMap::default();
            for ((m, b), n) in texts
                .i64s("m")?
                .into_iter()
                .zip(texts.strings("b")?)
                .zip(texts.i64s("n")?)
            {
                let (Some(i), Some(b)) = (slot(m), b) else {
                    continue;
                };
                exposure
                    .get_or_insert_with(&b, || Slots(vec![0.0; slots]))
                    .0[i] += n.unwrap_or(0) as f64;
            }
            Ok(exposure)
        };
        // Negative mentions per brand, theme and month. Brands are few: each row's
        // brand is read as a code, and a mention costs neither a hash nor an
        // allocation once its (brand, theme) has been seen.
        let negative = |complaints: &QueryBatches| {
            let mut slot = slotter();
            let mut brands: SmallMap<SmallMap<Slots<u64>>> = SmallMap::default();
            let mut brand_of = Vec::with_capacity(complaints.num_rows());
            complaints.for_each_str("b", |_, b| {
                brand_of.push(b.map(|b| brands.index_or_insert_with(b, SmallMap::default)));
            })?;
            let m = complaints.i64s("m")?;
            complaints.for_each_str("aspects", |i, aspects| {
                let (Some(slot), Some(b)) = (slot(m[i]), brand_of[i]) else {
                    return;
                };
                each_mention(aspects.unwrap_or_default(), |theme, score| {
                    if score < -0.05 {
                        brands.entries[b]
                            .1
                            .get_or_insert_with(theme, || Slots(vec![0; slots]))
                            .0[slot] += 1;
                    }
                });
            })?;
            Ok(brands)
        };
        let (brands, exposure) = tokio::try_join!(
            self.folded(ws, &complaints, negative),
            self.folded(ws, &texts, exposure),
        )?;
        // In key order, as the scan reports series.
        let negative: BTreeMap<String, Vec<u64>> = Arc::unwrap_or_clone(brands)
            .entries
            .into_iter()
            .flat_map(|(b, themes)| {
                themes
                    .entries
                    .into_iter()
                    .map(move |(theme, counts)| (format!("{b}{KEY_SEP}{theme}"), counts.0))
            })
            .collect();
        let series = negative
            .into_iter()
            .map(|(key, counts)| {
                let brand = key.split_once(KEY_SEP).map_or(key.as_str(), |(b, _)| b);
                let exposure = exposure.get(brand).map(|e| e.0.clone()).unwrap_or_default();
                CountSeries {
                    key,
                    counts,
                    exposure,
                }
            })
            .collect();
        Ok(Complaints { months, series })
    }
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
