//! KPI-shift alerts: for every segment of the alert dimensions, customer NPS and CSAT
//! (top-2-box) in one month against the months before, each tested (NPS: Wald z on the
//! trinomial variance; CSAT: two-proportion z) and flagged only when the Benjamini–Hochberg
//! q-value across every (segment, KPI) tested is below 0.05 — "NPS for channel phone down
//! 21 points in 2026-10 (q = 0.004)".

use chrono::{Months, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

use throughline_analytics::{Partial, QueryBatches};
use throughline_domain::{Dimension, WorkspaceId};
use throughline_metrics::{compare, Change, Estimate, NpsCounts, SMALL_SAMPLE};

use crate::error::Result;
use crate::filters::{day_start, Period};
use crate::read::Reader;

/// Dimensions whose segments are scanned.
pub const SHIFT_DIMENSIONS: [Dimension; 5] = [
    Dimension::Brand,
    Dimension::Channel,
    Dimension::Region,
    Dimension::Store,
    Dimension::Touchpoint,
];
/// False-discovery rate of the scan.
const Q: f64 = 0.05;

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct KpiShift {
    pub headline: String,
    pub dimension: &'static str,
    pub segment: String,
    /// `nps` or `csat`.
    pub kpi: &'static str,
    pub month: String,
    pub current: Estimate,
    pub baseline: Estimate,
    pub delta: f64,
    pub p_value: f64,
    pub q_value: f64,
}

/// The scan's result: how many (segment, KPI) pairs were tested, and the shifts found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct KpiShifts {
    pub tested: usize,
    pub shifts: Vec<KpiShift>,
}

