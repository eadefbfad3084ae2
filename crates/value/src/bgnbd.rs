//! BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"): the likelihood
//! with its analytic gradient, the maximum-likelihood fit, and per-customer predictions.
//!
//! Model: while alive a customer buys as Poisson(λ), λ ~ Gamma(r, α); after every purchase
//! they drop out with probability p, p ~ Beta(a, b). For a customer with x repeat purchases,
//! last at t_x, observed for T:
//!
//! L = Γ(r+x) α^r / Γ(r) · B(a, b+x)/B(a, b) · [ (α+T)^-(r+x) + 1{x>0} a/(b+x-1) (α+t_x)^-(r+x) ]
//!
//! (the Beta ratio is written with Γ's in the code).

use serde::Serialize;

use crate::error::{Result, ValueError};
use crate::optim::{self, Objective};
use crate::special::{digamma, hyp2f1, ln_gamma};
use crate::summary::CustomerSummary;

/// Fewest customers we accept for a BG/NBD fit.
pub const MIN_CUSTOMERS: usize = 30;
/// Fewest repeat purchasers (frequency > 0) we accept for a BG/NBD fit.
pub const MIN_REPEATERS: usize = 5;

/// BG/NBD parameters (or their standard errors, in [`BgNbdFit::std_errors`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BgNbdParams {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

/// A fitted BG/NBD model.
#[derive(Debug, Clone, Serialize)]
pub struct BgNbdFit {
    pub params: BgNbdParams,
    /// Standard errors from the inverse observed information (delta method from log space).
    pub std_errors: BgNbdParams,
    /// Covariance of (r, alpha, a, b).
    pub covariance: Vec<Vec<f64>>,
    pub log_likelihood: f64,
    pub n_customers: usize,
    pub n_repeaters: usize,
    /// Distinct (x, t_x, T) triples the likelihood actually loops over.
    pub n_distinct: usize,
    pub iterations: u64,
}

/// Customers aggregated by identical (x, t_x, T), grouped by x, with t_x and T values indexed
/// so each likelihood evaluation takes one log per distinct value instead of per customer.
#[derive(Debug, Clone)]
pub struct BgNbdData {
    groups: Vec<Group>,
    rows: Vec<Row>,
    tx_values: Vec<f64>,
    t_values: Vec<f64>,
    n_customers: usize,
    n_repeaters: usize,
}

#[derive(Debug, Clone, Copy)]
struct Group {
    x: f64,
    weight: f64,
    start: usize,
    end: usize,
}

#[derive(Debug, Clone, Copy)]
struct Row {
    tx: u32,
    t: u32,
    weight: f64,
}

fn index_of(values: &[f64], v: f64) -> u32 {
    values.partition_point(|&u| u < v) as u32
}

fn distinct(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_unstable_by(f64::total_cmp);
    v.dedup();
    v
}

impl BgNbdData {
    /// Aggregates summaries (monetary values are ignored).
    pub fn from_summaries(summaries: &[CustomerSummary]) -> BgNbdData {
        // Recency is irrelevant when x = 0; zero it so those customers aggregate by T alone.
        // Non-negative floats order like their bit patterns, so integer keys sort fast.
        let mut keys: Vec<(u32, u64, u64)> = summaries
            .iter()
            .map(|s| {
                let tx = if s.frequency == 0 { 0.0 } else { s.recency };
                // `+ 0.0` folds -0.0 into 0.0 so equal values share one bit pattern.
                (s.frequency, (tx + 0.0).to_bits(), (s.t + 0.0).to_bits())
            })
            .collect();
        keys.sort_unstable();
        let mut unique: Vec<((u32, u64, u64), f64)> = Vec::new();
        for k in keys {
            match unique.last_mut() {
                Some((last, w)) if *last == k => *w += 1.0,
                _ => unique.push((k, 1.0)),
            }
        }
        let tx_values = distinct(unique.iter().map(|u| f64::from_bits(u.0 .1)).collect());
        let t_values = distinct(unique.iter().map(|u| f64::from_bits(u.0 .2)).collect());
        let mut groups: Vec<Group> = Vec::new();
        let mut rows: Vec<Row> = Vec::with_capacity(unique.len());
        for ((x, tx, t), weight) in unique {
            let x = f64::from(x);
            if groups.last().is_none_or(|g| g.x != x) {
                groups.push(Group {
                    x,
                    weight: 0.0,
                    start: rows.len(),
                    end: rows.len(),
                });
            }
            rows.push(Row {
                tx: index_of(&tx_values, f64::from_bits(tx)),
                t: index_of(&t_values, f64::from_bits(t)),
                weight,
            });
            let g = groups.last_mut().expect("group exists");
            g.weight += weight;
            g.end = rows.len();
        }
        BgNbdData {
            groups,
            rows,
            tx_values,
            t_values,
            n_customers: summaries.len(),
            n_repeaters: summaries.iter().filter(|s| s.frequency > 0).count(),
        }
    }

