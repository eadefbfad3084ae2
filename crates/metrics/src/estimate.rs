//! The [`Estimate`] every KPI returns (value, n, standard error, 95% CI, small-sample flag) and
//! the few distribution functions the rest of the crate shares (normal, Student t, binomial).
//!
//! Degenerate inputs: an estimate over nothing is [`Estimate::empty`] (n = 0, zeros everywhere,
//! flagged `small_sample`) rather than NaN, so every figure serialises and compares cleanly;
//! callers tell "no data" apart with [`Estimate::is_empty`].

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};
use statrs::function::beta::beta_reg;
use statrs::function::erf::erfc;

/// Below this many observations an estimate is flagged `small_sample`: the rule of thumb under
/// which normal approximations (and readers' intuitions) are unreliable.
pub const SMALL_SAMPLE: u64 = 30;

/// The two-sided 95% normal critical value, Φ⁻¹(0.975).
pub const Z95: f64 = 1.959_963_984_540_054;

/// A point estimate with its sample size, standard error and 95% confidence interval.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Estimate {
    pub value: f64,
    pub n: u64,
    pub se: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// `n < SMALL_SAMPLE`: show it, but do not draw conclusions from it.
    pub small_sample: bool,
}

impl Estimate {
    /// The estimate over no data: n = 0, value, se and interval all 0, flagged small.
    pub fn empty() -> Self {
        Estimate {
            value: 0.0,
            n: 0,
            se: 0.0,
            ci_low: 0.0,
            ci_high: 0.0,
            small_sample: true,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Builds an estimate and sets `small_sample` from `n`, so the flag has one definition.
    pub(crate) fn new(value: f64, n: u64, se: f64, ci_low: f64, ci_high: f64) -> Self {
        Estimate {
            value,
            n,
            se,
            ci_low,
            ci_high,
            small_sample: n < SMALL_SAMPLE,
        }
    }
}

/// Two-sided p-value of a standard-normal statistic: 2·(1 − Φ(|z|)) = erfc(|z|/√2).
pub(crate) fn normal_two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2).clamp(0.0, 1.0)
}

/// Two-sided p-value of a Student-t statistic with `df` degrees of freedom:
/// P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2) (Abramowitz & Stegun 26.7.1 via 26.5.27).
/// `None` when df is not a positive finite number.
pub(crate) fn t_two_sided_p(t: f64, df: f64) -> Option<f64> {
    if !(df.is_finite() && df > 0.0 && t.is_finite()) {
        return None;
    }
    Some(beta_reg(df / 2.0, 0.5, df / (df + t * t)).clamp(0.0, 1.0))
}

/// The 0.975 quantile of Student t with `df` degrees of freedom (the 95% two-sided critical
/// value); `None` when df is not positive and finite.
pub(crate) fn t_critical_95(df: f64) -> Option<f64> {
    if !(df.is_finite() && df > 0.0) {
        return None;
    }
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    let t = dist.inverse_cdf(0.975);
    t.is_finite().then_some(t)
}

/// Binomial CDF P(X ≤ k) for X ~ Binomial(n, p), via the regularized incomplete beta
/// identity P(X ≤ k) = I_{1−p}(n − k, k + 1) (Abramowitz & Stegun 26.5.24).
pub(crate) fn binomial_cdf(k: u64, n: u64, p: f64) -> f64 {
    if k >= n || p <= 0.0 {
        return 1.0;
    }
    if p >= 1.0 {
        return 0.0;
    }
    beta_reg((n - k) as f64, k as f64 + 1.0, 1.0 - p).clamp(0.0, 1.0)
}

/// Binomial survival P(X ≥ k) = I_p(k, n − k + 1) for 1 ≤ k ≤ n.
pub(crate) fn binomial_sf_inclusive(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    beta_reg(k as f64, (n - k + 1) as f64, p).clamp(0.0, 1.0)
}

