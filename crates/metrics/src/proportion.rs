//! Shares and rating means: [`proportion`] (Wilson interval), [`MeanAcc`] (Student t interval),
//! and the CSAT and CES accumulators built on them.

use serde::Serialize;

use crate::estimate::{t_critical_95, Estimate, Z95};

/// The share `successes / n` with the Wilson (1927) score interval, which stays inside [0, 1]
/// and keeps close to nominal coverage at small n and at 0% or 100%, where the Wald interval
/// collapses to a point (Brown, Cai & DasGupta 2001). `se` is the plain √(p(1−p)/n).
/// `successes > n` is a caller bug; it is clamped to `n` rather than panicking.
pub fn proportion(successes: u64, n: u64) -> Estimate {
    if n == 0 {
        return Estimate::empty();
    }
    let x = successes.min(n) as f64;
    let nf = n as f64;
    let p = x / nf;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    let se = (p * (1.0 - p) / nf).sqrt();
    // The Wilson interval always contains p; the clamps only undo rounding (0/7 would
    // otherwise start at 2.8e-17).
    let ci_low = (centre - half).clamp(0.0, p);
    let ci_high = (centre + half).clamp(p, 1.0);
    Estimate::new(p, n, se, ci_low, ci_high)
}

/// Running count, sum and sum of squares of a rating, mergeable across partitions (and
/// constructible from SQL's COUNT, SUM(x), SUM(x*x)). The sum-of-squares form loses precision
/// only when the spread is tiny relative to the values, which bounded rating scales never hit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct MeanAcc {
    pub n: u64,
    pub sum: f64,
    pub sum_sq: f64,
}

impl MeanAcc {
    /// Adds one value; non-finite values are ignored so one bad row cannot poison the mean.
    pub fn add(&mut self, x: f64) {
        if x.is_finite() {
            self.n += 1;
            self.sum += x;
            self.sum_sq += x * x;
        }
    }

    /// Adds `count` copies of `x` (used by the score-count accumulators).
    pub fn add_many(&mut self, x: f64, count: u64) {
        if x.is_finite() && count > 0 {
            let c = count as f64;
            self.n += count;
            self.sum += x * c;
            self.sum_sq += x * x * c;
        }
    }

    pub fn merge(&mut self, other: &Self) {
        self.n += other.n;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
    }

    /// The mean; `None` for no data.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }

    /// Sample variance s² (n − 1 denominator), floored at 0 against rounding; `None` for n < 2.
    pub fn variance(&self) -> Option<f64> {
        if self.n < 2 {
            return None;
        }
        let n = self.n as f64;
        Some(((self.sum_sq - self.sum * self.sum / n) / (n - 1.0)).max(0.0))
    }

    /// The mean with se = s/√n and the Student t interval mean ± t_{0.975, n−1}·se.
    /// With one observation the spread is unknown: se is 0 and the interval is the point itself
    /// (always flagged `small_sample`), rather than an infinite or NaN interval.
    pub fn estimate(&self) -> Estimate {
        let Some(mean) = self.mean() else {
            return Estimate::empty();
        };
        let (Some(var), Some(t)) = (self.variance(), t_critical_95(self.n as f64 - 1.0)) else {
            return Estimate::new(mean, self.n, 0.0, mean, mean);
        };
        let se = (var / self.n as f64).sqrt();
        Estimate::new(mean, self.n, se, mean - t * se, mean + t * se)
    }
}

/// CSAT on the 1..5 scale: counts per score (index 0 = score 1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CsatAcc {
    pub counts: [u64; 5],
}

impl CsatAcc {
    /// Counts a score in 1..=5; anything else is ignored (the edge validates scales).
    pub fn add(&mut self, score: u8) {
        if (1..=5).contains(&score) {
            self.counts[usize::from(score - 1)] += 1;
        }
    }

    pub fn merge(&mut self, other: &Self) {
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts) {
            *mine += theirs;
        }
    }

    pub fn n(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Top-2-box: the share of 4s and 5s, the usual headline CSAT.
    pub fn top2box(&self) -> Estimate {
        proportion(self.counts[3] + self.counts[4], self.n())
    }

    pub fn mean(&self) -> Estimate {
        scores_mean(&self.counts)
    }
}

/// Customer Effort Score on the 7-point agreement scale of CES 2.0 ("The company made it easy
/// for me to handle my issue", 1 = strongly disagree … 7 = strongly agree; Dixon, Toman &
/// DeLisi 2013). Higher is better: more agreement that it was easy. Index 0 = score 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CesAcc {
    pub counts: [u64; 7],
}

impl CesAcc {
    /// Counts a score in 1..=7; anything else is ignored (the edge validates scales).
    pub fn add(&mut self, score: u8) {
        if (1..=7).contains(&score) {
            self.counts[usize::from(score - 1)] += 1;
        }
    }

