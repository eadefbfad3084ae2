//! Relative weights (Johnson 2000, "A heuristic method for estimating the relative weight of
//! predictor variables in multiple regression", Multivariate Behavioral Research 35(1)).
//!
//! Correlated drivers cannot share R² by their coefficients, but orthogonal variables can. So:
//! 1. Write R_xx = QΛQᵀ and let Λ* = QΛ^½Qᵀ: the correlations between the drivers X and Z, the
//!    orthonormal variables closest to X in the least-squares sense (Johnson 1966).
//! 2. Regress the outcome on Z: β* = Λ*⁻¹·r_xy = QΛ^-½Qᵀ·r_xy, and R² = Σ_m β*_m².
//! 3. Give each Z_m's share β*_m² back to the drivers in proportion to λ*_jm², which sums to 1
//!    over j because Λ*Λ*ᵀ = R_xx has a unit diagonal: ε_j = Σ_m λ*_jm²·β*_m².
//!
//! The ε_j sum to R², are never negative, and agree closely with the Shapley / general dominance
//! split (Johnson 2000 compared the two on his examples and found them nearly identical), at the
//! cost of one eigen-decomposition instead of 2^k regressions.

use crate::linalg::{symmetric_eigen, Matrix};

/// The relative weights ε_j, in R² units. `correlations` must be positive definite (the caller
/// has factorised it), so every eigenvalue is positive up to rounding.
pub(crate) fn relative_weights(correlations: &Matrix, r: &[f64]) -> Vec<f64> {
    let k = r.len();
    let (values, vectors) = symmetric_eigen(correlations);
    let roots: Vec<f64> = values.iter().map(|v| v.max(0.0).sqrt()).collect();

    let mut lambda_star = Matrix::zeros(k);
    for i in 0..k {
        for j in 0..k {
            let v: f64 = (0..k)
                .map(|m| vectors.get(i, m) * roots[m] * vectors.get(j, m))
                .sum();
            lambda_star.set(i, j, v);
        }
    }
    // β* = Q·Λ^-½·(Qᵀ·r). A zero root can only come from rounding on a matrix the caller
    // checked; its direction then carries no variance, so it contributes nothing.
    let projected: Vec<f64> = (0..k)
        .map(|m| {
            let qr: f64 = (0..k).map(|i| vectors.get(i, m) * r[i]).sum();
            if roots[m] > 0.0 {
                qr / roots[m]
            } else {
                0.0
            }
        })
        .collect();
    let beta_star: Vec<f64> = (0..k)
        .map(|i| (0..k).map(|m| vectors.get(i, m) * projected[m]).sum())
        .collect();

    (0..k)
        .map(|j| {
            (0..k)
                .map(|m| lambda_star.get(j, m).powi(2) * beta_star[m].powi(2))
                .sum()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shapley::shapley_r_squared;

    fn check(correlations: &[&[f64]], r: &[f64], expected: &[f64]) {
        let got = relative_weights(&Matrix::from_rows(correlations), r);
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e).abs() < 1e-12, "{got:?} ≠ {expected:?}");
        }
    }

    #[test]
    fn uncorrelated_drivers_get_their_squared_correlation() {
        check(
            &[&[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0], &[0.0, 0.0, 1.0]],
            &[0.3, -0.5, 0.1],
            &[0.09, 0.25, 0.01],
        );
    }

    #[test]
    fn two_correlated_drivers_in_closed_form() {
        // For R_xx = [[1, ρ], [ρ, 1]], Λ* = [[a, b], [b, a]] with a = (√(1+ρ) + √(1−ρ))/2 and
        // b = (√(1+ρ) − √(1−ρ))/2 (check: a² + b² = 1, 2ab = ρ). Λ*⁻¹ = [[a, −b], [−b, a]]/√(1−ρ²).
        let (rho, r1, r2) = (0.5f64, 0.6, 0.4);
        let a = ((1.0 + rho).sqrt() + (1.0 - rho).sqrt()) / 2.0;
        let b = ((1.0 + rho).sqrt() - (1.0 - rho).sqrt()) / 2.0;
        let det = (1.0 - rho * rho).sqrt();
        let beta1 = (a * r1 - b * r2) / det;
        let beta2 = (a * r2 - b * r1) / det;
        let expected = [
            a * a * beta1 * beta1 + b * b * beta2 * beta2,
            b * b * beta1 * beta1 + a * a * beta2 * beta2,
        ];
        check(&[&[1.0, rho], &[rho, 1.0]], &[r1, r2], &expected);
        // And the weights split R² = 28/75 (see the Shapley test for the same example).
        assert!((expected[0] + expected[1] - 28.0 / 75.0).abs() < 1e-12);
    }

    #[test]
    fn weights_sum_to_r_squared_and_track_shapley() {
        // Six drivers with correlations from 0.15 to 0.6 and mixed-sign outcome correlations.
        let k = 6;
        let mut m = Matrix::identity(k);
        for i in 0..k {
            for j in 0..k {
                if i != j {
                    m.set(i, j, 0.6 / (1.0 + (i as f64 - j as f64).abs()).powf(0.8));
                }
            }
        }
        let r = [0.45, 0.30, 0.35, -0.05, 0.20, 0.10];
        let weights = relative_weights(&m, &r);
        let shapley = shapley_r_squared(&m, &r).expect("full rank");
        let total: f64 = shapley.iter().sum();
        assert!((weights.iter().sum::<f64>() - total).abs() < 1e-12);
        for (w, s) in weights.iter().zip(&shapley) {
            assert!(*w >= 0.0);
            assert!(
                (w - s).abs() < 0.02 * total.max(0.1),
                "{weights:?} vs {shapley:?}"
            );
        }
    }
}
