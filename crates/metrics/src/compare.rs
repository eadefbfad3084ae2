//! Significance tests between two groups (NPS, shares, means), period-over-period changes, and
//! segment-vs-rest scans with Benjamini–Hochberg false-discovery-rate control.

use serde::Serialize;

use crate::estimate::{normal_two_sided_p, t_two_sided_p, Estimate};
use crate::nps::{nps, NpsCounts};
use crate::proportion::{proportion, MeanAcc};

/// Significance level for every "significant" flag in this crate.
pub const ALPHA: f64 = 0.05;

/// A two-sided test: its statistic, p-value and a stable method name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Test {
    pub statistic: f64,
    pub p_value: f64,
    pub method: &'static str,
}

/// Wald z-test for a difference of two independent NPS: z = (NPS_a − NPS_b)/√(se_a² + se_b²),
/// with each se from the trinomial variance (Rocks 2016, §4). `None` if either group is empty
/// or both have zero variance (e.g. all promoters on both sides).
pub fn nps_difference(a: &NpsCounts, b: &NpsCounts) -> Option<Test> {
    let (ea, eb) = (nps(a), nps(b));
    z_test(&ea, &eb, "nps_wald_z")
}

/// Pooled two-proportion z-test: z = (p₁ − p₂)/√(p̄(1 − p̄)(1/n₁ + 1/n₂)), p̄ = (x₁ + x₂)/(n₁ + n₂);
/// z² is Pearson's χ² without continuity correction. `None` if a group is empty or p̄ is 0 or 1.
pub fn proportion_difference(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<Test> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (x1, x2) = (x1.min(n1) as f64, x2.min(n2) as f64);
    let (n1, n2) = (n1 as f64, n2 as f64);
    let pooled = (x1 + x2) / (n1 + n2);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if se.is_nan() || se <= 0.0 {
        return None;
    }
    let z = (x1 / n1 - x2 / n2) / se;
    Some(Test {
        statistic: z,
        p_value: normal_two_sided_p(z),
        method: "two_proportion_z_pooled",
    })
}

/// Welch's t-test (Welch 1947): t = (m_a − m_b)/√(s_a²/n_a + s_b²/n_b) with the
/// Welch–Satterthwaite degrees of freedom (s_a²/n_a + s_b²/n_b)² / Σ (s²/n)²/(n − 1).
/// `None` if either side has fewer than two values or both have zero variance.
pub fn mean_difference(a: &MeanAcc, b: &MeanAcc) -> Option<Test> {
    let (va, vb) = (a.variance()? / a.n as f64, b.variance()? / b.n as f64);
    let se2 = va + vb;
    if se2.is_nan() || se2 <= 0.0 {
        return None;
    }
    let t = (a.mean()? - b.mean()?) / se2.sqrt();
    let df = se2 * se2 / (va * va / (a.n - 1) as f64 + vb * vb / (b.n - 1) as f64);
    Some(Test {
        statistic: t,
        p_value: t_two_sided_p(t, df)?,
        method: "welch_t",
    })
}

/// Benjamini & Hochberg (1995) step-up adjusted p-values (q-values), in input order:
/// q₍ᵢ₎ = min_{j ≥ i} m·p₍ⱼ₎/j over the ascending p-values, capped at 1 (R's
/// `p.adjust(p, "BH")`). A NaN p-value is treated as 1: an undefined test never counts as
/// evidence, but still counts as a hypothesis.
pub fn benjamini_hochberg(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let clean = |p: f64| if p.is_nan() { 1.0 } else { p.clamp(0.0, 1.0) };
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&i, &j| clean(p_values[i]).total_cmp(&clean(p_values[j])));
    let mut q = vec![1.0; m];
    let mut running = 1.0_f64;
    for (rank0, &i) in order.iter().enumerate().rev() {
        // p·(m/i) rather than p·m/i: m/i ≥ 1 is exact at i = m, so rounding never puts q below p.
        running = running.min(clean(p_values[i]) * (m as f64 / (rank0 + 1) as f64));
        q[i] = running;
    }
    q
}

/// A KPI now and in the previous period, with the test of their difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub current: Estimate,
    pub previous: Estimate,
    /// current.value − previous.value; 0 when either period has no data.
    pub delta: f64,
    pub test: Option<Test>,
    /// p < ALPHA and neither period is a small sample.
    pub significant: bool,
}

pub fn nps_change(current: &NpsCounts, previous: &NpsCounts) -> Change {
    change(
        nps(current),
        nps(previous),
        nps_difference(current, previous),
    )
}

/// Change of a share, `(successes, n)` for each period.
pub fn proportion_change(current: (u64, u64), previous: (u64, u64)) -> Change {
    let test = proportion_difference(current.0, current.1, previous.0, previous.1);
    change(
        proportion(current.0, current.1),
        proportion(previous.0, previous.1),
        test,
    )
}

