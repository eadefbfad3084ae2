//! Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves"):
//! likelihood with analytic gradient, maximum-likelihood fit of (p, q, v), and the
//! conditional expected average spend per customer.
//!
//! Model: a customer's transaction values are Gamma(p, ν) with ν ~ Gamma(q, v) across
//! customers. The mean m_x of x transactions has the marginal log-density
//!
//! ln f(m_x | x) = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln v + (px−1) ln m_x + px ln x
//!                 − (px+q) ln(v + x m_x)

use serde::Serialize;

use crate::error::{Result, ValueError};
use crate::optim::{self, Objective};
use crate::special::{digamma, ln_gamma};
use crate::summary::CustomerSummary;

/// Fewest customers (with repeat purchases and a positive spend) we accept.
pub const MIN_SPEND_CUSTOMERS: usize = 20;

/// Gamma-Gamma parameters (or their standard errors).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GammaGammaParams {
    pub p: f64,
    pub q: f64,
    pub v: f64,
}

/// A fitted Gamma-Gamma model.
#[derive(Debug, Clone, Serialize)]
pub struct GammaGammaFit {
    pub params: GammaGammaParams,
    pub std_errors: GammaGammaParams,
    pub covariance: Vec<Vec<f64>>,
    pub log_likelihood: f64,
    /// Customers used: frequency > 0 and monetary value > 0.
    pub n_customers: usize,
    pub iterations: u64,
}

/// Spend observations grouped by x, so per-x Γ/ψ terms and Σ ln m are computed once.
#[derive(Debug, Clone)]
pub struct GammaGammaData {
    groups: Vec<SpendGroup>,
    /// x · m_x per customer, ordered by group.
    xm: Vec<f64>,
}

#[derive(Debug, Clone, Copy)]
struct SpendGroup {
    x: f64,
    ln_x: f64,
    count: f64,
    sum_ln_m: f64,
    start: usize,
    end: usize,
}

impl GammaGammaData {
    /// Keeps customers with frequency > 0 and a positive monetary value; others carry no
    /// information about spend per repeat purchase.
    pub fn from_summaries(summaries: &[CustomerSummary]) -> GammaGammaData {
        let mut obs: Vec<(u32, f64)> = summaries
            .iter()
            .filter_map(|s| match s.monetary_value {
                Some(m) if s.frequency > 0 && m > 0.0 => Some((s.frequency, m)),
                _ => None,
            })
            .collect();
        obs.sort_unstable_by_key(|o| o.0);
        Self::from_pairs(&obs)
    }

    /// From (x, m_x) pairs sorted by x.
    fn from_pairs(obs: &[(u32, f64)]) -> GammaGammaData {
        let mut groups: Vec<SpendGroup> = Vec::new();
        let mut xm = Vec::with_capacity(obs.len());
        for &(x, m) in obs {
            let xf = f64::from(x);
            if groups.last().is_none_or(|g| g.x != xf) {
                groups.push(SpendGroup {
                    x: xf,
                    ln_x: xf.ln(),
                    count: 0.0,
                    sum_ln_m: 0.0,
                    start: xm.len(),
                    end: xm.len(),
                });
            }
            let g = groups.last_mut().expect("group exists");
            g.count += 1.0;
            g.sum_ln_m += m.ln();
            xm.push(xf * m);
            g.end = xm.len();
        }
        GammaGammaData { groups, xm }
    }

    /// Number of customers used.
    pub fn n_customers(&self) -> usize {
        self.xm.len()
    }

    /// Total log-likelihood at `params`.
    pub fn log_likelihood(&self, params: &GammaGammaParams) -> f64 {
        let mut g = [0.0; 3];
        -self.nll_grad(&[params.p.ln(), params.q.ln(), params.v.ln()], &mut g)
    }

    /// Gradient of the total log-likelihood with respect to (p, q, v).
    pub fn gradient(&self, params: &GammaGammaParams) -> [f64; 3] {
        let mut g = [0.0; 3];
        self.nll_grad(&[params.p.ln(), params.q.ln(), params.v.ln()], &mut g);
        [-g[0] / params.p, -g[1] / params.q, -g[2] / params.v]
    }
}

