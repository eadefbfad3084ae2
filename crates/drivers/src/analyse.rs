//! The entry point: validate, fit the full model, split R², place drivers on the matrix.

use crate::bootstrap::intervals;
use crate::ols::full_model;
use crate::prepare::prepare;
use crate::priority::quadrants;
use crate::relative_weights::relative_weights;
use crate::shapley::shapley_r_squared;
use crate::{DriverData, DriverError, DriverReport, DriverResult, Method, OutcomePolarity};

/// Key driver analysis of `data` with `method`, for an outcome where higher is better
/// (NPS, CSAT). For churn use [`analyse_with`] and [`OutcomePolarity::LowerIsBetter`].
///
/// Constant drivers are dropped and listed in [`DriverReport::dropped`]. Refuses with
/// [`DriverError::TooFewRows`] when n < max(30, 5·k) for the k drivers that vary,
/// [`DriverError::TooManyDrivers`] above [`Method::max_drivers`], [`DriverError::NoVariance`]
/// for a constant outcome and [`DriverError::Collinear`] when a driver duplicates others.
pub fn analyse(data: &DriverData, method: Method) -> Result<DriverReport, DriverError> {
    analyse_with(data, method, OutcomePolarity::HigherIsBetter)
}

/// [`analyse`] with the outcome's polarity, which decides when a binary driver "hurts".
pub fn analyse_with(
    data: &DriverData,
    method: Method,
    polarity: OutcomePolarity,
) -> Result<DriverReport, DriverError> {
    analyse_inner(data, method, polarity, false)
}

/// [`analyse_with`], each importance share with its 95% bootstrap interval
/// ([`DriverResult::importance_ci`], `bootstrap.rs`) where the work budget allows.
pub fn analyse_with_intervals(
    data: &DriverData,
    method: Method,
    polarity: OutcomePolarity,
) -> Result<DriverReport, DriverError> {
    analyse_inner(data, method, polarity, true)
}

fn analyse_inner(
    data: &DriverData,
    method: Method,
    polarity: OutcomePolarity,
    with_intervals: bool,
) -> Result<DriverReport, DriverError> {
    let prepared = prepare(data, method)?;
    let bootstrap = with_intervals
        .then(|| intervals(&data.rows, &prepared.kept, &data.outcome, method))
        .flatten();
    let moments = &prepared.moments;
    let collinear = |index: usize| DriverError::Collinear {
        name: prepared.drivers[index].name.clone(),
    };
    let model = full_model(moments).map_err(collinear)?;
    let raw = match method {
        Method::ShapleyR2 => {
            shapley_r_squared(&moments.correlations, &moments.outcome_correlations)
                .map_err(collinear)?
        }
        Method::RelativeWeights => {
            relative_weights(&moments.correlations, &moments.outcome_correlations)
        }
    };
    // Rounding can leave a zero share at −1e-17; importance is non-negative by construction.
    let raw: Vec<f64> = raw.into_iter().map(|v| v.max(0.0)).collect();
    let total: f64 = raw.iter().sum();
    // With no explained variance there is nothing to share out: report zeros, not NaN.
    let importance: Vec<f64> = if total > 1e-12 {
        raw.iter().map(|v| v / total).collect()
    } else {
        vec![0.0; raw.len()]
    };
    let quadrant = quadrants(&prepared.drivers, &importance, polarity);

    let n = prepared.n as u64;
    let mut drivers: Vec<DriverResult> = prepared
        .drivers
        .iter()
        .enumerate()
        .map(|(j, facts)| DriverResult {
            name: facts.name.clone(),
            importance: importance[j],
            raw_importance: raw[j],
            coefficient: model.coefficients[j],
            performance: facts.mean,
            outcome_when_present: facts.outcome_when_present,
            outcome_when_absent: facts.outcome_when_absent,
            n_present: if facts.binary {
                facts.n_present as u64
            } else {
                n
            },
            quadrant: quadrant[j],
            importance_ci: bootstrap.as_ref().map(|(ci, _)| [ci[j].0, ci[j].1]),
        })
        .collect();
    // Stable sort: equal importances keep input order, so the report is deterministic.
    drivers.sort_by(|a, b| b.importance.total_cmp(&a.importance));

    Ok(DriverReport {
        method: method.description(),
        n,
        r_squared: model.r_squared,
        polarity,
        drivers,
        dropped: prepared.dropped,
        resamples: bootstrap.map_or(0, |(_, b)| b),
    })
}
