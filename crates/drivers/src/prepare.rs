//! Checks the input and reduces it to what every method needs: correlations and per-driver facts.
//!
//! All methods here work on the correlation scale (standardised variables), where the R² of any
//! subset of drivers follows from the k×k predictor correlation matrix and the k correlations
//! with the outcome alone (e.g. Johnson & LeBreton 2004): the respondents are summarised once
//! and the 2^k subset models of the Shapley method never touch them again.

use crate::linalg::Matrix;
use crate::{rows_needed, DriverData, DriverError, Method};

/// The validated input, summarised.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Prepared {
    /// Respondents.
    pub n: usize,
    /// The analysed (non-constant) drivers, in input order.
    pub drivers: Vec<DriverFacts>,
    /// Names of constant drivers, in input order.
    pub dropped: Vec<String>,
    /// The input columns of `drivers`.
    pub kept: Vec<usize>,
    pub moments: Moments,
}

/// What the report says about one driver besides its importance.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DriverFacts {
    pub name: String,
    pub mean: f64,
    pub min: f64,
    pub max: f64,
    /// Every value is 0 or 1.
    pub binary: bool,
    /// Respondents with the value 1 (binary drivers only; 0 otherwise).
    pub n_present: usize,
    pub outcome_when_present: Option<f64>,
    pub outcome_when_absent: Option<f64>,
}

/// Correlations and spreads of the analysed drivers and the outcome.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Moments {
    /// Predictor correlation matrix R_xx.
    pub correlations: Matrix,
    /// Correlation of each driver with the outcome, r_xy.
    pub outcome_correlations: Vec<f64>,
    /// Root of each driver's centred sum of squares (the n − 1 cancels in every ratio we take).
    pub driver_spreads: Vec<f64>,
    pub outcome_spread: f64,
}

