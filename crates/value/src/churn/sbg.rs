//! Shifted-beta-geometric retention model (Fader & Hardie 2007, "How to Project Customer
//! Retention"): each customer churns each period with probability θ, θ ~ Beta(α, β).
//!
//! P(T = t) = B(α+1, β+t−1) / B(α, β),  S(t) = B(α, β+t) / B(α, β),
//! retention rate r_t = S(t)/S(t−1) = (β+t−1)/(α+β+t−1).

use serde::Serialize;

use crate::error::{Result, ValueError};
use crate::optim::{self, Objective};
use crate::special::{digamma, ln_beta};

/// sBG parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SbgParams {
    pub alpha: f64,
    pub beta: f64,
}

/// A fitted sBG model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SbgFit {
    pub params: SbgParams,
    pub std_errors: SbgParams,
    pub log_likelihood: f64,
    pub n_customers: u64,
}

impl SbgParams {
    /// S(t): share of a starting cohort still active after `t` whole periods.
    pub fn survival(&self, t: u32) -> f64 {
        (ln_beta(self.alpha, self.beta + f64::from(t)) - ln_beta(self.alpha, self.beta)).exp()
    }

    /// r_t = S(t) / S(t−1) for t ≥ 1: the retention rate rises over time as the
    /// churn-prone leave (sorting), not because anyone's churn propensity changes.
    pub fn retention_rate(&self, t: u32) -> f64 {
        let t = f64::from(t.max(1));
        (self.beta + t - 1.0) / (self.alpha + self.beta + t - 1.0)
    }
}

/// Counts of customers lost in period t (t ≥ 1) and still active (censored) after period t.
#[derive(Debug, Clone, Default)]
struct SbgData {
    lost: Vec<(f64, f64)>,
    active: Vec<(f64, f64)>,
    n: f64,
}

impl Objective for SbgData {
    fn weight(&self) -> f64 {
        self.n
    }

    fn nll_grad(&self, phi: &[f64], grad: &mut [f64]) -> f64 {
        let (a, b) = (phi[0].exp(), phi[1].exp());
        let lb = ln_beta(a, b);
        let (dab, da, db) = (digamma(a + b), digamma(a), digamma(b));
        let (mut ll, mut ga, mut gb) = (0.0, 0.0, 0.0);
        for &(t, n) in &self.lost {
            let d = digamma(a + b + t);
            ll += n * (ln_beta(a + 1.0, b + t - 1.0) - lb);
            ga += n * (digamma(a + 1.0) - d - da + dab);
            gb += n * (digamma(b + t - 1.0) - d - db + dab);
        }
        for &(t, n) in &self.active {
            let d = digamma(a + b + t);
            ll += n * (ln_beta(a, b + t) - lb);
            ga += n * (dab - d);
            gb += n * (digamma(b + t) - d - db + dab);
        }
        grad[0] = -a * ga;
        grad[1] = -b * gb;
        -ll
    }
}

/// Fits sBG to individual observations: (whole periods observed, churned). A churned customer
/// with t = 3 left during period 3; an active one with t = 3 has renewed 3 times so far.
pub fn fit_sbg(observations: &[(u32, bool)]) -> Result<SbgFit> {
    let mut lost = std::collections::BTreeMap::<u32, f64>::new();
    let mut active = std::collections::BTreeMap::<u32, f64>::new();
    for &(t, churned) in observations {
        if churned {
            if t == 0 {
                return Err(ValueError::InvalidArgument(
                    "a churned customer needs at least 1 period (churn happens in period 1, 2, …)"
                        .into(),
                ));
            }
            *lost.entry(t).or_default() += 1.0;
        } else {
            *active.entry(t).or_default() += 1.0;
        }
    }
    let n = observations.len();
    if n < 10 {
        return Err(ValueError::TooFewCustomers {
            model: "sBG",
            found: n,
            needed: 10,
        });
    }
    if lost.is_empty() {
        return Err(ValueError::InvalidArgument(
            "no churn observed: the sBG model needs at least one churned customer".into(),
        ));
    }
    let data = SbgData {
        lost: lost.into_iter().map(|(t, c)| (f64::from(t), c)).collect(),
        active: active.into_iter().map(|(t, c)| (f64::from(t), c)).collect(),
        n: n as f64,
    };
    let o = optim::fit(&data, &[1.0, 1.0], "sBG")?;
    Ok(SbgFit {
        params: SbgParams {
            alpha: o.params[0],
            beta: o.params[1],
        },
        std_errors: SbgParams {
            alpha: o.std_errors[0],
            beta: o.std_errors[1],
        },
        log_likelihood: o.log_likelihood,
        n_customers: n as u64,
    })
}

/// Observations from a survivor table: `survivors[0]` customers start, `survivors[t]` are still
/// active after period t (non-increasing). Those left after the last period are censored.
pub fn sbg_from_survivors(survivors: &[u64]) -> Result<Vec<(u32, bool)>> {
    if survivors.len() < 2 || survivors.windows(2).any(|w| w[1] > w[0]) {
        return Err(ValueError::InvalidArgument(
            "survivor counts need at least two periods and must not increase".into(),
        ));
    }
    let mut out = Vec::with_capacity(survivors[0] as usize);
    for (t, w) in survivors.windows(2).enumerate() {
        out.extend(std::iter::repeat_n(
            ((t + 1) as u32, true),
            (w[0] - w[1]) as usize,
        ));
    }
    let last = survivors.len() - 1;
    out.extend(std::iter::repeat_n(
        (last as u32, false),
        survivors[last] as usize,
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms() {
        let p = SbgParams {
            alpha: 1.0,
            beta: 1.0,
        };
        // θ ~ Uniform: S(t) = 1/(t+1), r_t = t/(t+1).
        assert!((p.survival(3) - 0.25).abs() < 1e-14);
        assert!((p.retention_rate(3) - 0.75).abs() < 1e-15);
    }

    #[test]
    fn reproduces_fader_hardie_2007() {
        // "How to Project Customer Retention" (2007), 7 years of survivors per 1000.
        let regular = [1000, 631, 468, 382, 326, 289, 262, 241];
        let fit = fit_sbg(&sbg_from_survivors(&regular).unwrap()).unwrap();
        assert!((fit.params.alpha - 0.704).abs() < 5e-4, "{:?}", fit.params);
        assert!((fit.params.beta - 1.182).abs() < 5e-4, "{:?}", fit.params);
        let high_end = [1000, 869, 743, 653, 593, 551, 517, 491];
        let fit = fit_sbg(&sbg_from_survivors(&high_end).unwrap()).unwrap();
        assert!((fit.params.alpha - 0.668).abs() < 5e-4, "{:?}", fit.params);
        assert!((fit.params.beta - 3.806).abs() < 5e-3, "{:?}", fit.params);
    }

    #[test]
    fn refuses_bad_input() {
        assert!(sbg_from_survivors(&[10, 11]).is_err());
        assert!(fit_sbg(&[(2, false); 20]).is_err());
        assert!(fit_sbg(&[(1, true); 3]).is_err());
    }
}
