//! Net Promoter Score (and eNPS, which is the same arithmetic on employees): the counts, the
//! score on the −100..100 scale, its standard error and an adjusted-Wald interval.

use serde::Serialize;

use crate::estimate::{Estimate, Z95};

/// Promoters (9–10), passives (7–8) and detractors (0–6) of a 0..10 likelihood-to-recommend
/// question (Reichheld 2003).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct NpsCounts {
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
}

impl NpsCounts {
    /// Counts one 0..10 answer; anything above 10 is ignored (the edge validates scales).
    pub fn add(&mut self, score: u8) {
        match score {
            9..=10 => self.promoters += 1,
            7..=8 => self.passives += 1,
            0..=6 => self.detractors += 1,
            _ => {}
        }
    }

    pub fn n(&self) -> u64 {
        self.promoters + self.passives + self.detractors
    }

    pub fn merge(&mut self, other: &NpsCounts) {
        self.promoters += other.promoters;
        self.passives += other.passives;
        self.detractors += other.detractors;
    }

    /// `self` minus `other`, saturating at 0: the "rest" when `other` is a part of `self`.
    pub fn minus(&self, other: &NpsCounts) -> NpsCounts {
        NpsCounts {
            promoters: self.promoters.saturating_sub(other.promoters),
            passives: self.passives.saturating_sub(other.passives),
            detractors: self.detractors.saturating_sub(other.detractors),
        }
    }
}

/// NPS = 100·(p − d) with p, d the promoter and detractor shares.
///
/// Each answer scores +1, 0 or −1, so NPS/100 is a mean whose per-answer variance is
/// p + d − (p − d)²; the reported `se` is 100·√(var/n) (Rocks 2016, §2).
///
/// The interval is the adjusted Wald of Rocks (2016, "Interval Estimation for the 'Net Promoter
/// Score'", The American Statistician 70(4)), in the form Lewis & Sauro (MeasuringU, 2020–21)
/// evaluated: add 3 pseudo-answers, ¾ promoter, ¾ detractor and 1½ passive, recompute NPS and
/// its SE from the adjusted shares, take ±1.96·SE around the adjusted NPS, and clamp to
/// [−100, 100]. Like Agresti–Coull for a share, the pseudo-answers keep the interval from
/// collapsing to a point at 0 or 100% promoters and hold coverage at small n, where plain Wald
/// fails. `value` stays the plain NPS. The adjusted interval is pulled toward 0, so at tiny n it
/// can miss the plain NPS (one detractor: NPS −100, interval from −98.5); we then stretch the
/// nearer end to include it, so `ci_low ≤ value ≤ ci_high` always holds.
pub fn nps(c: &NpsCounts) -> Estimate {
    let n = c.n();
    if n == 0 {
        return Estimate::empty();
    }
    let nf = n as f64;
    let (p, d) = (c.promoters as f64 / nf, c.detractors as f64 / nf);
    let value = 100.0 * (p - d);
    let se = 100.0 * (score_variance(p, d) / nf).sqrt();

    let n_adj = nf + 3.0;
    let p_adj = (c.promoters as f64 + 0.75) / n_adj;
    let d_adj = (c.detractors as f64 + 0.75) / n_adj;
    let centre = 100.0 * (p_adj - d_adj);
    let half = Z95 * 100.0 * (score_variance(p_adj, d_adj) / n_adj).sqrt();
    let ci_low = (centre - half).max(-100.0).min(value);
    let ci_high = (centre + half).min(100.0).max(value);
    Estimate::new(value, n, se, ci_low, ci_high)
}

