//! Reading complaints for the alerts: negative mentions per (brand, theme) and month
//! over a window of whole months, with each brand's customer texts per month as
//! exposure. Query and fold only; the statistics are `throughline_metrics::scan`.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, Months};
use throughline_analytics::QueryBatches;
use throughline_domain::WorkspaceId;
use throughline_metrics::CountSeries;

use super::{KEY_SEP, NO_BRAND};
use crate::error::Result;
use crate::filters::Period;
use crate::read::Reader;
use crate::small_map::{Slots, SmallMap};
use crate::themes::{aspects_sql, each_mention};
use crate::transactions::MonthIndex;

/// Negative mentions per (brand, theme) and month over a window of whole months, with
/// each brand's customer texts per month as exposure.
pub(super) struct Complaints {
    /// `YYYY-MM` of each month of the window, oldest first.
    pub months: Vec<String>,
    pub series: Vec<CountSeries>,
}

pub(crate) async fn complaint_series(
    rd: &Reader,
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
        rd.folded(ws, &complaints, negative),
        rd.folded(ws, &texts, exposure),
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