    pub fn merge(&mut self, other: &Self) {
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts) {
            *mine += theirs;
        }
    }

    pub fn n(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The share answering 5, 6 or 7: somewhat to strongly agree it was easy.
    pub fn low_effort(&self) -> Estimate {
        proportion(self.counts[4] + self.counts[5] + self.counts[6], self.n())
    }

    pub fn mean(&self) -> Estimate {
        scores_mean(&self.counts)
    }
}

/// Mean of a 1-based score scale given counts per score.
fn scores_mean(counts: &[u64]) -> Estimate {
    let mut acc = MeanAcc::default();
    for (score, &count) in (1u32..).zip(counts) {
        acc.add_many(f64::from(score), count);
    }
    acc.estimate()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(e: &Estimate, value: f64, n: u64, se: f64, ci: (f64, f64)) {
        let tol = 5e-5;
        assert_eq!(e.n, n, "{e:?}");
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
    fn wilson_intervals() {
        // Wilson: centre = (p + z²/2n)/(1 + z²/n), half = z/(1 + z²/n)·√(p(1−p)/n + z²/4n²),
        // z² = 3.841459.
        // 8/10: centre = 0.99207/1.38415 = 0.71674, half = 1.41601·√0.0256036 = 0.22658
        //       → (0.49016, 0.94332); R prop.test(8, 10, correct = FALSE) agrees.
        check(
            &proportion(8, 10),
            0.8,
            10,
            0.126_491,
            (0.490_163, 0.943_318),
        );
        // 0/10: centre = 0.19207/1.38415 = 0.13877 = half → (0, 0.27753).
        check(&proportion(0, 10), 0.0, 10, 0.0, (0.0, 0.277_533));
        // 10/10 mirrors 0/10.
        check(&proportion(10, 10), 1.0, 10, 0.0, (0.722_467, 1.0));
        // 50/100: centre 0.5, half = 1.95996/1.038415·√(0.0025 + 0.0000960) = 0.096168.
        check(&proportion(50, 100), 0.5, 100, 0.05, (0.403_832, 0.596_168));
        assert_eq!(proportion(3, 0), Estimate::empty());
        assert_eq!(proportion(12, 10).value, 1.0);
    }

    #[test]
    fn t_interval_of_a_mean() {
        // 1..5: mean 3, s² = (4+1+0+1+4)/4 = 2.5, se = √(2.5/5) = 0.707107,
        // t_{0.975,4} = 2.776445 → half = 1.963243.
        let mut acc = MeanAcc::default();
        for x in [1.0, 2.0, 3.0, 4.0, 5.0, f64::NAN] {
            acc.add(x);
        }
        check(
            &acc.estimate(),
            3.0,
            5,
            std::f64::consts::FRAC_1_SQRT_2,
            (1.036_757, 4.963_243),
        );
        // Merging two halves gives the same accumulator as adding everything.
        let (mut a, mut b) = (MeanAcc::default(), MeanAcc::default());
        [1.0, 2.0].into_iter().for_each(|x| a.add(x));
        [3.0, 4.0, 5.0].into_iter().for_each(|x| b.add(x));
        a.merge(&b);
        assert_eq!(a, acc);
        // One observation: the point, with no spread claimed.
        let mut one = MeanAcc::default();
        one.add(4.0);
        check(&one.estimate(), 4.0, 1, 0.0, (4.0, 4.0));
        assert_eq!(MeanAcc::default().estimate(), Estimate::empty());
    }

    #[test]
    fn csat_and_ces() {
        // CSAT scores 1,2,3,3,4,4,4,5,5,5 (and an invalid 0 and 6): top-2-box = 6/10;
        // mean = 36/10 = 3.6, Σx² = 1+4+18+48+75 = 146, s² = (146 − 129.6)/9 = 1.822222,
        // se = √0.1822222 = 0.426875, t_{0.975,9} = 2.262157 → half = 0.965658.
        let mut csat = CsatAcc::default();
        for s in [1, 2, 3, 3, 4, 4, 4, 5, 5, 5, 0, 6] {
            csat.add(s);
        }
        assert_eq!(csat.n(), 10);
        assert_eq!(csat.top2box(), proportion(6, 10));
        check(&csat.mean(), 3.6, 10, 0.426_875, (2.634_342, 4.565_658));

        // CES 7,6,5,4,2 (and an invalid 8): low effort = 3/5, mean = 24/5 = 4.8.
        let mut ces = CesAcc::default();
        for s in [7, 6, 5, 4, 2, 8] {
            ces.add(s);
        }
        let mut other = CesAcc::default();
        other.merge(&ces);
        assert_eq!(other.low_effort(), proportion(3, 5));
        assert!((other.mean().value - 4.8).abs() < 1e-12);
    }

    #[test]
    fn wilson_always_brackets_the_share() {
        // Property over every (x, n) with n ≤ 60: 0 ≤ low ≤ p ≤ high ≤ 1.
        for n in 1..=60 {
            for x in 0..=n {
                let e = proportion(x, n);
                assert!(0.0 <= e.ci_low && e.ci_low <= e.value, "{x}/{n}: {e:?}");
                assert!(e.value <= e.ci_high && e.ci_high <= 1.0, "{x}/{n}: {e:?}");
            }
        }
    }
}
