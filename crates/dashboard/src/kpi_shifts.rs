//! KPI-shift alerts: for every segment of the alert dimensions, customer NPS and CSAT
//! (top-2-box) in one month against the months before, each tested (NPS: Wald z on the
//! trinomial variance; CSAT: two-proportion z) and flagged only when the Benjamini–Hochberg
//! q-value across every (segment, KPI) tested is below 0.05 — "NPS for channel phone down
//! 21 points in 2026-10 (q = 0.004)".

use chrono::{Months, NaiveDate};
use serde::Serialize;
use throughline_domain::WorkspaceId;
use throughline_metrics::{compare, Change, Estimate, NpsCounts, SMALL_SAMPLE};

use crate::engine::Dashboard;
use crate::error::Result;
use crate::filters::{day_start, quote, Period};

/// Dimensions whose segments are scanned.
pub const SHIFT_DIMENSIONS: [&str; 5] = ["brand", "channel", "region", "store", "touchpoint"];
/// False-discovery rate of the scan.
const Q: f64 = 0.05;

#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KpiShifts {
    pub tested: usize,
    pub shifts: Vec<KpiShift>,
}

/// (dimension, segment value).
type Segment = (&'static str, String);

#[derive(Default)]
struct Counts {
    nps: NpsCounts,
    top2: u64,
    csat: u64,
}

struct Candidate {
    dimension: &'static str,
    segment: String,
    kpi: &'static str,
    change: Change,
    p: f64,
}

impl Dashboard {
    /// Shifts in `month` (its first day) against the `baseline` months before it.
    pub(crate) async fn kpi_shifts(
        &self,
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
        // One scan for every dimension: a grouping set per dimension, named by which
        // one is grouped on (a row whose value is NULL comes back with `v` NULL, skipped).
        let dims = SHIFT_DIMENSIONS.join(", ");
        let which: Vec<String> = SHIFT_DIMENSIONS
            .iter()
            .map(|d| format!("WHEN grouping({d}) = 0 THEN {}", quote(d)))
            .collect();
        let sets: Vec<String> = SHIFT_DIMENSIONS
            .iter()
            .map(|d| format!("({d}, cur)"))
            .collect();
        let sql = format!(
            "SELECT CASE {} END AS d, coalesce({dims}) AS v, cur, \
               sum(CASE WHEN nps >= 9 THEN 1 ELSE 0 END) AS pro, \
               sum(CASE WHEN nps BETWEEN 7 AND 8 THEN 1 ELSE 0 END) AS pas, \
               sum(CASE WHEN nps <= 6 THEN 1 ELSE 0 END) AS det, \
               sum(CASE WHEN csat >= 4 THEN 1 ELSE 0 END) AS top2, count(csat) AS csat \
             FROM (SELECT {dims}, occurred_at >= {current} AS cur, nps, csat FROM signals \
               WHERE stakeholder_type = 'customer' AND (nps IS NOT NULL OR csat IS NOT NULL){}{fsql}) \
             GROUP BY GROUPING SETS ({})",
            which.join(" "),
            window.sql(),
            sets.join(", ")
        );
        let answer = self.sql(ws, &sql).await?;
        let (d, v, cur) = (
            answer.strings("d")?,
            answer.strings("v")?,
            answer.i64s("cur")?,
        );
        let count = |c: &str| -> Result<Vec<u64>> {
            Ok(answer
                .i64s(c)?
                .into_iter()
                .map(|x| x.unwrap_or(0).max(0) as u64)
                .collect())
        };
        let (pro, pas, det, top2, csat) = (
            count("pro")?,
            count("pas")?,
            count("det")?,
            count("top2")?,
            count("csat")?,
        );
        // (dimension, segment) → (current month, baseline)
        let mut groups: Vec<(Segment, (Counts, Counts))> = Vec::new();
        for i in 0..d.len() {
            let (Some(dim), Some(seg)) = (&d[i], &v[i]) else {
                continue;
            };
            let Some(dim) = SHIFT_DIMENSIONS.iter().copied().find(|x| x == dim) else {
                continue;
            };
            let key = (dim, seg.clone());
            let pos = match groups.iter().position(|(k, _)| *k == key) {
                Some(p) => p,
                None => {
                    groups.push((key, Default::default()));
                    groups.len() - 1
                }
            };
            let slot = if cur[i] == Some(1) {
                &mut groups[pos].1 .0
            } else {
                &mut groups[pos].1 .1
            };
            slot.nps.promoters += pro[i];
            slot.nps.passives += pas[i];
            slot.nps.detractors += det[i];
            slot.top2 += top2[i];
            slot.csat += csat[i];
        }
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