impl Objective for GammaGammaData {
    fn weight(&self) -> f64 {
        self.xm.len() as f64
    }

    fn nll_grad(&self, phi: &[f64], grad: &mut [f64]) -> f64 {
        let (p, q, v) = (phi[0].exp(), phi[1].exp(), phi[2].exp());
        let ln_v = phi[2];
        let (lg_q, dg_q) = (ln_gamma(q), digamma(q));
        let (mut ll, mut gp, mut gq, mut gv) = (0.0, 0.0, 0.0, 0.0);
        for g in &self.groups {
            let px = p * g.x;
            let (n, x) = (g.count, g.x);
            // Σ over the group's rows of ln(v + x m) and 1/(v + x m): the only per-row work.
            let (mut s_ln, mut s_inv) = (0.0, 0.0);
            for &xm in &self.xm[g.start..g.end] {
                let d = v + xm;
                s_ln += d.ln();
                s_inv += 1.0 / d;
            }
            let dg_pxq = digamma(px + q);
            ll += n * (ln_gamma(px + q) - ln_gamma(px) - lg_q + q * ln_v + px * g.ln_x)
                + (px - 1.0) * g.sum_ln_m
                - (px + q) * s_ln;
            gp += n * x * (dg_pxq - digamma(px) + g.ln_x) + x * g.sum_ln_m - x * s_ln;
            gq += n * (dg_pxq - dg_q + ln_v) - s_ln;
            gv += n * q / v - (px + q) * s_inv;
        }
        grad[0] = -p * gp;
        grad[1] = -q * gq;
        grad[2] = -v * gv;
        -ll
    }
}

/// Fits Gamma-Gamma on customers with repeat purchases and positive monetary value.
pub fn fit_gamma_gamma(summaries: &[CustomerSummary]) -> Result<GammaGammaFit> {
    fit_gamma_gamma_data(&GammaGammaData::from_summaries(summaries))
}

/// Fits Gamma-Gamma on prepared data.
pub fn fit_gamma_gamma_data(data: &GammaGammaData) -> Result<GammaGammaFit> {
    let n = data.n_customers();
    if n == 0 {
        return Err(ValueError::NoRepeaters {
            model: "Gamma-Gamma",
        });
    }
    if n < MIN_SPEND_CUSTOMERS {
        return Err(ValueError::TooFewCustomers {
            model: "Gamma-Gamma",
            found: n,
            needed: MIN_SPEND_CUSTOMERS,
        });
    }
    let o = optim::fit(data, &[1.0, 1.0, 1.0], "Gamma-Gamma")?;
    let mk = |v: &[f64]| GammaGammaParams {
        p: v[0],
        q: v[1],
        v: v[2],
    };
    Ok(GammaGammaFit {
        params: mk(&o.params),
        std_errors: mk(&o.std_errors),
        covariance: o.covariance.rows(),
        log_likelihood: o.log_likelihood,
        n_customers: n,
        iterations: o.iterations,
    })
}

impl GammaGammaParams {
    /// Population mean spend per transaction, p v / (q − 1); `None` when q ≤ 1 (no finite mean).
    pub fn population_mean_spend(&self) -> Option<f64> {
        (self.q > 1.0).then(|| self.p * self.v / (self.q - 1.0))
    }

    /// E[M | x, m_x] = p (v + x m_x) / (p x + q − 1): a weighted average of the population mean
    /// and the customer's own mean. With x = 0 this is the population mean.
    pub fn expected_average_spend(&self, x: u32, m_x: f64) -> Option<f64> {
        let xf = f64::from(x);
        let m = if x == 0 { 0.0 } else { m_x };
        (self.q > 1.0).then(|| self.p * (self.v + xf * m) / (self.p * xf + self.q - 1.0))
    }
}

#[cfg(test)]
mod tests;