/// (dimension, segment value).
type Segment = (&'static str, String);

#[derive(Debug, Clone, Default)]
struct Counts {
    nps: NpsCounts,
    top2: u64,
    csat: u64,
}

impl Counts {
    /// `n` answers of NPS `nps` and CSAT `csat` (31: not answered).
    fn add(&mut self, nps: i64, csat: i64, n: u64) {
        match nps {
            9..=10 => self.nps.promoters += n,
            7..=8 => self.nps.passives += n,
            0..=6 => self.nps.detractors += n,
            _ => {}
        }
        if (1..=5).contains(&csat) {
            self.csat += n;
            if csat >= 4 {
                self.top2 += n;
            }
        }
    }
}

impl Counts {
    fn merge(&mut self, other: &Counts) {
        self.nps.merge(&other.nps);
        self.top2 += other.top2;
        self.csat += other.csat;
    }
}

/// (dimension, segment) → (current month, baseline), folded part by part.
#[derive(Debug, Clone, Default)]
struct Groups(BTreeMap<Segment, (Counts, Counts)>);

impl Partial for Groups {
    fn merge(&mut self, other: Self) {
        for (key, (now, before)) in other.0 {
            let mine = self.0.entry(key).or_default();
            mine.0.merge(&now);
            mine.1.merge(&before);
        }
    }

    fn bytes(&self) -> usize {
        self.0.len() * (std::mem::size_of::<(Segment, (Counts, Counts))>() + 48)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Each answer row counted towards every dimension's segment it names.
fn fold_shifts(answer: &QueryBatches) -> Result<Groups> {
    let values = SHIFT_DIMENSIONS
        .iter()
        .map(|d| answer.strings(d.as_str()).map_err(Into::into))
        .collect::<Result<Vec<_>>>()?;
    let (cur, ans, n) = (answer.i64s("cur")?, answer.i64s("ans")?, answer.i64s("n")?);
    let mut groups = Groups::default();
    for i in 0..answer.num_rows() {
        let count = n[i].unwrap_or(0).max(0) as u64;
        let code = ans[i].unwrap_or(31 * 32 + 31);
        let (nps, csat) = (code >> 5, code & 31);
        for (dimension, column) in SHIFT_DIMENSIONS.iter().map(|d| d.as_str()).zip(&values) {
            let Some(segment) = &column[i] else {
                continue;
            };
            let both = groups.0.entry((dimension, segment.clone())).or_default();
            let slot = if cur[i] == Some(1) {
                &mut both.0
            } else {
                &mut both.1
            };
            slot.add(nps, csat, count);
        }
    }
    Ok(groups)
}

struct Candidate {
    dimension: &'static str,
    segment: String,
    kpi: &'static str,
    change: Change,
    p: f64,
}

/// Shifts in `month` (its first day) against the `baseline` months before it.
pub(crate) async fn kpi_shifts(
    rd: &Reader,
    ws: WorkspaceId,
    fsql: &str,
    month: NaiveDate,
    baseline: u32,
) -> Result<KpiShifts> {
    let window = Period {
        start: month - Months::new(baseline),
        end: month + Months::new(1),
    };
    let current = day_start(month);
    // One scan, one row per combination of the dimensions' values, the month
    // (current or baseline) and the answers given; each row then counts towards
    // every dimension's segment it names. (Grouping sets per dimension would copy
    // every row once per dimension.)
    let dims = SHIFT_DIMENSIONS.map(|d| d.as_str()).join(", ");
    let sql = format!(
        "SELECT {dims}, occurred_at >= {current} AS cur, \
           coalesce(nps, 31) * 32 + coalesce(csat, 31) AS ans, count(*) AS n \
         FROM signals WHERE stakeholder_type = 'customer' \
           AND (nps IS NOT NULL OR csat IS NOT NULL){}{fsql} \
         GROUP BY {dims}, cur, ans",
        window.sql(),
    );
    let groups = Arc::unwrap_or_clone(rd.folded(ws, &sql, fold_shifts).await?).0;
    let mut candidates = Vec::new();
    for ((dimension, segment), (now, before)) in groups {
        let enough = |a: u64, b: u64| a >= SMALL_SAMPLE && b >= SMALL_SAMPLE;
        if enough(now.nps.n(), before.nps.n()) {
            push(
                &mut candidates,
                dimension,
                &segment,
                "nps",
                compare::nps_change(&now.nps, &before.nps),
            );
        }
        if enough(now.csat, before.csat) {
            let change =
                compare::proportion_change((now.top2, now.csat), (before.top2, before.csat));
            push(&mut candidates, dimension, &segment, "csat", change);
        }
    }
    let q = compare::benjamini_hochberg(&candidates.iter().map(|c| c.p).collect::<Vec<_>>());
    let month_name = month.format("%Y-%m").to_string();
    let mut shifts: Vec<KpiShift> = candidates
        .iter()
        .zip(q)
        .filter(|(_, q)| *q < Q)
        .map(|(c, q)| shift(c, q, &month_name))
        .collect();
    shifts.sort_by(|a, b| a.q_value.total_cmp(&b.q_value));
    Ok(KpiShifts {
        tested: candidates.len(),
        shifts,
    })
}

fn push(
    out: &mut Vec<Candidate>,
    dimension: &'static str,
    segment: &str,
    kpi: &'static str,
    change: Change,
) {
    if let Some(t) = &change.test {
        if t.p_value.is_finite() {
            out.push(Candidate {
                dimension,
                segment: segment.to_string(),
                kpi,
                p: t.p_value,
                change,
            });
        }
    }
}

fn shift(c: &Candidate, q: f64, month: &str) -> KpiShift {
    // NPS moves in points; CSAT is a share, shown in points of percentage.
    let (name, scale, unit) = match c.kpi {
        "nps" => ("NPS", 1.0, "points"),
        _ => ("CSAT (top-2-box)", 100.0, "percentage points"),
    };
    let way = if c.change.delta < 0.0 { "down" } else { "up" };
    let q_text = if q < 0.001 {
        "q < 0.001".to_string()
    } else {
        format!("q = {q:.3}")
    };
    KpiShift {
        headline: format!(
            "{name} for {} {} {way} {:.0} {unit} in {month} against the months before ({q_text})",
            c.dimension,
            c.segment,
            (c.change.delta * scale).abs()
        ),
        dimension: c.dimension,
        segment: c.segment.clone(),
        kpi: c.kpi,
        month: month.to_string(),
        current: c.change.current.clone(),
        baseline: c.change.previous.clone(),
        delta: c.change.delta,
        p_value: c.p,
        q_value: q,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_count_into_nps_buckets_and_csat_top_two_box() {
        let mut c = Counts::default();
        c.add(10, 5, 3);
        c.add(7, 31, 2);
        c.add(0, 3, 4);
        c.add(31, 4, 1);
        assert_eq!(
            c.nps,
            NpsCounts {
                promoters: 3,
                passives: 2,
                detractors: 4
            }
        );
        // CSAT answered 3 + 4 + 1 = 8 times, 4 or 5 by 3 + 1.
        assert_eq!((c.top2, c.csat), (4, 8));
    }
}