pub fn mean_change(current: &MeanAcc, previous: &MeanAcc) -> Change {
    change(
        current.estimate(),
        previous.estimate(),
        mean_difference(current, previous),
    )
}

fn change(current: Estimate, previous: Estimate, test: Option<Test>) -> Change {
    let delta = if current.is_empty() || previous.is_empty() {
        0.0
    } else {
        current.value - previous.value
    };
    let significant = !current.small_sample
        && !previous.small_sample
        && test.as_ref().is_some_and(|t| t.p_value < ALPHA);
    Change {
        current,
        previous,
        delta,
        test,
        significant,
    }
}

/// One segment against all the others.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SegmentComparison {
    pub segment: String,
    pub estimate: Estimate,
    pub rest: Estimate,
    /// estimate.value − rest.value; 0 when either side has no data.
    pub delta: f64,
    /// 1 when the test is undefined (see the per-metric tests).
    pub p_value: f64,
    /// Benjamini–Hochberg over all segments of the scan.
    pub q_value: f64,
    /// q < ALPHA and neither the segment nor the rest is a small sample.
    pub significant: bool,
}

/// Each segment's NPS against the pooled NPS of all other segments, in input order.
pub fn nps_segments_vs_rest(segments: &[(String, NpsCounts)]) -> Vec<SegmentComparison> {
    let mut total = NpsCounts::default();
    segments.iter().for_each(|(_, c)| total.merge(c));
    let rows = segments.iter().map(|(name, c)| {
        let rest = total.minus(c);
        (name.clone(), nps(c), nps(&rest), nps_difference(c, &rest))
    });
    scan(rows.collect())
}

/// Each segment's share `(name, successes, n)` against all other segments pooled.
pub fn proportion_segments_vs_rest(segments: &[(String, u64, u64)]) -> Vec<SegmentComparison> {
    let (total_x, total_n) = segments.iter().fold((0u64, 0u64), |(x, n), (_, sx, sn)| {
        (x + (*sx).min(*sn), n + sn)
    });
    let rows = segments.iter().map(|(name, x, n)| {
        let x = (*x).min(*n);
        let (rest_x, rest_n) = (total_x - x, total_n - n);
        let test = proportion_difference(x, *n, rest_x, rest_n);
        (
            name.clone(),
            proportion(x, *n),
            proportion(rest_x, rest_n),
            test,
        )
    });
    scan(rows.collect())
}

/// Each segment's mean against the mean of all other segments pooled.
pub fn mean_segments_vs_rest(segments: &[(String, MeanAcc)]) -> Vec<SegmentComparison> {
    // rest_i = prefix (segments before i) merged with suffix (after i): exact sums, no
    // subtraction of floating-point totals.
    let mut suffix = vec![MeanAcc::default(); segments.len() + 1];
    for i in (0..segments.len()).rev() {
        suffix[i] = suffix[i + 1];
        suffix[i].merge(&segments[i].1);
    }
    let mut prefix = MeanAcc::default();
    let mut rows = Vec::with_capacity(segments.len());
    for (i, (name, acc)) in segments.iter().enumerate() {
        let mut rest = prefix;
        rest.merge(&suffix[i + 1]);
        rows.push((
            name.clone(),
            acc.estimate(),
            rest.estimate(),
            mean_difference(acc, &rest),
        ));
        prefix.merge(acc);
    }
    scan(rows)
}

fn scan(rows: Vec<(String, Estimate, Estimate, Option<Test>)>) -> Vec<SegmentComparison> {
    let p_values: Vec<f64> = rows
        .iter()
        .map(|r| r.3.as_ref().map_or(1.0, |t| t.p_value))
        .collect();
    let q_values = benjamini_hochberg(&p_values);
    rows.into_iter()
        .zip(p_values.into_iter().zip(q_values))
        .map(|((segment, estimate, rest, _), (p_value, q_value))| {
            let delta = if estimate.is_empty() || rest.is_empty() {
                0.0
            } else {
                estimate.value - rest.value
            };
            let significant = q_value < ALPHA && !estimate.small_sample && !rest.small_sample;
            SegmentComparison {
                segment,
                estimate,
                rest,
                delta,
                p_value,
                q_value,
                significant,
            }
        })
        .collect()
}

/// z-test of two independent estimates from their standard errors.
fn z_test(a: &Estimate, b: &Estimate, method: &'static str) -> Option<Test> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let se = (a.se * a.se + b.se * b.se).sqrt();
    if se.is_nan() || se <= 0.0 {
        return None;
    }
    let z = (a.value - b.value) / se;
    Some(Test {
        statistic: z,
        p_value: normal_two_sided_p(z),
        method,
    })
}

#[cfg(test)]
mod tests;
