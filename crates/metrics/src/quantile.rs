//! Quantiles of durations (response and resolution times, in seconds): the median and 90th
//! percentile with distribution-free confidence intervals, plus the mean.

use serde::Serialize;

use crate::estimate::binomial_quantile;

/// Median and p90 of a sample, each with a 95% interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantileSummary {
    pub n: u64,
    pub median: f64,
    pub median_ci: (f64, f64),
    pub p90: f64,
    pub p90_ci: (f64, f64),
    pub mean: f64,
}

/// Summarises `values`, sorting them in place. Non-finite values (NaN, ±∞) are ignored;
/// `None` when no finite value remains.
///
/// Point values use linear interpolation between order statistics, Hyndman & Fan (1996)
/// type 7, the default of R's `quantile` and numpy's `percentile`, so figures match what an
/// analyst gets from either. Intervals come from [`quantile_ci`].
pub fn median_p90(values: &mut [f64]) -> Option<QuantileSummary> {
    values.sort_unstable_by(f64::total_cmp);
    // total_cmp orders −NaN < −∞ < finite < +∞ < +NaN, so the finite values are contiguous.
    let start = values.iter().position(|v| v.is_finite())?;
    let end = values.iter().rposition(|v| v.is_finite())? + 1;
    let sorted = &values[start..end];
    let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
    Some(QuantileSummary {
        n: sorted.len() as u64,
        median: quantile_type7(sorted, 0.5)?,
        median_ci: quantile_ci(sorted, 0.5)?,
        p90: quantile_type7(sorted, 0.9)?,
        p90_ci: quantile_ci(sorted, 0.9)?,
        mean,
    })
}

/// The type-7 sample quantile of ascending `sorted` values: with h = (n − 1)·q,
/// x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋+1₎ − x₍⌊h⌋₎) (0-based). `None` for no values or q outside [0, 1].
pub fn quantile_type7(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&q) {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Distribution-free 95% interval for the q-quantile of ascending `sorted` values: the order
/// statistics (X₍l₎, X₍u₎) with l = qbinom(0.025; n, q) and u = qbinom(0.975; n, q) + 1
/// (1-based ranks). The number of observations below the true quantile is Binomial(n, q), so the
/// coverage F(u − 1) − F(l − 1) is at least 95% for any continuous distribution (Conover 1999,
/// §3.2; Hahn & Meeker 1991, ch. 5). For n = 100 this gives ranks 40 and 61 for the median, the
/// published values (Campbell & Gardner 1988).
///
/// When n is too small for a rank to exist (l = 0 or u = n + 1, e.g. the median with n < 6)
/// the end is clamped to the sample minimum or maximum: the interval is then the whole observed
/// range and its true coverage is below 95%. Callers flag small samples from `n`.
pub fn quantile_ci(sorted: &[f64], q: f64) -> Option<(f64, f64)> {
    let n = sorted.len() as u64;
    if n == 0 || !(0.0..=1.0).contains(&q) {
        return None;
    }
    let l = binomial_quantile(0.025, n, q).max(1);
    let u = (binomial_quantile(0.975, n, q) + 1).min(n);
    let at_rank = |rank: u64| sorted[(rank - 1) as usize];
    Some((at_rank(l), at_rank(u)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(mut values: Vec<f64>, expect: Option<QuantileSummary>) {
        let got = median_p90(&mut values);
        match (&got, &expect) {
            (Some(g), Some(e)) => {
                assert_eq!(
                    (g.n, g.median_ci, g.p90_ci),
                    (e.n, e.median_ci, e.p90_ci),
                    "{g:?}"
                );
                for (a, b) in [(g.median, e.median), (g.p90, e.p90), (g.mean, e.mean)] {
                    assert!((a - b).abs() < 1e-9, "got {g:?}, want {e:?}");
                }
            }
            _ => assert_eq!(got, expect),
        }
    }

    #[test]
    fn ten_values() {
        // 1..=10 shuffled, with junk that must be ignored.
        // Median: h = 9·0.5 = 4.5 → 5 + 0.5·(6 − 5) = 5.5 (R: quantile(1:10, .5) = 5.5).
        // p90: h = 8.1 → 9 + 0.1·1 = 9.1 (R: 9.1).
        // Median CI: Bin(10, ½): F(1) = 11/1024 < 0.025 ≤ F(2) = 56/1024 → l = 2;
        //   F(7) = 0.9453 < 0.975 ≤ F(8) = 0.9893 → u = 9; (x₍₂₎, x₍₉₎) = (2, 9), coverage 97.9%.
        // p90 CI: Bin(10, 0.9): F(6) = 0.0128 < 0.025 ≤ F(7) = 0.0702 → l = 7;
        //   F(9) = 1 − 0.9¹⁰ = 0.651 < 0.975 → qbinom = 10, u = 11 > n → clamped to x₍₁₀₎.
        let values = vec![
            7.0,
            3.0,
            f64::NAN,
            10.0,
            1.0,
            9.0,
            f64::INFINITY,
            2.0,
            8.0,
            5.0,
            4.0,
            6.0,
        ];
        let expect = QuantileSummary {
            n: 10,
            median: 5.5,
            median_ci: (2.0, 9.0),
            p90: 9.1,
            p90_ci: (7.0, 10.0),
            mean: 5.5,
        };
        check(values, Some(expect));
    }

    #[test]
    fn hundred_values() {
        // 1..=100: median 50.5; p90: h = 89.1 → 90.1. Median ranks (40, 61) as tabulated by
        // Campbell & Gardner (1988); p90: qbinom(0.025; 100, 0.9) = 84, qbinom(0.975) = 95 → (84, 96).
        let values: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let expect = QuantileSummary {
            n: 100,
            median: 50.5,
            median_ci: (40.0, 61.0),
            p90: 90.1,
            p90_ci: (84.0, 96.0),
            mean: 50.5,
        };
        check(values, Some(expect));
    }

    #[test]
    fn degenerate_samples() {
        check(vec![], None);
        check(vec![f64::NAN, -f64::NAN, f64::NEG_INFINITY], None);
        // One value: everything is that value.
        let one = QuantileSummary {
            n: 1,
            median: 42.0,
            median_ci: (42.0, 42.0),
            p90: 42.0,
            p90_ci: (42.0, 42.0),
            mean: 42.0,
        };
        check(vec![42.0], Some(one));
        // Five values: no rank pair reaches 95% for the median, so the interval is the range.
        let mut five = vec![5.0, 1.0, 3.0, 2.0, 4.0];
        let s = median_p90(&mut five);
        assert_eq!(s.map(|s| s.median_ci), Some((1.0, 5.0)));
        assert_eq!(quantile_type7(&[1.0], 1.5), None);
    }

    #[test]
    fn intervals_contain_the_point_and_stay_in_range() {
        // Property over n = 1..200 of a skewed sample (squares): min ≤ low ≤ q̂ ≤ high ≤ max.
        for n in 1..=200u32 {
            let mut v: Vec<f64> = (1..=n).map(|i| f64::from(i * i % 97)).collect();
            let Some(s) = median_p90(&mut v) else {
                panic!("n = {n}")
            };
            let (min, max) = (v[0], v[v.len() - 1]);
            for (point, (lo, hi)) in [(s.median, s.median_ci), (s.p90, s.p90_ci)] {
                assert!(
                    min <= lo && lo <= point && point <= hi && hi <= max,
                    "n = {n}: {s:?}"
                );
            }
        }
    }
}
