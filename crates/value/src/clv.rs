//! Customer lifetime value over a finite horizon: BG/NBD expected purchases × Gamma-Gamma
//! expected spend, discounted per step.
//!
//! CLV = margin · E[M | x, m_x] · Σ_{k=1..K} (E[Y(t_k) | x, t_x, T] − E[Y(t_{k−1}) | ·]) / (1 + d)^k
//!
//! with t_k = min(k · step, horizon), K = ⌈horizon / step⌉ and d the discount rate per step.
//! This is the discrete-time version `lifetimes` uses (there with monthly steps).

use serde::Serialize;

use crate::bgnbd::BgNbdParams;
use crate::error::{Result, ValueError};
use crate::gamma_gamma::GammaGammaParams;
use crate::summary::CustomerSummary;

/// How CLV is discounted and over what horizon; all times in model periods.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClvOptions {
    /// Forecast horizon in periods (e.g. 52 weeks).
    pub horizon: f64,
    /// Length of one discounting step in periods (e.g. 52/12 weeks = one month).
    pub step: f64,
    /// Discount rate per step (e.g. 0.01 per month ≈ 12.7 % a year).
    pub discount_rate: f64,
    /// Profit margin applied to revenue (1.0 = revenue CLV).
    pub margin: f64,
}

impl ClvOptions {
    /// One year ahead in weekly periods, monthly steps, 1 % per month, revenue.
    pub fn yearly_weeks() -> ClvOptions {
        ClvOptions {
            horizon: 52.0,
            step: 52.0 / 12.0,
            discount_rate: 0.01,
            margin: 1.0,
        }
    }

    fn validate(&self) -> Result<()> {
        let ok = self.horizon >= 0.0
            && self.step > 0.0
            && self.discount_rate > -1.0
            && self.horizon.is_finite()
            && self.margin.is_finite();
        if ok {
            Ok(())
        } else {
            Err(ValueError::InvalidArgument(format!(
                "clv options need horizon >= 0, step > 0, discount rate > -1: {self:?}"
            )))
        }
    }
}

/// A customer's predicted value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CustomerValue {
    pub probability_alive: f64,
    /// Expected repeat purchases over the CLV horizon.
    pub expected_purchases: f64,
    /// E[M | x, m_x]; `None` without a spend model or when q ≤ 1.
    pub expected_spend: Option<f64>,
    /// Discounted value over the horizon; `None` when the spend is unknown.
    pub clv: Option<f64>,
}

/// Discounted expected purchases Σ_k ΔE[Y(t_k)] / (1 + d)^k (the CLV before spend and margin).
pub fn discounted_expected_purchases(
    bg: &BgNbdParams,
    s: &CustomerSummary,
    opts: &ClvOptions,
) -> Result<f64> {
    opts.validate()?;
    let steps = (opts.horizon / opts.step).ceil() as usize;
    let (mut total, mut prev) = (0.0, 0.0);
    let mut factor = 1.0;
    for k in 1..=steps {
        let t = (k as f64 * opts.step).min(opts.horizon);
        let e = bg.expected_purchases(t, s.frequency, s.recency, s.t);
        factor /= 1.0 + opts.discount_rate;
        total += (e - prev) * factor;
        prev = e;
    }
    Ok(total)
}

/// CLV of one customer; `None` when the expected spend is undefined (q ≤ 1).
pub fn customer_lifetime_value(
    bg: &BgNbdParams,
    gg: &GammaGammaParams,
    s: &CustomerSummary,
    opts: &ClvOptions,
) -> Result<Option<f64>> {
    let purchases = discounted_expected_purchases(bg, s, opts)?;
    let spend = gg.expected_average_spend(s.frequency, s.monetary_value.unwrap_or(0.0));
    Ok(spend.map(|m| opts.margin * m * purchases))
}

/// Scores every customer: P(alive), expected purchases over the horizon, spend and CLV.
pub fn score_customers(
    bg: &BgNbdParams,
    gg: Option<&GammaGammaParams>,
    summaries: &[CustomerSummary],
    opts: &ClvOptions,
) -> Result<Vec<CustomerValue>> {
    opts.validate()?;
    summaries
        .iter()
        .map(|s| {
            let spend = gg.and_then(|g| {
                g.expected_average_spend(s.frequency, s.monetary_value.unwrap_or(0.0))
            });
            let clv = match spend {
                Some(m) => Some(opts.margin * m * discounted_expected_purchases(bg, s, opts)?),
                None => None,
            };
            Ok(CustomerValue {
                probability_alive: bg.probability_alive(s.frequency, s.recency, s.t),
                expected_purchases: bg.expected_purchases(
                    opts.horizon,
                    s.frequency,
                    s.recency,
                    s.t,
                ),
                expected_spend: spend,
                clv,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BG: BgNbdParams = BgNbdParams {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };
    const GG: GammaGammaParams = GammaGammaParams {
        p: 6.25,
        q: 3.74,
        v: 15.44,
    };

    #[test]
    fn undiscounted_clv_is_expected_purchases_times_spend() {
        let s = CustomerSummary {
            frequency: 2,
            recency: 30.43,
            t: 38.86,
            monetary_value: Some(22.35),
        };
        let opts = ClvOptions {
            horizon: 52.0,
            step: 5.0, // 52 is not a multiple: the last step is truncated
            discount_rate: 0.0,
            margin: 1.0,
        };
        let clv = customer_lifetime_value(&BG, &GG, &s, &opts)
            .unwrap()
            .unwrap();
        let want = BG.expected_purchases(52.0, 2, 30.43, 38.86)
            * GG.expected_average_spend(2, 22.35).unwrap();
        assert!((clv - want).abs() < 1e-10, "{clv} vs {want}");
    }

    #[test]
    fn discounting_matches_hand_sum_and_lowers_value() {
        let s = CustomerSummary::new(0, 0.0, 10.0);
        let opts = ClvOptions {
            horizon: 2.0,
            step: 1.0,
            discount_rate: 0.1,
            margin: 0.5,
        };
        let e1 = BG.expected_purchases(1.0, 0, 0.0, 10.0);
        let e2 = BG.expected_purchases(2.0, 0, 0.0, 10.0);
        let want = e1 / 1.1 + (e2 - e1) / 1.21;
        let got = discounted_expected_purchases(&BG, &s, &opts).unwrap();
        assert!((got - want).abs() < 1e-14);
        let clv = customer_lifetime_value(&BG, &GG, &s, &opts)
            .unwrap()
            .unwrap();
        assert!((clv - 0.5 * want * GG.population_mean_spend().unwrap()).abs() < 1e-12);
        let bad = ClvOptions { step: 0.0, ..opts };
        assert!(discounted_expected_purchases(&BG, &s, &bad).is_err());
    }

    #[test]
    fn scores_customers() {
        let s = [
            CustomerSummary::new(0, 0.0, 38.0),
            CustomerSummary::new(5, 10.0, 38.0),
        ];
        let v = score_customers(&BG, Some(&GG), &s, &ClvOptions::yearly_weeks()).unwrap();
        assert_eq!(v[0].probability_alive, 1.0);
        assert!(
            v[1].probability_alive < 0.5,
            "long silence after frequent buying"
        );
        assert!(v.iter().all(|c| c.clv.unwrap() > 0.0));
        let no_spend = score_customers(&BG, None, &s, &ClvOptions::yearly_weeks()).unwrap();
        assert!(no_spend[0].clv.is_none());
    }
}