/// Variance of one answer's score (+1 / 0 / −1) given promoter and detractor shares,
/// E(X²) − E(X)² = (p + d) − (p − d)², floored at 0 against rounding.
pub fn score_variance(p: f64, d: f64) -> f64 {
    (p + d - (p - d) * (p - d)).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(promoters: u64, passives: u64, detractors: u64) -> NpsCounts {
        NpsCounts {
            promoters,
            passives,
            detractors,
        }
    }

    fn check(c: NpsCounts, value: f64, se: f64, ci: (f64, f64)) {
        let e = nps(&c);
        let tol = 5e-4;
        assert_eq!(e.n, c.n());
        assert!((e.value - value).abs() < tol, "value: {e:?} want {value}");
        assert!((e.se - se).abs() < tol, "se: {e:?} want {se}");
        assert!((e.ci_low - ci.0).abs() < tol, "ci_low: {e:?} want {}", ci.0);
        assert!(
            (e.ci_high - ci.1).abs() < tol,
            "ci_high: {e:?} want {}",
            ci.1
        );
    }

    #[test]
    fn nps_by_hand() {
        // 50/30/20 of 100: NPS = 30; var = 0.7 − 0.09 = 0.61, se = 100·√0.0061 = 7.8102.
        // Adjusted: n' = 103, p' = 50.75/103 = 0.492718, d' = 20.75/103 = 0.201456,
        // NPS' = 29.1262, var' = 0.694175 − 0.084834 = 0.609341, se' = √(0.609341/103)
        // = 0.0769149, half = 1.959964·7.69149 = 15.0750 → (14.0511, 44.2013).
        check(counts(50, 30, 20), 30.0, 7.8102, (14.0511, 44.2013));
        // 5 promoters only: NPS 100, se 0. Adjusted: n' = 8, p' = 0.71875, d' = 0.09375,
        // NPS' = 62.5, var' = 0.8125 − 0.390625 = 0.421875, se' = √(0.421875/8) = 0.229640,
        // half = 45.0086 → (17.4914, 107.5086), clamped high to 100.
        check(counts(5, 0, 0), 100.0, 0.0, (17.4914, 100.0));
        // Symmetric: 5 detractors only.
        check(counts(0, 0, 5), -100.0, 0.0, (-100.0, -17.4914));
        // 1/1/1: NPS 0, var = 2/3, se = 100·√(2/9) = 47.1405; adjusted n' = 6, p' = d' = 0.291667,
        // var' = 0.583333, se' = √(0.583333/6) = 0.311805, half = 61.1126.
        check(counts(1, 1, 1), 0.0, 47.1405, (-61.1126, 61.1126));
        // One detractor: NPS −100, se 0. Adjusted: n' = 4, p' = 0.1875, d' = 0.4375,
        // NPS' = −25, var' = 0.625 − 0.0625 = 0.5625, se' = √(0.5625/4) = 0.375,
        // half = 73.4986 → (−98.4986, 48.4986); the low end stretches to include −100.
        check(counts(0, 0, 1), -100.0, 0.0, (-100.0, 48.4986));
        assert_eq!(nps(&NpsCounts::default()), Estimate::empty());
    }

    #[test]
    fn counting_scores() {
        let mut c = NpsCounts::default();
        for s in 0..=11u8 {
            c.add(s);
        }
        // 0..6 detractors (7), 7..8 passives (2), 9..10 promoters (2), 11 ignored.
        assert_eq!(c, counts(2, 2, 7));
        let mut total = c;
        total.merge(&counts(1, 0, 0));
        assert_eq!(total, counts(3, 2, 7));
        assert_eq!(total.minus(&c), counts(1, 0, 0));
        // NPS = 100·(2 − 7)/11 = −45.4545.
        assert!((nps(&c).value + 500.0 / 11.0).abs() < 1e-9);
    }

    #[test]
    fn nps_is_bounded_and_bracketed() {
        // Property over every split with up to 24 answers per group: the score and interval
        // stay in [−100, 100], the interval contains the score, and the se is finite.
        for pro in 0..25 {
            for pas in 0..25 {
                for det in 0..25 {
                    let e = nps(&counts(pro, pas, det));
                    if e.is_empty() {
                        continue;
                    }
                    assert!((-100.0..=100.0).contains(&e.value), "{e:?}");
                    assert!(
                        -100.0 <= e.ci_low && e.ci_low <= e.value,
                        "{pro}/{pas}/{det} {e:?}"
                    );
                    assert!(
                        e.value <= e.ci_high && e.ci_high <= 100.0,
                        "{pro}/{pas}/{det} {e:?}"
                    );
                    assert!(e.se.is_finite() && e.se >= 0.0);
                }
            }
        }
    }
}
