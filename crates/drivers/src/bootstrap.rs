//! Bootstrap intervals for importance shares: how much each driver's share of R² would
//! move if another sample of the same size had answered. Respondents are resampled with
//! replacement (Efron & Tibshirani 1993, percentile intervals), the whole analysis is
//! rerun on each resample, and the 2.5th and 97.5th percentiles of each share are kept.
//!
//! Each resample needs only the correlations, which come from weighted sums over the
//! distinct driver patterns: with 0/1 themes most respondents share a few hundred
//! patterns, so a resample costs O(n + patterns·k²) rather than O(n·k²). The number of
//! resamples is cut to fit a fixed work budget (Shapley's 2^k subsets dominate for
//! large k); below [`MIN_RESAMPLES`] no interval is given rather than a ragged one.

use std::collections::HashMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::prepare::Moments;
use crate::relative_weights::relative_weights;
use crate::shapley::shapley_r_squared;
use crate::Method;

/// Resamples drawn when the budget allows.
pub const RESAMPLES: usize = 200;
/// Fewer resamples than this give percentiles too rough to show.
pub const MIN_RESAMPLES: usize = 100;
/// Floating-point operations (roughly) all resamples together may take: about a
/// quarter of a second on one core.
const WORK_BUDGET: f64 = 4e8;
/// Fixed, so the same data always give the same intervals.
const SEED: u64 = 0x5eed_d21e;

/// Respondents grouped by their drivers' values.
struct Patterns {
    /// Distinct rows of the kept columns.
    values: Vec<Vec<f64>>,
    /// Each respondent's pattern.
    of_row: Vec<usize>,
}

fn patterns(rows: &[Vec<f64>], kept: &[usize]) -> Patterns {
    let mut index: HashMap<Vec<u64>, usize> = HashMap::new();
    let mut values = Vec::new();
    let of_row = rows
        .iter()
        .map(|row| {
            let key: Vec<u64> = kept.iter().map(|&c| row[c].to_bits()).collect();
            *index.entry(key).or_insert_with(|| {
                values.push(kept.iter().map(|&c| row[c]).collect());
                values.len() - 1
            })
        })
        .collect();
    Patterns { values, of_row }
}

/// How many resamples fit the budget for `n` respondents, `g` patterns and `k` drivers.
pub(crate) fn affordable(n: usize, g: usize, k: usize, method: Method) -> usize {
    let k = k as f64;
    let split = match method {
        Method::ShapleyR2 => 2f64.powf(k) * k * k,
        Method::RelativeWeights => 30.0 * k * k * k,
    };
    let per = n as f64 * 2.0 + g as f64 * k * k + split;
    ((WORK_BUDGET / per) as usize).min(RESAMPLES)
}

/// Percentile 95% intervals of each kept driver's importance share, in `kept` order,
/// and the resamples they rest on; `None` when the budget allows too few resamples
/// or too many resamples could not be analysed (a driver constant in the resample).
pub(crate) fn intervals(
    rows: &[Vec<f64>],
    kept: &[usize],
    outcome: &[f64],
    method: Method,
) -> Option<(Vec<(f64, f64)>, usize)> {
    let n = rows.len();
    let k = kept.len();
    let groups = patterns(rows, kept);
    let wanted = affordable(n, groups.values.len(), k, method);
    if wanted < MIN_RESAMPLES || n == 0 {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut shares: Vec<Vec<f64>> = vec![Vec::with_capacity(wanted); k];
    let mut counts = vec![0u32; n];
    for _ in 0..wanted {
        counts.iter_mut().for_each(|c| *c = 0);
        for _ in 0..n {
            counts[rng.random_range(0..n)] += 1;
        }
        let Some(m) = weighted_moments(&groups, &counts, outcome) else {
            continue;
        };
        let Some(split) = split(&m, method) else {
            continue;
        };
        for (j, s) in split.into_iter().enumerate() {
            shares[j].push(s);
        }
    }
    let done = shares.first().map_or(0, Vec::len);
    if done < MIN_RESAMPLES.min(wanted * 9 / 10) {
        return None;
    }
    let bounds = shares
        .iter_mut()
        .map(|s| {
            s.sort_by(f64::total_cmp);
            (percentile(s, 0.025), percentile(s, 0.975))
        })
        .collect();
    Some((bounds, done))
}

/// Linear interpolation between order statistics (type 7, the R and NumPy default).
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let at = p * (sorted.len() - 1) as f64;
    let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo as f64)
}

/// Importance shares (summing to 1) from one resample's correlations.
fn split(m: &Moments, method: Method) -> Option<Vec<f64>> {
    let raw = match method {
        Method::ShapleyR2 => shapley_r_squared(&m.correlations, &m.outcome_correlations).ok()?,
        Method::RelativeWeights => relative_weights(&m.correlations, &m.outcome_correlations),
    };
    let raw: Vec<f64> = raw.into_iter().map(|v| v.max(0.0)).collect();
    let total: f64 = raw.iter().sum();
    (total > 1e-12 && raw.iter().all(|v| v.is_finite()))
        .then(|| raw.iter().map(|v| v / total).collect())
}

