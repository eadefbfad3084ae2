//! The full OLS model on the correlation scale: R² and each driver's coefficient.
//!
//! With standardised variables the normal equations are R_xx·β = r_xy and R² = βᵀr_xy;
//! a raw-unit coefficient is β_j·s_y/s_j.

use crate::linalg::{cholesky, cholesky_solve};
use crate::prepare::Moments;

/// The full model's fit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FullModel {
    pub r_squared: f64,
    /// Coefficients in outcome units per driver unit.
    pub coefficients: Vec<f64>,
}

/// Fits the full model, or returns the index of a driver that is (almost) a linear combination
/// of the drivers before it.
pub(crate) fn full_model(moments: &Moments) -> Result<FullModel, usize> {
    let lower = cholesky(&moments.correlations)?;
    let beta = cholesky_solve(&lower, &moments.outcome_correlations);
    let r_squared = beta
        .iter()
        .zip(&moments.outcome_correlations)
        .map(|(b, r)| b * r)
        .sum::<f64>()
        .clamp(0.0, 1.0);
    let coefficients = beta
        .iter()
        .zip(&moments.driver_spreads)
        .map(|(b, spread)| b * moments.outcome_spread / spread)
        .collect();
    Ok(FullModel {
        r_squared,
        coefficients,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::moments;

    fn check(columns: &[&[f64]], outcome: &[f64], r_squared: f64, coefficients: &[f64]) {
        let rows: Vec<Vec<f64>> = (0..outcome.len())
            .map(|i| columns.iter().map(|column| column[i]).collect())
            .collect();
        let kept: Vec<usize> = (0..columns.len()).collect();
        let fit = full_model(&moments(&rows, &kept, outcome)).expect("full rank");
        assert!(
            (fit.r_squared - r_squared).abs() < 1e-12,
            "R² {} ≠ {r_squared}",
            fit.r_squared
        );
        for (got, want) in fit.coefficients.iter().zip(coefficients) {
            assert!((got - want).abs() < 1e-12, "{got} ≠ {want}");
        }
    }

    #[test]
    fn simple_regression_by_hand() {
        // x̄ = 2.5, ȳ = 4; Sxx = 5, Syy = 6, Sxy = 5 → slope 1, r² = 25 / 30.
        check(
            &[&[1.0, 2.0, 3.0, 4.0]],
            &[2.0, 4.0, 5.0, 5.0],
            5.0 / 6.0,
            &[1.0],
        );
    }

    #[test]
    fn two_predictors_by_hand() {
        // Centred sums: S11 = 17.5, S22 = 1.5, S12 = −2.5, S1y = 15.5, S2y = −2.5, Syy = 17.5.
        // det = 17.5·1.5 − 2.5² = 20; b1 = (1.5·15.5 − 2.5·2.5)/20 = 0.85;
        // b2 = (17.5·(−2.5) + 2.5·15.5)/20 = −0.25; SSR = 0.85·15.5 + 0.25·2.5 = 13.8;
        // R² = 13.8 / 17.5 = 138/175.
        check(
            &[
                &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
                &[1.0, 0.0, 1.0, 1.0, 0.0, 0.0],
            ],
            &[1.0, 3.0, 2.0, 5.0, 4.0, 6.0],
            138.0 / 175.0,
            &[0.85, -0.25],
        );
    }

    #[test]
    fn a_perfect_fit_has_r_squared_one() {
        // y = 2·x1 − x2 + 3 exactly.
        let x1 = [0.0, 1.0, 2.0, 3.0, 4.0];
        let x2 = [1.0, 0.0, 2.0, 2.0, 5.0];
        let y: Vec<f64> = x1.iter().zip(&x2).map(|(a, b)| 2.0 * a - b + 3.0).collect();
        check(&[&x1, &x2], &y, 1.0, &[2.0, -1.0]);
    }
}
