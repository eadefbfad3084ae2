//! Shapley value decomposition of R² (Lipovetsky & Conklin 2001), exact over all 2^k subsets.
//!
//! Driver j's share is its marginal gain in R², averaged over every order in which drivers
//! could enter the model:
//!
//!   φ_j = Σ_{S ⊆ N∖{j}} |S|!·(k − |S| − 1)!/k! · (R²(S ∪ {j}) − R²(S)).
//!
//! The φ_j sum to the full model's R² and are never negative. They equal the general dominance
//! weights of dominance analysis (Budescu 1993; Azen & Budescu 2003) and the LMG measure.
//!
//! The cost is in the 2^k subset R² values. Each comes from the correlation matrix as
//! R²(S) = ‖z_S‖² with z_S = L_S⁻¹·r_S and L_S the Cholesky factor of R_SS. Visiting subsets
//! depth-first, adding drivers in increasing index order, extends L and z by one row each step,
//! so a subset costs O(|S|²) instead of a fresh O(|S|³) factorisation.

use crate::linalg::{Matrix, PIVOT_TOLERANCE};

/// R² of every subset of drivers, indexed by bit mask (bit j set = driver j in the model).
/// `Err(j)` when driver j is (almost) a linear combination of others.
pub(crate) fn subset_r_squared(correlations: &Matrix, r: &[f64]) -> Result<Vec<f64>, usize> {
    let k = r.len();
    let mut walk = Walk {
        correlations,
        r,
        members: Vec::with_capacity(k),
        lower_rows: Vec::with_capacity(k),
        z: Vec::with_capacity(k),
        r_squared: vec![0.0; 1 << k],
    };
    walk.extend(0, 0, 0.0)?;
    Ok(walk.r_squared)
}

/// The depth-first walk's state: the current subset's Cholesky rows and z.
struct Walk<'a> {
    correlations: &'a Matrix,
    r: &'a [f64],
    members: Vec<usize>,
    /// Row i holds L_S[i][0..=i].
    lower_rows: Vec<Vec<f64>>,
    z: Vec<f64>,
    r_squared: Vec<f64>,
}

impl Walk<'_> {
    /// Visits every subset that extends the current one (`mask`, R² `base`) with drivers ≥ `from`.
    fn extend(&mut self, mask: usize, from: usize, base: f64) -> Result<(), usize> {
        for j in from..self.r.len() {
            // New Cholesky row: solve L_S·l = R_{S,j}; the pivot d² = 1 − ‖l‖² is the part of
            // driver j not explained by the drivers already in S.
            let mut row = Vec::with_capacity(self.members.len() + 1);
            for (i, &member) in self.members.iter().enumerate() {
                let known: f64 = (0..i).map(|t| self.lower_rows[i][t] * row[t]).sum();
                row.push((self.correlations.get(member, j) - known) / self.lower_rows[i][i]);
            }
            let pivot = 1.0 - row.iter().map(|v| v * v).sum::<f64>();
            if pivot.is_nan() || pivot <= PIVOT_TOLERANCE {
                return Err(j);
            }
            let diagonal = pivot.sqrt();
            let z_new =
                (self.r[j] - row.iter().zip(&self.z).map(|(l, z)| l * z).sum::<f64>()) / diagonal;
            row.push(diagonal);
            let next_mask = mask | (1 << j);
            let next = base + z_new * z_new;
            self.r_squared[next_mask] = next;

            self.members.push(j);
            self.lower_rows.push(row);
            self.z.push(z_new);
            self.extend(next_mask, j + 1, next)?;
            self.members.pop();
            self.lower_rows.pop();
            self.z.pop();
        }
        Ok(())
    }
}

/// Shapley values from the subset R² table (length 2^k).
pub(crate) fn shapley_values(k: usize, r_squared: &[f64]) -> Vec<f64> {
    // weight[s] = s!(k−s−1)!/k! = 1 / (k · C(k−1, s)): the chance that exactly the s drivers of
    // a given subset precede j in a random order.
    let mut weight = Vec::with_capacity(k);
    let mut binomial = 1.0f64;
    for s in 0..k {
        weight.push(1.0 / (k as f64 * binomial));
        binomial = binomial * (k - 1 - s) as f64 / (s + 1) as f64;
    }
    let mut values = vec![0.0; k];
    for (mask, &without) in r_squared.iter().enumerate() {
        let size = mask.count_ones() as usize;
        for (j, value) in values.iter_mut().enumerate() {
            if mask & (1 << j) == 0 {
                *value += weight[size] * (r_squared[mask | (1 << j)] - without);
            }
        }
    }
    values
}