/// Smallest k in 0..=n with P(X ≤ k) ≥ q, X ~ Binomial(n, p) (R's `qbinom`), by bisection so
/// large n costs ~log₂ n CDF evaluations.
pub(crate) fn binomial_quantile(q: f64, n: u64, p: f64) -> u64 {
    let (mut lo, mut hi) = (0u64, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if binomial_cdf(mid, n, p) >= q {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, tol: f64) -> bool {
        (actual - expected).abs() <= tol
    }

    #[test]
    fn normal_p_values_match_tables() {
        // (z, two-sided p from standard normal tables)
        let cases = [
            (0.0, 1.0),
            (1.0, 0.3173),
            (1.959964, 0.0500),
            (2.575829, 0.0100),
            (-3.0, 0.0027),
        ];
        for (z, p) in cases {
            let got = normal_two_sided_p(z);
            assert!(close(got, p, 5e-5), "z = {z}: got {got}, want {p}");
        }
    }

    #[test]
    fn t_values_match_tables() {
        // Published t tables: t_{0.975, df} for df = 1, 4, 9, 29, 120.
        let crit = [
            (1.0, 12.7062),
            (4.0, 2.7764),
            (9.0, 2.2622),
            (29.0, 2.0452),
            (120.0, 1.9799),
        ];
        for (df, t) in crit {
            let got = t_critical_95(df).unwrap_or(f64::NAN);
            assert!(close(got, t, 5e-4), "df = {df}: got {got}, want {t}");
            // And the p-value at the critical value is 0.05 by definition.
            let p = t_two_sided_p(t, df).unwrap_or(f64::NAN);
            assert!(close(p, 0.05, 5e-5), "df = {df}: p at critical value = {p}");
        }
        assert_eq!(t_two_sided_p(1.0, 0.0), None);
        assert_eq!(t_critical_95(f64::NAN), None);
    }

    #[test]
    fn binomial_functions_match_hand_sums() {
        // Bin(10, 1/2): P(X ≤ 1) = (1 + 10)/1024 = 0.0107422; P(X ≤ 2) = 56/1024 = 0.0546875.
        // Bin(20, 0.2): P(X ≥ 10) = Σ_{i=10}^{20} C(20,i) 0.2^i 0.8^(20−i) = 0.0025948.
        assert!(close(binomial_cdf(1, 10, 0.5), 11.0 / 1024.0, 1e-12));
        assert!(close(binomial_cdf(2, 10, 0.5), 56.0 / 1024.0, 1e-12));
        assert!(close(
            binomial_sf_inclusive(10, 20, 0.2),
            0.002_594_827,
            1e-8
        ));
        assert_eq!(binomial_cdf(10, 10, 0.3), 1.0);
        assert_eq!(binomial_cdf(3, 10, 0.0), 1.0);
        assert_eq!(binomial_cdf(3, 10, 1.0), 0.0);
        assert_eq!(binomial_sf_inclusive(0, 10, 0.3), 1.0);
        assert_eq!(binomial_sf_inclusive(11, 10, 0.3), 0.0);
        // qbinom(0.025, 10, 0.5) = 2 and qbinom(0.975, 10, 0.5) = 8 (F(7) = 0.9453, F(8) = 0.9893).
        assert_eq!(binomial_quantile(0.025, 10, 0.5), 2);
        assert_eq!(binomial_quantile(0.975, 10, 0.5), 8);
    }

    #[test]
    fn empty_estimate_is_flagged() {
        let e = Estimate::empty();
        assert!(e.is_empty() && e.small_sample);
        assert_eq!((e.value, e.se, e.ci_low, e.ci_high), (0.0, 0.0, 0.0, 0.0));
        assert!(!Estimate::new(1.0, SMALL_SAMPLE, 0.1, 0.8, 1.2).small_sample);
        assert!(Estimate::new(1.0, SMALL_SAMPLE - 1, 0.1, 0.8, 1.2).small_sample);
    }
}
