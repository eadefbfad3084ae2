//! Count anomalies ("complaints about delivery for brand B up 40% this week, p < 0.01"): each
//! series' current-period count tested against its own recent baseline rate, with
//! Benjamini–Hochberg control across all series scanned.

use serde::Serialize;

use crate::compare::{benjamini_hochberg, ALPHA};
use crate::estimate::{binomial_cdf, binomial_sf_inclusive};

/// Counts of one thing (a theme, a touchpoint × brand …) per period, oldest first; the last
/// period is the current one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountSeries {
    pub key: String,
    pub counts: Vec<u64>,
    /// Denominators per period (e.g. all signals that period), same length as `counts`, so a
    /// busier week is not mistaken for a spike. Empty: every period weighs the same.
    pub exposure: Vec<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum Direction {
    Up,
    Down,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Anomaly {
    pub key: String,
    pub current: u64,
    /// The baseline rate scaled to the current period's exposure.
    pub expected: f64,
    /// current/expected − 1; +∞ when the baseline saw nothing (a new issue), never NaN.
    pub change: f64,
    pub p_value: f64,
    pub q_value: f64,
    pub direction: Direction,
    /// Total count over the baseline periods actually used.
    pub baseline_total: u64,
    /// Baseline periods used: `baseline_periods`, or fewer when the series is shorter.
    pub baseline_periods: usize,
}

/// Scans `series` for a current period out of line with the previous `baseline_periods`
/// periods (fewer if that is all a series has).
///
/// Test: for Poisson counts with rates proportional to exposure, the current count c given the
/// total c + b is Binomial(c + b, e_c/(e_c + e_b)) under H0 (same rate), which makes an exact
/// test free of the unknown rate (Przyborowski & Wileński 1940; Lehmann & Romano, Testing
/// Statistical Hypotheses, §4.5). The p-value is two-sided, twice the smaller tail, capped at 1,
/// so a drop is found as readily as a spike; `direction` says which.
///
/// Series where neither the current count nor the expected count reaches `min_count` are not
/// tested at all, so rare keys do not dilute the false-discovery control (independent filtering,
/// Bourgon, Gentleman & Huber 2010). Series with fewer than two periods, with no counts in
/// current and baseline, or whose exposures are not usable (wrong length, negative, non-finite,
/// or zero for the current period or the whole baseline) are skipped too.
///
/// The tested series' p-values are adjusted together (Benjamini & Hochberg 1995); returned are
/// those with q < ALPHA, sorted by q, then the largest |change|, then key.
pub fn detect(series: &[CountSeries], baseline_periods: usize, min_count: u64) -> Vec<Anomaly> {
    scan(series, baseline_periods, min_count).anomalies
}

/// What a scan tested and what it found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scan {
    /// Series that reached `min_count` and were tested: the size of the BH family.
    pub tested: usize,
    pub anomalies: Vec<Anomaly>,
}

/// `detect`, also saying how many series were tested (and so controlled for).
pub fn scan(series: &[CountSeries], baseline_periods: usize, min_count: u64) -> Scan {
    if baseline_periods == 0 {
        return Scan {
            tested: 0,
            anomalies: Vec::new(),
        };
    }
    let mut tested: Vec<Anomaly> = series
        .iter()
        .filter_map(|s| test_series(s, baseline_periods))
        .filter(|a| a.current >= min_count || a.expected >= min_count as f64)
        .collect();
    let family = tested.len();
    let p_values: Vec<f64> = tested.iter().map(|a| a.p_value).collect();
    for (a, q) in tested.iter_mut().zip(benjamini_hochberg(&p_values)) {
        a.q_value = q;
    }
    tested.retain(|a| a.q_value < ALPHA);
    tested.sort_by(|a, b| {
        a.q_value
            .total_cmp(&b.q_value)
            .then(b.change.abs().total_cmp(&a.change.abs()))
            .then_with(|| a.key.cmp(&b.key))
    });
    Scan {
        tested: family,
        anomalies: tested,
    }
}

/// Two-sided exact conditional p-value for `current` events against `baseline` events when,
/// under H0, each event falls in the current period with probability `share`.
pub fn conditional_rate_p(current: u64, baseline: u64, share: f64) -> f64 {
    let total = current + baseline;
    let lower = binomial_cdf(current, total, share);
    let upper = binomial_sf_inclusive(current, total, share);
    (2.0 * lower.min(upper)).min(1.0)
}