/// Shapley decomposition of R², or `Err(j)` for a collinear driver j.
pub(crate) fn shapley_r_squared(correlations: &Matrix, r: &[f64]) -> Result<Vec<f64>, usize> {
    let table = subset_r_squared(correlations, r)?;
    Ok(shapley_values(r.len(), &table))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::{cholesky, cholesky_solve};

    fn check(correlations: &[&[f64]], r: &[f64], expected: &[f64]) {
        let got = shapley_r_squared(&Matrix::from_rows(correlations), r).expect("full rank");
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e).abs() < 1e-12, "{got:?} ≠ {expected:?}");
        }
    }

    #[test]
    fn uncorrelated_drivers_get_their_squared_correlation() {
        check(&[&[1.0, 0.0], &[0.0, 1.0]], &[0.3, 0.5], &[0.09, 0.25]);
    }

    #[test]
    fn two_correlated_drivers_by_hand() {
        // ρ = 0.5, r = (0.6, 0.4): R² = (0.36 + 0.16 − 2·0.5·0.6·0.4)/(1 − 0.25) = 28/75.
        // φ1 = ½·r1² + ½·(R² − r2²) = 0.18 + 8/75;  φ2 = ½·r2² + ½·(R² − r1²) = 0.08 + 1/150.
        check(
            &[&[1.0, 0.5], &[0.5, 1.0]],
            &[0.6, 0.4],
            &[0.18 + 8.0 / 75.0, 0.08 + 1.0 / 150.0],
        );
    }

    #[test]
    fn a_suppressor_gets_a_small_positive_share() {
        // Driver 2 is uncorrelated with the outcome but cleans driver 1 (ρ = 0.5):
        // R²({1,2}) = 0.25/0.75 = 1/3, so φ2 = ½·(1/3 − 0.25) = 1/24 and φ1 = 1/3 − 1/24.
        check(
            &[&[1.0, 0.5], &[0.5, 1.0]],
            &[0.5, 0.0],
            &[1.0 / 3.0 - 1.0 / 24.0, 1.0 / 24.0],
        );
    }

    /// A well-conditioned correlation matrix and outcome correlations for k drivers.
    fn example(k: usize) -> (Matrix, Vec<f64>) {
        let mut m = Matrix::identity(k);
        for i in 0..k {
            for j in 0..k {
                if i != j {
                    m.set(i, j, 0.35 / (1.0 + (i as f64 - j as f64).abs()));
                }
            }
        }
        let r = (0..k).map(|i| 0.1 + 0.05 * (i % 5) as f64).collect();
        (m, r)
    }

    #[test]
    fn subset_r_squared_matches_a_fresh_solve_for_every_subset() {
        let (m, r) = example(6);
        let table = subset_r_squared(&m, &r).expect("full rank");
        assert_eq!(table[0], 0.0);
        for (mask, &fast) in table.iter().enumerate().skip(1) {
            let members: Vec<usize> = (0..6).filter(|j| mask & (1 << j) != 0).collect();
            let mut sub = Matrix::zeros(members.len());
            for (a, &i) in members.iter().enumerate() {
                for (b, &j) in members.iter().enumerate() {
                    sub.set(a, b, m.get(i, j));
                }
            }
            let rs: Vec<f64> = members.iter().map(|&i| r[i]).collect();
            let beta = cholesky_solve(&cholesky(&sub).expect("full rank"), &rs);
            let slow: f64 = beta.iter().zip(&rs).map(|(b, r)| b * r).sum();
            assert!((fast - slow).abs() < 1e-13, "mask {mask}: {fast} ≠ {slow}");
        }
    }

    #[test]
    fn values_sum_to_the_full_r_squared() {
        let (m, r) = example(9);
        let table = subset_r_squared(&m, &r).expect("full rank");
        let values = shapley_values(9, &table);
        let total: f64 = values.iter().sum();
        assert!((total - table[(1 << 9) - 1]).abs() < 1e-13);
        assert!(values.iter().all(|v| *v >= 0.0));
    }

    #[test]
    fn a_duplicate_driver_is_reported() {
        let m = Matrix::from_rows(&[&[1.0, 0.2, 1.0], &[0.2, 1.0, 0.2], &[1.0, 0.2, 1.0]]);
        assert_eq!(shapley_r_squared(&m, &[0.3, 0.1, 0.3]), Err(2));
    }
}
