//! Subscription (membership) value: renewals are contractual, so they are modelled apart
//! from purchases — a shifted-beta-geometric retention model (Fader & Hardie 2007) on
//! renewal periods, with Kaplan–Meier beside it as the observed curve.

use throughline_value::churn::{fit_sbg, kaplan_meier, Duration, SbgFit};

use super::load::{Customer, DAY};

/// The fitted membership model.
pub(crate) struct Membership {
    /// Median days between consecutive renewals: the renewal period.
    pub period_days: f64,
    pub fit: SbgFit,
    pub members: usize,
    /// (period, observed share retained, its standard error) by Kaplan–Meier.
    pub observed: Vec<(u32, f64, f64)>,
}

/// Fewest renewal gaps from which a period is read.
const MIN_GAPS: usize = 10;

/// Members are customers with a renewal or a cancellation. A member who renewed t times and
/// is still here survived t periods; one who cancelled after t renewals left in period t + 1.
pub(crate) fn fit(customers: &[Customer]) -> Result<Membership, String> {
    let mut gaps: Vec<i64> = customers
        .iter()
        .flat_map(|c| {
            let renewals: Vec<i64> = c.paid.iter().filter(|p| p.renewal).map(|p| p.at).collect();
            renewals.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>()
        })
        .collect();
    if gaps.len() < MIN_GAPS {
        return Err(format!(
            "no subscriptions to model: {} intervals between renewals (need {MIN_GAPS})",
            gaps.len()
        ));
    }
    gaps.sort_unstable();
    let period_days = gaps[gaps.len() / 2] as f64 / DAY as f64;
    let observations: Vec<(u32, bool)> = customers.iter().filter_map(observation).collect();
    let fit = fit_sbg(&observations).map_err(|e| e.to_string())?;
    let durations: Vec<Duration> = observations
        .iter()
        .map(|&(t, churned)| Duration {
            time: f64::from(t),
            churned,
        })
        .collect();
    let observed = kaplan_meier(&durations)
        .map_err(|e| e.to_string())?
        .iter()
        .filter(|p| p.churned > 0)
        .map(|p| (p.time as u32, p.survival, p.std_error))
        .collect();
    Ok(Membership {
        period_days,
        fit,
        members: observations.len(),
        observed,
    })
}

fn observation(c: &Customer) -> Option<(u32, bool)> {
    let renewals = c.paid.iter().filter(|p| p.renewal).count() as u32;
    match c.cancelled_at {
        Some(_) => Some((renewals + 1, true)),
        None if renewals > 0 => Some((renewals, false)),
        None => None,
    }
}

impl Membership {
    /// Expected discounted renewal revenue over `horizon_days` for a member still here:
    /// Σ_k fee · S(t+k)/S(t) / (1+d)^(months to renewal k), t = renewals so far.
    pub fn value(&self, c: &Customer, horizon_days: f64, monthly_discount: f64) -> Option<f64> {
        if c.cancelled_at.is_some() {
            return None;
        }
        let renewals: Vec<_> = c.paid.iter().filter(|p| p.renewal).collect();
        let fee = renewals.last()?.amount;
        let t = renewals.len() as u32;
        let p = &self.fit.params;
        let now = p.survival(t);
        if now <= 0.0 {
            return Some(0.0);
        }
        let due = (horizon_days / self.period_days).floor() as u32;
        let months_per_period = self.period_days / 30.44;
        Some(
            (1..=due)
                .map(|k| {
                    let months = f64::from(k) * months_per_period;
                    fee * p.survival(t + k) / now / (1.0 + monthly_discount).powf(months)
                })
                .sum(),
        )
    }
}
