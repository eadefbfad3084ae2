//! KPI tiles: a figure for the current period beside the previous one, the
//! change, whether it is significant, and a monthly sparkline.

use serde::Serialize;
use throughline_metrics::{compare, nps, Change, Estimate, MeanAcc, NpsCounts, QuantileSummary};

use crate::glossary::{Def, CES, CSAT, ENPS, NPS, SENTIMENT};
use crate::kpis::KpiCounts;

/// How a tile's value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// NPS-style, -100..100.
    Score,
    /// A share, shown as a percentage.
    Percent,
    /// A mean on a rating scale.
    Mean,
    /// A duration in hours.
    Hours,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Tile {
    pub key: &'static str,
    pub label: &'static str,
    pub format: Format,
    pub higher_is_better: bool,
    pub current: Estimate,
    pub previous: Estimate,
    pub delta: f64,
    pub p_value: Option<f64>,
    pub significant: bool,
    /// One value per month, oldest first (`None`: no data that month).
    pub spark: Vec<Option<f64>>,
    /// How the figure is defined, shown as the tile's tooltip.
    pub definition: &'static str,
}

impl Tile {
    /// A tile named and defined by its glossary entry.
    pub(crate) fn defined(
        def: &Def,
        format: Format,
        higher_is_better: bool,
        change: Change,
    ) -> Tile {
        Tile {
            key: def.key,
            label: def.name,
            format,
            higher_is_better,
            p_value: change.test.as_ref().map(|t| t.p_value),
            current: change.current,
            previous: change.previous,
            delta: change.delta,
            significant: change.significant,
            spark: Vec::new(),
            definition: def.text,
        }
    }

    /// True when the change goes the good way.
    pub fn improved(&self) -> bool {
        (self.delta > 0.0) == self.higher_is_better
    }
}

/// The survey tiles from current and previous accumulators.
pub(crate) fn survey_tiles(
    cur: &KpiCounts,
    prev: &KpiCounts,
    ecur: &NpsCounts,
    eprev: &NpsCounts,
) -> Vec<Tile> {
    vec![
        Tile::defined(
            &NPS,
            Format::Score,
            true,
            compare::nps_change(&cur.nps, &prev.nps),
        ),
        Tile::defined(
            &CSAT,
            Format::Percent,
            true,
            compare::proportion_change(top2(&cur.csat.counts), top2(&prev.csat.counts)),
        ),
        Tile::defined(
            &CES,
            Format::Mean,
            true,
            compare::mean_change(&ces_mean(&cur.ces.counts), &ces_mean(&prev.ces.counts)),
        ),
        Tile::defined(&ENPS, Format::Score, true, compare::nps_change(ecur, eprev)),
        Tile::defined(
            &SENTIMENT,
            Format::Mean,
            true,
            compare::mean_change(&cur.sentiment, &prev.sentiment),
        ),
    ]
}

pub(crate) fn top2(counts: &[u64; 5]) -> (u64, u64) {
    (counts[3] + counts[4], counts.iter().sum())
}

pub(crate) fn ces_mean(counts: &[u64; 7]) -> MeanAcc {
    let mut acc = MeanAcc::default();
    for (i, &c) in counts.iter().enumerate() {
        acc.add_many((i + 1) as f64, c);
    }
    acc
}

/// The value a survey tile shows for one month of counts.
pub(crate) fn spark_value(key: &str, k: &KpiCounts, e: &NpsCounts) -> Option<f64> {
    let est = match key {
        "nps" => nps(&k.nps),
        "enps" => nps(e),
        "csat" => k.csat.top2box(),
        "ces" => ces_mean(&k.ces.counts).estimate(),
        "sentiment" => k.sentiment.estimate(),
        _ => return None,
    };
    (!est.is_empty()).then_some(est.value)
}

/// A median-time tile: the change is tested on the share within SLA is not the
/// same thing, so medians carry their order-statistic CIs and no test.
/// Which quantile of a duration a tile shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quantile {
    Median,
    P90,
}

pub(crate) fn duration_tile(
    def: &Def,
    quantile: Quantile,
    cur: Option<QuantileSummary>,
    prev: Option<QuantileSummary>,
) -> Tile {
    let hours = |q: &Option<QuantileSummary>| match q {
        Some(q) => {
            let (value, (low, high)) = match quantile {
                Quantile::Median => (q.median, q.median_ci),
                Quantile::P90 => (q.p90, q.p90_ci),
            };
            Estimate {
                value: value / 3600.0,
                n: q.n,
                se: 0.0,
                ci_low: low / 3600.0,
                ci_high: high / 3600.0,
                small_sample: q.n < throughline_metrics::SMALL_SAMPLE,
            }
        }
        None => Estimate::empty(),
    };
    let (current, previous) = (hours(&cur), hours(&prev));
    // Non-overlapping 95% intervals are a conservative sign of a real change.
    let significant = !current.small_sample
        && !previous.small_sample
        && (current.ci_low > previous.ci_high || current.ci_high < previous.ci_low);
    Tile {
        key: def.key,
        label: def.name,
        format: Format::Hours,
        higher_is_better: false,
        delta: current.value - previous.value,
        current,
        previous,
        p_value: None,
        significant,
        spark: Vec::new(),
        definition: def.text,
    }
}