    /// Number of customers.
    pub fn n_customers(&self) -> usize {
        self.n_customers
    }

    /// Number of distinct (x, t_x, T) rows.
    pub fn n_distinct(&self) -> usize {
        self.rows.len()
    }

    /// Total log-likelihood at `params`.
    pub fn log_likelihood(&self, params: &BgNbdParams) -> f64 {
        let mut g = [0.0; 4];
        -self.nll_grad(&log_params(params), &mut g)
    }

    /// Gradient of the total log-likelihood with respect to (r, alpha, a, b).
    pub fn gradient(&self, params: &BgNbdParams) -> [f64; 4] {
        let mut g = [0.0; 4];
        self.nll_grad(&log_params(params), &mut g);
        let p = [params.r, params.alpha, params.a, params.b];
        [0, 1, 2, 3].map(|i| -g[i] / p[i])
    }
}

fn log_params(p: &BgNbdParams) -> [f64; 4] {
    [p.r.ln(), p.alpha.ln(), p.a.ln(), p.b.ln()]
}

impl Objective for BgNbdData {
    fn weight(&self) -> f64 {
        self.n_customers as f64
    }

    fn nll_grad(&self, phi: &[f64], grad: &mut [f64]) -> f64 {
        let (r, alpha, a, b) = (phi[0].exp(), phi[1].exp(), phi[2].exp(), phi[3].exp());
        let ln_alpha = phi[1];
        let ln_a = phi[2];
        // Per distinct T and t_x: ln(α + ·) and 1/(α + ·).
        let lt: Vec<(f64, f64)> = self
            .t_values
            .iter()
            .map(|&t| ((alpha + t).ln(), 1.0 / (alpha + t)))
            .collect();
        let ltx: Vec<(f64, f64)> = self
            .tx_values
            .iter()
            .map(|&t| ((alpha + t).ln(), 1.0 / (alpha + t)))
            .collect();
        let (lg_r, lg_b, lg_ab) = (ln_gamma(r), ln_gamma(b), ln_gamma(a + b));
        let (dg_r, dg_b, dg_ab) = (digamma(r), digamma(b), digamma(a + b));

        let (mut ll, mut g_r, mut g_al, mut g_a, mut g_b) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for grp in &self.groups {
            let x = grp.x;
            let rx = r + x;
            let w = grp.weight;
            // A1 + A2: terms depending only on x.
            ll += w
                * (ln_gamma(rx) - lg_r + r * ln_alpha + lg_ab + ln_gamma(b + x)
                    - lg_b
                    - ln_gamma(a + b + x));
            let dg_abx = digamma(a + b + x);
            g_r += w * (digamma(rx) - dg_r + ln_alpha);
            g_al += w * r / alpha;
            g_a += w * (dg_ab - dg_abx);
            g_b += w * (dg_ab + digamma(b + x) - dg_b - dg_abx);

            let rows = &self.rows[grp.start..grp.end];
            if x == 0.0 {
                for row in rows {
                    let (l, inv) = lt[row.t as usize];
                    ll -= row.weight * rx * l;
                    g_r -= row.weight * l;
                    g_al -= row.weight * rx * inv;
                }
                continue;
            }
            // ln of the bracket = logaddexp(A3, A4) with A3 = -(r+x) ln(α+T),
            // A4 = ln a - ln(b+x-1) - (r+x) ln(α+t_x); w3, w4 are their softmax weights.
            let c = ln_a - (b + x - 1.0).ln();
            let mut sw4 = 0.0;
            for row in rows {
                let (l3, inv3) = lt[row.t as usize];
                let (l4, inv4) = ltx[row.tx as usize];
                let a3 = -rx * l3;
                let a4 = c - rx * l4;
                let d = a4 - a3;
                let (lse, w3) = if d > 0.0 {
                    let e = (-d).exp();
                    (a4 + e.ln_1p(), e / (1.0 + e))
                } else {
                    let e = d.exp();
                    (a3 + e.ln_1p(), 1.0 / (1.0 + e))
                };
                let w4 = 1.0 - w3;
                ll += row.weight * lse;
                g_r -= row.weight * (w3 * l3 + w4 * l4);
                g_al -= row.weight * rx * (w3 * inv3 + w4 * inv4);
                sw4 += row.weight * w4;
            }
            g_a += sw4 / a;
            g_b -= sw4 / (b + x - 1.0);
        }
        // d/dφ = θ · d/dθ; negate for the NLL.
        grad[0] = -r * g_r;
        grad[1] = -alpha * g_al;
        grad[2] = -a * g_a;
        grad[3] = -b * g_b;
        -ll
    }
}

