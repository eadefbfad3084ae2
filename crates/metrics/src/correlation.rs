//! Pearson's correlation between two measures across units (stores, teams), with a
//! Fisher z interval and the t test of r = 0: how an analyst judges whether employee
//! and customer experience move together across a handful of stores.

use serde::Serialize;

use crate::estimate::{t_two_sided_p, Z95};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Correlation {
    pub r: f64,
    /// Units (pairs) behind `r`.
    pub n: u64,
    /// 95% CI from Fisher's z transformation (atanh r ± 1.96 / √(n − 3)).
    pub ci_low: f64,
    pub ci_high: f64,
    /// Two-sided p of r = 0: t = r √((n − 2) / (1 − r²)) on n − 2 degrees of freedom.
    pub p_value: f64,
}

/// Pearson's r of the pairs; `None` with fewer than 4 pairs (no Fisher interval) or
/// when either measure does not vary. Non-finite pairs are skipped.
pub fn pearson(pairs: &[(f64, f64)]) -> Option<Correlation> {
    let pairs: Vec<(f64, f64)> = pairs
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    let n = pairs.len();
    if n < 4 {
        return None;
    }
    let (mx, my) = pairs
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let (mx, my) = (mx / n as f64, my / n as f64);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in &pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    let r = (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0);
    let half = Z95 / ((n - 3) as f64).sqrt();
    let z = r.clamp(-0.999_999_999, 0.999_999_999).atanh();
    let df = (n - 2) as f64;
    let p_value = if r.abs() >= 1.0 {
        0.0
    } else {
        t_two_sided_p(r * (df / (1.0 - r * r)).sqrt(), df)?
    };
    Some(Correlation {
        r,
        n: n as u64,
        ci_low: (z - half).tanh(),
        ci_high: (z + half).tanh(),
        p_value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_hand_computation() {
        // x = 1..8, y = 2 1 4 3 7 8 6 9: Σ(x−x̄)(y−ȳ) = 37, Σ(x−x̄)² = 42, Σ(y−ȳ)² = 40.875,
        // r = 37 / √(42 · 40.875) = 0.896421; z = 1.45 ± 1.96/√5; t = 4.9543 on 6 df.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let y = [2.0, 1.0, 4.0, 3.0, 7.0, 8.0, 6.0, 9.0];
        let pairs: Vec<(f64, f64)> = x.into_iter().zip(y).collect();
        let c = pearson(&pairs).unwrap();
        assert!((c.r - 0.896_421_457).abs() < 1e-8, "{c:?}");
        assert!((c.ci_low - 0.520_608_645).abs() < 1e-6, "{c:?}");
        assert!((c.ci_high - 0.981_252_774).abs() < 1e-6, "{c:?}");
        assert!((c.p_value - 0.002_566_77).abs() < 1e-6, "{c:?}");
        assert_eq!(c.n, 8);
    }

    #[test]
    fn refuses_what_it_cannot_estimate() {
        assert!(pearson(&[(1.0, 2.0), (2.0, 3.0), (3.0, 5.0)]).is_none());
        assert!(pearson(&[(1.0, 2.0), (1.0, 3.0), (1.0, 5.0), (1.0, 1.0)]).is_none());
        let perfect = pearson(&[(1.0, 2.0), (2.0, 4.0), (3.0, 6.0), (4.0, 8.0)]).unwrap();
        assert_eq!((perfect.r, perfect.p_value), (1.0, 0.0));
    }
}
