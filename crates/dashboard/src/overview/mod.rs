//! The executive overview: KPI tiles with CIs and tested changes, brand and
//! channel comparisons, stores (eNPS beside CSAT), top themes with sentiment,
//! alerts and revenue at risk, for one workspace and set of filters. Stores and
//! EX–CX (`stores.rs`) and share of voice (`voice.rs`) are read in their own files.

use std::sync::Arc;

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use throughline_domain::WorkspaceId;
use throughline_metrics::{
    nps_segments_vs_rest, Correlation, Estimate, NpsCounts, SegmentComparison,
};

mod stores;
mod voice;

pub use stores::{StoreRow, EX_CX_MIN_ANSWERS, STORE_MONTHS};
pub use voice::VoiceRow;

use crate::alerts::{Alert, AlertQuery};
use crate::commercial::{self, Commercial};
use crate::error::Result;
use crate::filters::{Filters, Period};
use crate::folds::{Count, Grouped};
use crate::kpi_shifts::KpiShift;
use crate::kpis::{self, KpiCounts};
use crate::overview_cache::Freshness;
use crate::ratings::RatingRow;
use crate::read::{micros_to_date, Reader};
use crate::response_rate;
use crate::retention::Retention;
use crate::service;
use crate::themes::{self, ThemeRow};
use crate::tiles::{self, Tile};

/// Runs one part of the overview and logs its wall time at debug level
/// (`THROUGHLINE_LOG=throughline_dashboard=debug`): the parts run concurrently, so these overlap.
///
/// Each part is boxed: a dozen parts inlined into one state machine make a future of
/// hundreds of kilobytes, which overflows a worker's stack in debug builds.
fn timed<T>(
    part: &'static str,
    work: impl std::future::Future<Output = T>,
) -> impl std::future::Future<Output = T> {
    // Boxed here, before any await, so the joined future holds a pointer per part.
    let work = Box::pin(work);
    async move {
        let started = std::time::Instant::now();
        let out = work.await;
        tracing::debug!(
            part,
            ms = started.elapsed().as_secs_f64() * 1000.0,
            "overview part"
        );
        out
    }
}

/// Months in a tile's sparkline.
const SPARK_MONTHS: u32 = 12;

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Overview {
    pub filters: Filters,
    /// Day of the newest signal; `None` for an empty workspace (everything else empty).
    pub as_of: Option<NaiveDate>,
    pub current: Option<Period>,
    pub previous: Option<Period>,
    pub spark_months: Vec<String>,
    pub tiles: Vec<Tile>,
    pub brands: Vec<SegmentRow>,
    pub channels: Vec<SegmentComparison>,
    /// Stores over `stores_period`: the last twelve months, pooled.
    pub stores: Vec<StoreRow>,
    pub stores_period: Option<Period>,
    /// Store eNPS against store customer CSAT across the stores with at least
    /// [`EX_CX_MIN_ANSWERS`] answers of each: do employee and customer experience move
    /// together? Pearson's r with a Fisher-z 95% CI.
    pub ex_cx: Option<Correlation>,
    pub themes: Vec<ThemeRow>,
    /// Growing themes the taxonomy has no name for (`emerging.rs`).
    pub emerging: Vec<crate::EmergingTheme>,
    /// Complaint alerts of `alerts_month`.
    pub alerts: Vec<Alert>,
    /// `YYYY-MM` the alerts and movers are for: the newest month of the current period
    /// with complaint alerts, else the newest month (a quiet newest month must not hide
    /// a finding earlier in the period the page reports on).
    pub alerts_month: Option<String>,
    /// Months of the current period with complaint alerts, newest first, with how many.
    pub months_with_alerts: Vec<crate::alerts::MonthFindings>,
    /// Top movers: NPS and CSAT shifts per segment in `alerts_month` (BH-controlled).
    pub movers: Vec<KpiShift>,
    pub commercial: Option<Commercial>,
    pub retention: Option<Retention>,
    /// Share of voice and brand sentiment in reviews and social posts.
    pub voice: Vec<VoiceRow>,
    /// Every named custom rating, customers and employees apart.
    pub ratings: Vec<RatingRow>,
    /// When the figures were computed and whether newer signals have arrived since
    /// (set by the cache; `None` straight from `compute_overview`).
    pub freshness: Option<Freshness>,
    /// Signals (with the filters) whose time is unknown: stored with a time outside
    /// what intake accepts (1900-01-01 to a day past intake; a store filled before
    /// the check, a row written by hand), they have no `occurred_at` in the copy and
    /// are left out of every figure over time.
    pub untimed_signals: u64,
}

/// One segment's customer NPS and CSAT, NPS tested against the rest.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SegmentRow {
    pub segment: String,
    pub nps: SegmentComparison,
    pub csat: Estimate,
    /// Signals that carry a KPI (answers and analysed texts).
    pub signals: u64,
}