/// Fits BG/NBD by maximum likelihood. Refuses data too thin to identify the model.
pub fn fit_bgnbd(summaries: &[CustomerSummary]) -> Result<BgNbdFit> {
    fit_bgnbd_data(&BgNbdData::from_summaries(summaries))
}

/// Fits BG/NBD on already-aggregated data.
pub fn fit_bgnbd_data(data: &BgNbdData) -> Result<BgNbdFit> {
    if data.n_customers < MIN_CUSTOMERS {
        return Err(ValueError::TooFewCustomers {
            model: "BG/NBD",
            found: data.n_customers,
            needed: MIN_CUSTOMERS,
        });
    }
    if data.n_repeaters == 0 {
        return Err(ValueError::NoRepeaters { model: "BG/NBD" });
    }
    if data.n_repeaters < MIN_REPEATERS {
        return Err(ValueError::TooFewCustomers {
            model: "BG/NBD (repeat purchasers)",
            found: data.n_repeaters,
            needed: MIN_REPEATERS,
        });
    }
    // Start where `lifetimes` starts (all ones) so both land on the same optimum.
    let o = optim::fit(data, &[1.0, 1.0, 1.0, 1.0], "BG/NBD")?;
    let p = |v: &[f64]| BgNbdParams {
        r: v[0],
        alpha: v[1],
        a: v[2],
        b: v[3],
    };
    Ok(BgNbdFit {
        params: p(&o.params),
        std_errors: p(&o.std_errors),
        covariance: o.covariance.rows(),
        log_likelihood: o.log_likelihood,
        n_customers: data.n_customers,
        n_repeaters: data.n_repeaters,
        n_distinct: data.n_distinct(),
        iterations: o.iterations,
    })
}

impl BgNbdParams {
    /// One customer's log-likelihood.
    pub fn log_likelihood(&self, s: &CustomerSummary) -> f64 {
        BgNbdData::from_summaries(std::slice::from_ref(s)).log_likelihood(self)
    }

    /// ln of a/(b+x-1) · ((α+T)/(α+t_x))^(r+x): the odds of having dropped out.
    fn log_dead_odds(&self, x: u32, t_x: f64, t: f64) -> f64 {
        let x = f64::from(x);
        (self.a / (self.b + x - 1.0)).ln()
            + (self.r + x) * ((self.alpha + t).ln() - (self.alpha + t_x).ln())
    }

    /// P(alive | x, t_x, T). Customers without repeat purchases are alive by assumption
    /// (in BG/NBD dropout happens only right after a purchase).
    pub fn probability_alive(&self, x: u32, t_x: f64, t: f64) -> f64 {
        if x == 0 {
            return 1.0;
        }
        1.0 / (1.0 + self.log_dead_odds(x, t_x, t).exp())
    }

    /// E[Y(t) | x, t_x, T]: expected purchases in the next `t` periods (FHL 2005, eq. 10).
    pub fn expected_purchases(&self, horizon: f64, x: u32, t_x: f64, t: f64) -> f64 {
        if horizon <= 0.0 {
            return 0.0;
        }
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let xf = f64::from(x);
        let z = horizon / (alpha + t + horizon);
        let lead = (a + b + xf - 1.0) / (a - 1.0);
        let hyp = hyp2f1(r + xf, b + xf, a + b + xf - 1.0, z);
        let decay = ((r + xf) * ((alpha + t).ln() - (alpha + t + horizon).ln())).exp();
        let numer = lead * (1.0 - decay * hyp);
        if x == 0 {
            numer
        } else {
            numer / (1.0 + self.log_dead_odds(x, t_x, t).exp())
        }
    }

    /// E[X(t)] for a newly acquired customer (FHL 2005, eq. 9).
    pub fn expected_purchases_new_customer(&self, horizon: f64) -> f64 {
        self.expected_purchases(horizon, 0, 0.0, 0.0)
    }
}

#[cfg(test)]
mod tests;