/// Validates `data` for `method` and summarises it. Shape and finiteness are checked first,
/// then constant drivers are dropped, then the driver and respondent counts are checked against
/// the drivers that remain, so the first message is the one to act on.
pub(crate) fn prepare(data: &DriverData, method: Method) -> Result<Prepared, DriverError> {
    let n = data.rows.len();
    let k_given = data.names.len();
    if data.outcome.len() != n {
        return Err(DriverError::LengthMismatch {
            what: "outcome".to_string(),
            expected: n,
            found: data.outcome.len(),
        });
    }
    for (index, row) in data.rows.iter().enumerate() {
        if row.len() != k_given {
            return Err(DriverError::LengthMismatch {
                what: format!("row {index}"),
                expected: k_given,
                found: row.len(),
            });
        }
        if let Some(column) = row.iter().position(|v| !v.is_finite()) {
            return Err(DriverError::NonFinite {
                row: index,
                column: data.names[column].clone(),
            });
        }
    }
    if let Some(row) = data.outcome.iter().position(|v| !v.is_finite()) {
        return Err(DriverError::NonFinite {
            row,
            column: "outcome".to_string(),
        });
    }

    // A constant driver explains nothing and would make R_xx singular; dropping it (and saying
    // so) is kinder than refusing a survey where, say, nobody mentioned one theme this week.
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for (column, name) in data.names.iter().enumerate() {
        let first = data.rows.first().map(|row| row[column]);
        if data.rows.iter().all(|row| Some(row[column]) == first) {
            dropped.push(name.clone());
        } else {
            kept.push(column);
        }
    }
    if kept.len() > method.max_drivers() {
        return Err(DriverError::TooManyDrivers {
            k: kept.len(),
            max: method.max_drivers(),
        });
    }
    let needed = rows_needed(kept.len());
    if n < needed {
        return Err(DriverError::TooFewRows { n, needed });
    }
    if kept.is_empty() {
        return Err(DriverError::NoDrivers);
    }
    if data.outcome.iter().all(|v| *v == data.outcome[0]) {
        return Err(DriverError::NoVariance {
            name: "outcome".to_string(),
        });
    }

    let drivers = kept
        .iter()
        .map(|&column| facts(&data.names[column], column, &data.rows, &data.outcome))
        .collect();
    Ok(Prepared {
        n,
        drivers,
        dropped,
        moments: moments(&data.rows, &kept, &data.outcome),
        kept,
    })
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

fn facts(name: &str, column: usize, rows: &[Vec<f64>], outcome: &[f64]) -> DriverFacts {
    let values = || rows.iter().map(|row| row[column]);
    let binary = values().all(|v| v == 0.0 || v == 1.0);
    let (mut present, mut absent) = (Vec::new(), Vec::new());
    if binary {
        for (value, y) in values().zip(outcome) {
            if value == 1.0 {
                present.push(*y);
            } else {
                absent.push(*y);
            }
        }
    }
    let group_mean = |group: &[f64]| (!group.is_empty()).then(|| mean(group));
    DriverFacts {
        name: name.to_string(),
        mean: values().sum::<f64>() / rows.len() as f64,
        min: values().fold(f64::INFINITY, f64::min),
        max: values().fold(f64::NEG_INFINITY, f64::max),
        binary,
        n_present: present.len(),
        outcome_when_present: group_mean(&present),
        outcome_when_absent: group_mean(&absent),
    }
}

/// Correlations of the `kept` columns of `rows` and of the outcome, from centred sums of
/// products: two passes (means, then products of deviations) for accuracy with ratings whose
/// mean is large relative to their spread. Rows are read in place, so memory stays O(k²) however
/// many respondents there are. Every kept column and the outcome must vary.
pub(crate) fn moments(rows: &[Vec<f64>], kept: &[usize], outcome: &[f64]) -> Moments {
    let k = kept.len();
    let n = rows.len() as f64;
    let means: Vec<f64> = kept
        .iter()
        .map(|&column| rows.iter().map(|row| row[column]).sum::<f64>() / n)
        .collect();
    let outcome_mean = mean(outcome);

    // Upper triangle of Σ d·dᵀ, Σ d·(y − ȳ) and Σ (y − ȳ)².
    let mut products = vec![0.0; k * k];
    let mut with_outcome = vec![0.0; k];
    let mut outcome_squares = 0.0;
    let mut deviations = vec![0.0; k];
    for (row, y) in rows.iter().zip(outcome) {
        for ((deviation, &column), mean) in deviations.iter_mut().zip(kept).zip(&means) {
            *deviation = row[column] - mean;
        }
        let dy = y - outcome_mean;
        outcome_squares += dy * dy;
        for i in 0..k {
            with_outcome[i] += deviations[i] * dy;
            for j in i..k {
                products[i * k + j] += deviations[i] * deviations[j];
            }
        }
    }

    Moments::from_products(&products, &with_outcome, outcome_squares)
}

impl Moments {
    /// Correlations from centred sums: `products` the upper triangle of Σ d·dᵀ (k×k,
    /// row-major), `with_outcome` Σ d·(y − ȳ), `outcome_squares` Σ (y − ȳ)². Shared by the
    /// plain summary and the bootstrap's weighted one.
    pub(crate) fn from_products(
        products: &[f64],
        with_outcome: &[f64],
        outcome_squares: f64,
    ) -> Moments {
        let k = with_outcome.len();
        let driver_spreads: Vec<f64> = (0..k).map(|i| products[i * k + i].sqrt()).collect();
        let outcome_spread = outcome_squares.max(0.0).sqrt();
        let mut correlations = Matrix::identity(k);
        for i in 0..k {
            for j in i + 1..k {
                let r = products[i * k + j] / (driver_spreads[i] * driver_spreads[j]);
                correlations.set(i, j, r);
                correlations.set(j, i, r);
            }
        }
        let outcome_correlations = with_outcome
            .iter()
            .zip(&driver_spreads)
            .map(|(sum, spread)| sum / (spread * outcome_spread))
            .collect();
        Moments {
            correlations,
            outcome_correlations,
            driver_spreads,
            outcome_spread,
        }
    }
}