/// The overview computed now from the copy, bypassing the cache (what a cache
/// miss costs; `overview` is what pages call).
pub(crate) async fn compute_overview(
    rd: &Reader,
    ws: WorkspaceId,
    filters: &Filters,
) -> Result<Overview> {
    filters.validate()?;
    let fsql = filters.sql();
    let (as_of, untimed_signals) = tokio::try_join!(rd.as_of(ws, &fsql), untimed(rd, ws, &fsql))?;
    let Some(as_of) = as_of else {
        return Ok(Overview {
            untimed_signals,
            ..empty(filters)
        });
    };
    let (cur, prev) = Period::current_and_previous(as_of, filters.months());
    let spark_start = (cur.end - Months::new(SPARK_MONTHS)).min(prev.start);
    let monthly = timed("monthly", monthly(rd, ws, &fsql, spark_start, cur.end));
    let brands = timed("brands", segments(rd, ws, "brand", &fsql, &cur));
    let channels = timed("channels", segments(rd, ws, "channel", &fsql, &cur));
    // A store's employees answer a few times a year: one quarter left every row
    // "too small to judge", so stores are read over a year, pooled.
    let store_window = Period {
        start: cur.end - Months::new(STORE_MONTHS),
        end: cur.end,
    };
    let stores = timed("stores", stores::stores(rd, ws, &fsql, &store_window));
    let themes = timed("themes", themes::top(rd, ws, &fsql, &cur, &prev));
    let emerging = timed(
        "emerging",
        crate::emerging::emerging(rd, ws, &fsql, &cur, &prev),
    );
    let service = timed("service", service::tiles(rd, ws, &fsql, &cur, &prev));
    let commercial = timed(
        "commercial and retention",
        commercial::with_retention(rd, ws, &fsql, &cur, &prev),
    );
    // The month of the newest signal, as `AlertQuery::latest` would find it again.
    let alert_query = AlertQuery {
        filters: filters.clone(),
        month: Some(as_of),
    };
    let alerts = timed("alerts", crate::alerts::alerts(rd, ws, &alert_query));
    let voice = timed("voice", voice::voice(rd, ws, &fsql, &cur));
    let ratings = timed(
        "ratings",
        crate::ratings::ratings(rd, ws, &fsql, &cur, &prev),
    );
    let response_rate = timed(
        "response_rate",
        response_rate::tile(rd, ws, &fsql, &cur, &prev),
    );
    let (
        monthly,
        brands,
        channels,
        stores,
        themes,
        emerging,
        service,
        (commercial, retention),
        alerts,
        voice,
        ratings,
        response_rate,
    ) = tokio::try_join!(
        monthly,
        brands,
        channels,
        stores,
        themes,
        emerging,
        service,
        commercial,
        alerts,
        voice,
        ratings,
        response_rate
    )?;

    let sum = |p: &Period, employee: bool| -> KpiCounts {
        let mut total = KpiCounts::default();
        for (m, k, e) in &monthly {
            if *m >= p.start && *m < p.end {
                total.merge(if employee { e } else { k });
            }
        }
        total
    };
    let (kc, kp, ec, ep) = (
        sum(&cur, false),
        sum(&prev, false),
        sum(&cur, true),
        sum(&prev, true),
    );
    let period_months: Vec<_> = alerts
        .calendar
        .iter()
        .rev()
        .filter(|m| m.complaint_alerts > 0 && m.month >= cur.start.format("%Y-%m").to_string())
        .cloned()
        .collect();
    let alerts = match period_months.first() {
        Some(m) if alerts.alerts.is_empty() && alerts.month.as_ref() != Some(&m.month) => {
            let day = NaiveDate::parse_from_str(&format!("{}-01", m.month), "%Y-%m-%d").ok();
            let query = AlertQuery {
                filters: filters.clone(),
                month: day,
            };
            timed(
                "alerts of the period",
                crate::alerts::alerts(rd, ws, &query),
            )
            .await?
        }
        _ => alerts,
    };
    let mut tiles = tiles::survey_tiles(&kc, &kp, &ec.nps, &ep.nps);
    let spark: Vec<_> = monthly
        .iter()
        .filter(|(m, _, _)| *m >= cur.end - Months::new(SPARK_MONTHS))
        .collect();
    for tile in &mut tiles {
        tile.spark = spark
            .iter()
            .map(|(_, k, e)| tiles::spark_value(tile.key, k, &e.nps))
            .collect();
    }
    tiles.extend(response_rate);
    tiles.extend(service);
    tiles.extend(commercial.tiles.clone());
    Ok(Overview {
        filters: filters.clone(),
        as_of: Some(as_of),
        current: Some(cur),
        previous: Some(prev),
        spark_months: spark
            .iter()
            .map(|(m, _, _)| m.format("%Y-%m").to_string())
            .collect(),
        tiles,
        brands,
        channels: channels.into_iter().map(|r| r.nps).collect(),
        ex_cx: stores::ex_cx(&stores),
        stores_period: Some(store_window),
        stores,
        themes,
        emerging,
        movers: alerts.kpi_shifts.shifts,
        alerts: alerts.alerts,
        alerts_month: alerts.month,
        months_with_alerts: period_months,
        commercial: Some(commercial),
        retention: Some(retention),
        voice,
        ratings,
        freshness: None,
        untimed_signals,
    })
}