fn test_series(s: &CountSeries, baseline_periods: usize) -> Option<Anomaly> {
    let len = s.counts.len();
    if len < 2 {
        return None;
    }
    let k = baseline_periods.min(len - 1);
    let window = len - 1 - k..len - 1;
    let current = s.counts[len - 1];
    let baseline_total: u64 = s.counts[window.clone()].iter().sum();
    let (e_current, e_baseline) = if s.exposure.is_empty() {
        (1.0, k as f64)
    } else if s.exposure.len() == len {
        let used = &s.exposure[len - 1 - k..];
        if used.iter().any(|e| !e.is_finite() || *e < 0.0) {
            return None;
        }
        (s.exposure[len - 1], s.exposure[window].iter().sum())
    } else {
        return None;
    };
    if current + baseline_total == 0 || e_current <= 0.0 || e_baseline <= 0.0 {
        return None;
    }
    let expected = baseline_total as f64 * e_current / e_baseline;
    let change = if expected > 0.0 {
        current as f64 / expected - 1.0
    } else {
        f64::INFINITY
    };
    let share = e_current / (e_current + e_baseline);
    Some(Anomaly {
        key: s.key.clone(),
        current,
        expected,
        change,
        p_value: conditional_rate_p(current, baseline_total, share),
        q_value: 1.0,
        direction: if current as f64 >= expected {
            Direction::Up
        } else {
            Direction::Down
        },
        baseline_total,
        baseline_periods: k,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(key: &str, counts: &[u64]) -> CountSeries {
        CountSeries {
            key: key.to_string(),
            counts: counts.to_vec(),
            exposure: Vec::new(),
        }
    }

    /// Deterministic Poisson(λ) draws: a fixed LCG and Knuth's multiplication method.
    fn poisson_draws(seed: u64, lambda: f64, count: usize) -> Vec<u64> {
        let mut state = seed;
        let mut uniform = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        let limit = (-lambda).exp();
        (0..count)
            .map(|_| {
                let (mut k, mut product) = (0u64, uniform());
                while product > limit {
                    k += 1;
                    product *= uniform();
                }
                k
            })
            .collect()
    }

    #[test]
    fn p_value_by_hand() {
        // c = 10 against 2, 3, 2, 3 (b = 10, k = 4, equal exposure): share = 1/5, n = 20,
        // P(X ≥ 10) = Σ_{i=10}^{20} C(20, i) 0.2^i 0.8^(20−i) = 0.0025948, P(X ≤ 10) ≈ 0.9994,
        // so p = 2·0.0025948 = 0.0051897; expected = 10/4 = 2.5, change = 10/2.5 − 1 = +300%.
        let found = detect(&[series("delivery", &[2, 3, 2, 3, 10])], 4, 5);
        assert_eq!(found.len(), 1);
        let a = &found[0];
        assert!((a.p_value - 0.005_189_655).abs() < 1e-8, "{a:?}");
        assert_eq!((a.q_value, a.expected, a.change), (a.p_value, 2.5, 3.0));
        assert_eq!(
            (a.direction, a.baseline_total, a.baseline_periods),
            (Direction::Up, 10, 4)
        );
        // No difference at all: c = 5 against 5 with equal exposure, share ½ → p = 1.
        assert_eq!(conditional_rate_p(5, 5, 0.5), 1.0);
    }

    #[test]
    fn exposure_explains_a_busy_week() {
        // Twice the counts in a week with twice the traffic is no anomaly …
        let busy = CountSeries {
            key: "busy".into(),
            counts: vec![20, 20, 20, 40],
            exposure: vec![100.0, 100.0, 100.0, 200.0],
        };
        // … but the same counts without the extra traffic are: expected 20, +100%.
        let spike = CountSeries {
            exposure: vec![100.0; 4],
            ..busy.clone()
        };
        let found = detect(&[busy, spike], 3, 5);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].expected, found[0].change), (20.0, 1.0));
        // Unusable exposure skips the series rather than guessing.
        let bad = CountSeries {
            key: "bad".into(),
            counts: vec![1, 1, 50],
            exposure: vec![1.0],
        };
        assert!(detect(&[bad], 2, 1).is_empty());
    }

    #[test]
    fn planted_spike_and_drop_among_noise() {
        // 200 flat Poisson(50) series over 9 weeks, plus a spike to 90 and a drop to 15.
        let mut all: Vec<CountSeries> = (0..200)
            .map(|i| CountSeries {
                key: format!("k{i:03}"),
                counts: poisson_draws(i, 50.0, 9),
                exposure: vec![],
            })
            .collect();
        let flat = detect(&all, 8, 5);
        assert!(flat.is_empty(), "false alarms: {flat:?}");
        all[17].counts[8] = 90;
        all[42].counts[8] = 15;
        let found = detect(&all, 8, 5);
        let keys: Vec<(&str, Direction)> = found
            .iter()
            .map(|a| (a.key.as_str(), a.direction))
            .collect();
        assert_eq!(
            keys,
            [("k042", Direction::Down), ("k017", Direction::Up)],
            "{found:?}"
        );
        assert!(found.windows(2).all(|w| w[0].q_value <= w[1].q_value));
    }

    #[test]
    fn degenerate_series() {
        let new_issue = series("new", &[0, 0, 0, 0, 12]);
        let found = detect(std::slice::from_ref(&new_issue), 4, 5);
        // share ⅕, all 12 in the current period: p = 2·0.2¹² = 8.2e-9; change is +∞.
        assert_eq!(found.len(), 1);
        assert!((found[0].p_value - 2.0 * 0.2_f64.powi(12)).abs() < 1e-15);
        assert_eq!((found[0].expected, found[0].change), (0.0, f64::INFINITY));
        // Below min_count on both sides: not tested. Too short, empty, or zero baseline periods.
        assert!(detect(&[series("rare", &[0, 0, 0, 0, 4])], 4, 5).is_empty());
        assert!(detect(&[series("short", &[9])], 4, 1).is_empty());
        assert!(detect(&[series("zero", &[0, 0, 0])], 2, 0).is_empty());
        assert!(detect(&[new_issue], 0, 5).is_empty());
    }
}