/// Correlations of a resample in which respondent i appears `counts[i]` times; `None`
/// when a driver or the outcome does not vary in it.
fn weighted_moments(groups: &Patterns, counts: &[u32], outcome: &[f64]) -> Option<Moments> {
    let g = groups.values.len();
    let k = groups.values.first().map_or(0, Vec::len);
    // Per pattern: weight, Σ w·y; overall Σ w·y².
    let (mut weight, mut wy) = (vec![0.0; g], vec![0.0; g]);
    let (mut total, mut sum_y, mut sum_yy) = (0.0, 0.0, 0.0);
    for ((&p, &c), &y) in groups.of_row.iter().zip(counts).zip(outcome) {
        if c == 0 {
            continue;
        }
        let c = f64::from(c);
        weight[p] += c;
        wy[p] += c * y;
        total += c;
        sum_y += c * y;
        sum_yy += c * y * y;
    }
    let y_mean = sum_y / total;
    let mut means = vec![0.0; k];
    for (values, w) in groups.values.iter().zip(&weight) {
        for (m, v) in means.iter_mut().zip(values) {
            *m += w * v;
        }
    }
    means.iter_mut().for_each(|m| *m /= total);
    let mut products = vec![0.0; k * k];
    let mut with_outcome = vec![0.0; k];
    let mut d = vec![0.0; k];
    for p in 0..g {
        if weight[p] == 0.0 {
            continue;
        }
        for ((d, v), m) in d.iter_mut().zip(&groups.values[p]).zip(&means) {
            *d = v - m;
        }
        let dy = wy[p] - weight[p] * y_mean;
        for i in 0..k {
            with_outcome[i] += d[i] * dy;
            for j in i..k {
                products[i * k + j] += weight[p] * d[i] * d[j];
            }
        }
    }
    let m = Moments::from_products(&products, &with_outcome, sum_yy - total * y_mean * y_mean);
    let varies = m.outcome_spread > 1e-12 && m.driver_spreads.iter().all(|s| *s > 1e-12);
    varies.then_some(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::moments;

    #[test]
    fn unit_weights_give_the_plain_correlations() {
        let rows = vec![
            vec![1.0, 0.0],
            vec![0.0, 1.0],
            vec![1.0, 1.0],
            vec![0.0, 0.0],
            vec![1.0, 0.0],
        ];
        let y = [9.0, 3.0, 7.0, 5.0, 10.0];
        let kept = [0, 1];
        let plain = moments(&rows, &kept, &y);
        let weighted = weighted_moments(&patterns(&rows, &kept), &[1; 5], &y).unwrap();
        for (a, b) in plain
            .outcome_correlations
            .iter()
            .zip(&weighted.outcome_correlations)
        {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
        assert!((plain.correlations.get(0, 1) - weighted.correlations.get(0, 1)).abs() < 1e-12);
    }

    #[test]
    fn a_count_of_two_is_the_row_given_twice() {
        let rows = vec![
            vec![1.0, 0.0],
            vec![0.0, 1.0],
            vec![1.0, 1.0],
            vec![0.0, 0.0],
        ];
        let y = [9.0, 3.0, 7.0, 5.0];
        let twice = vec![
            vec![1.0, 0.0],
            vec![1.0, 0.0],
            vec![0.0, 1.0],
            vec![1.0, 1.0],
            vec![0.0, 0.0],
        ];
        let y2 = [9.0, 9.0, 3.0, 7.0, 5.0];
        let plain = moments(&twice, &[0, 1], &y2);
        let weighted = weighted_moments(&patterns(&rows, &[0, 1]), &[2, 1, 1, 1], &y).unwrap();
        for (a, b) in plain
            .outcome_correlations
            .iter()
            .zip(&weighted.outcome_correlations)
        {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
    }

    #[test]
    fn percentiles_interpolate_like_numpy() {
        let s = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile(&s, 0.5), 3.0);
        assert!((percentile(&s, 0.025) - 1.1).abs() < 1e-12);
        assert!((percentile(&s, 0.975) - 4.9).abs() < 1e-12);
    }

    #[test]
    fn the_budget_cuts_resamples_for_many_shapley_drivers() {
        assert_eq!(affordable(1000, 50, 5, Method::ShapleyR2), RESAMPLES);
        assert!(affordable(1000, 50, 15, Method::ShapleyR2) < MIN_RESAMPLES);
        assert_eq!(affordable(1000, 50, 15, Method::RelativeWeights), RESAMPLES);
    }
}