/// How many signals (with `fsql`) have no time in the copy; folded like every
/// overview part, so after new signals only they are read.
async fn untimed(rd: &Reader, ws: WorkspaceId, fsql: &str) -> Result<u64> {
    let sql = format!("SELECT count(*) AS n FROM signals WHERE occurred_at IS NULL{fsql}");
    let count = rd
        .folded(ws, &sql, |a| {
            let n = a.i64s("n")?.into_iter().flatten().sum::<i64>();
            Ok(Count(u64::try_from(n).unwrap_or(0)))
        })
        .await?;
    Ok(count.0)
}

/// Customer and employee KPI counts per calendar month in `[start, end)`,
/// every month present (empty months as zeros), oldest first.
async fn monthly(
    rd: &Reader,
    ws: WorkspaceId,
    fsql: &str,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<Vec<(NaiveDate, KpiCounts, KpiCounts)>> {
    let window = Period { start, end };
    let sql = format!(
        "SELECT date_trunc('month', occurred_at) AS m, stakeholder_type = 'employee' AS emp, {} \
         FROM signals WHERE stakeholder_type IN ('customer', 'employee'){}{}{fsql} \
         GROUP BY 1, 2, {}",
        kpis::select_list(),
        kpis::KPI_ROWS,
        window.sql(),
        kpis::GROUP
    );
    let grouped = rd
        .folded(ws, &sql, |a| {
            let keys = a.i64s("m")?.into_iter().zip(a.i64s("emp")?);
            Ok(Grouped::fold(keys, kpis::read(a)?))
        })
        .await?;
    let mut out = Vec::new();
    let mut month = start;
    while month < end {
        out.push((month, KpiCounts::default(), KpiCounts::default()));
        month = month + Months::new(1);
    }
    for (&(m, t), k) in &grouped.0 {
        let Some(day) = m.and_then(micros_to_date) else {
            continue;
        };
        if let Some(row) = out
            .iter_mut()
            .find(|(d, _, _)| (d.year(), d.month()) == (day.year(), day.month()))
        {
            if t == Some(1) {
                row.2.merge(k);
            } else {
                row.1.merge(k);
            }
        }
    }
    Ok(out)
}

/// Customer NPS and CSAT per value of `dimension` in `period`, NPS tested
/// against the rest (BH-controlled over the segments).
pub(crate) async fn segments(
    rd: &Reader,
    ws: WorkspaceId,
    dimension: &str,
    fsql: &str,
    period: &Period,
) -> Result<Vec<SegmentRow>> {
    let sql = format!(
        "SELECT {dimension} AS seg, {} FROM signals WHERE stakeholder_type = 'customer' \
         AND {dimension} IS NOT NULL{}{}{fsql} GROUP BY 1, {}",
        kpis::select_list(),
        kpis::KPI_ROWS,
        period.sql(),
        kpis::GROUP
    );
    let grouped = rd
        .folded(ws, &sql, |a| {
            let names = a.strings("seg")?.into_iter().map(Option::unwrap_or_default);
            Ok(Grouped::fold(names, kpis::read(a)?))
        })
        .await?;
    let (names, counts): (Vec<String>, Vec<KpiCounts>) =
        Arc::unwrap_or_clone(grouped).0.into_iter().unzip();
    let pairs: Vec<(String, NpsCounts)> = names
        .iter()
        .zip(&counts)
        .map(|(n, k)| (n.clone(), k.nps))
        .collect();
    let tested = nps_segments_vs_rest(&pairs);
    Ok(tested
        .into_iter()
        .zip(counts)
        .map(|(nps, k)| SegmentRow {
            segment: nps.segment.clone(),
            csat: k.csat.top2box(),
            signals: k.signals,
            nps,
        })
        .collect())
}

fn empty(filters: &Filters) -> Overview {
    Overview {
        filters: filters.clone(),
        as_of: None,
        current: None,
        previous: None,
        spark_months: Vec::new(),
        tiles: Vec::new(),
        brands: Vec::new(),
        channels: Vec::new(),
        stores: Vec::new(),
        stores_period: None,
        ex_cx: None,
        themes: Vec::new(),
        emerging: Vec::new(),
        alerts: Vec::new(),
        alerts_month: None,
        months_with_alerts: Vec::new(),
        movers: Vec::new(),
        commercial: None,
        retention: None,
        voice: Vec::new(),
        ratings: Vec::new(),
        freshness: None,
        untimed_signals: 0,
    }
}
