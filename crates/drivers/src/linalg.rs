//! Small dense linear algebra for k×k correlation matrices: Cholesky and Jacobi eigenvalues.
//!
//! k is at most a few hundred, so textbook O(k³) algorithms are fast and keep the crate free of
//! heavy dependencies.

/// A square matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Matrix {
    pub n: usize,
    pub data: Vec<f64>,
}

impl Matrix {
    pub fn zeros(n: usize) -> Matrix {
        Matrix {
            n,
            data: vec![0.0; n * n],
        }
    }

    pub fn identity(n: usize) -> Matrix {
        let mut m = Matrix::zeros(n);
        for i in 0..n {
            m.set(i, i, 1.0);
        }
        m
    }

    #[cfg(test)]
    pub fn from_rows(rows: &[&[f64]]) -> Matrix {
        Matrix {
            n: rows.len(),
            data: rows.iter().flat_map(|row| row.iter().copied()).collect(),
        }
    }

    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.n + j]
    }

    pub fn set(&mut self, i: usize, j: usize, value: f64) {
        self.data[i * self.n + j] = value;
    }
}

/// A Cholesky pivot (1 − R² of a driver on the drivers before it, for a correlation matrix)
/// at or below this means the driver adds no independent information.
pub(crate) const PIVOT_TOLERANCE: f64 = 1e-10;

/// Lower-triangular L with A = L·Lᵀ, or the index of the first column whose pivot is
/// (numerically) zero: that column is a linear combination of the columns before it.
pub(crate) fn cholesky(a: &Matrix) -> Result<Matrix, usize> {
    let n = a.n;
    let mut lower = Matrix::zeros(n);
    for j in 0..n {
        let mut pivot = a.get(j, j);
        for t in 0..j {
            pivot -= lower.get(j, t) * lower.get(j, t);
        }
        if pivot.is_nan() || pivot <= PIVOT_TOLERANCE * a.get(j, j).abs().max(f64::MIN_POSITIVE) {
            return Err(j);
        }
        let diagonal = pivot.sqrt();
        lower.set(j, j, diagonal);
        for i in j + 1..n {
            let mut sum = a.get(i, j);
            for t in 0..j {
                sum -= lower.get(i, t) * lower.get(j, t);
            }
            lower.set(i, j, sum / diagonal);
        }
    }
    Ok(lower)
}

/// Solves L·Lᵀ·x = b given the Cholesky factor L.
pub(crate) fn cholesky_solve(lower: &Matrix, b: &[f64]) -> Vec<f64> {
    let n = lower.n;
    let mut y = vec![0.0; n];
    for i in 0..n {
        let sum: f64 = (0..i).map(|t| lower.get(i, t) * y[t]).sum();
        y[i] = (b[i] - sum) / lower.get(i, i);
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let sum: f64 = (i + 1..n).map(|t| lower.get(t, i) * x[t]).sum();
        x[i] = (y[i] - sum) / lower.get(i, i);
    }
    x
}

/// Eigenvalues and eigenvectors of a symmetric matrix by the cyclic Jacobi method (Golub &
/// Van Loan, "Matrix Computations", §8.5): rotations zero each off-diagonal entry in turn until
/// the off-diagonal mass is negligible. Slower than QR for big matrices but simple, accurate
/// for small ones, and it always returns orthonormal eigenvectors.
///
/// Returns `(values, vectors)` with eigenvector m in column m of `vectors`.
pub(crate) fn symmetric_eigen(a: &Matrix) -> (Vec<f64>, Matrix) {
    let n = a.n;
    let mut work = a.clone();
    let mut vectors = Matrix::identity(n);
    let scale: f64 = work
        .data
        .iter()
        .map(|v| v * v)
        .sum::<f64>()
        .max(f64::MIN_POSITIVE);
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| work.get(i, j) * work.get(i, j))
            .sum();
        if off <= 1e-30 * scale {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = work.get(p, q);
                if apq == 0.0 {
                    continue;
                }
                // The rotation angle that zeroes (p, q), in the stable form of Rutishauser.
                let theta = (work.get(q, q) - work.get(p, p)) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                rotate(&mut work, &mut vectors, p, q, c, s);
            }
        }
    }
    let values = (0..n).map(|i| work.get(i, i)).collect();
    (values, vectors)
}

/// Applies the Jacobi rotation J(p, q, θ) as A ← JᵀAJ and V ← VJ.
fn rotate(work: &mut Matrix, vectors: &mut Matrix, p: usize, q: usize, c: f64, s: f64) {
    let n = work.n;
    for k in 0..n {
        let akp = work.get(k, p);
        let akq = work.get(k, q);
        work.set(k, p, c * akp - s * akq);
        work.set(k, q, s * akp + c * akq);
    }
    for k in 0..n {
        let apk = work.get(p, k);
        let aqk = work.get(q, k);
        work.set(p, k, c * apk - s * aqk);
        work.set(q, k, s * apk + c * aqk);
    }
    for k in 0..n {
        let vkp = vectors.get(k, p);
        let vkq = vectors.get(k, q);
        vectors.set(k, p, c * vkp - s * vkq);
        vectors.set(k, q, s * vkp + c * vkq);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn cholesky_solves_a_known_system() {
        // A = [[4,2,0],[2,5,1],[0,1,3]], x = (1, -1, 2) → b = A·x = (2, -1, 5).
        let a = Matrix::from_rows(&[&[4.0, 2.0, 0.0], &[2.0, 5.0, 1.0], &[0.0, 1.0, 3.0]]);
        let lower = cholesky(&a).expect("positive definite");
        assert!(close(lower.get(0, 0), 2.0, 1e-15));
        assert!(close(lower.get(1, 0), 1.0, 1e-15));
        assert!(close(lower.get(1, 1), 2.0, 1e-15));
        let x = cholesky_solve(&lower, &[2.0, -1.0, 5.0]);
        for (got, want) in x.iter().zip([1.0, -1.0, 2.0]) {
            assert!(close(*got, want, 1e-14), "{x:?}");
        }
    }

    #[test]
    fn cholesky_names_the_dependent_column() {
        // Column 2 duplicates column 0.
        let a = Matrix::from_rows(&[&[1.0, 0.3, 1.0], &[0.3, 1.0, 0.3], &[1.0, 0.3, 1.0]]);
        assert_eq!(cholesky(&a), Err(2));
    }

    #[test]
    fn jacobi_finds_the_eigenvalues_of_a_2x2() {
        // [[2,1],[1,2]] has eigenvalues 1 and 3 with eigenvectors (1,-1)/√2 and (1,1)/√2.
        let (mut values, _) = symmetric_eigen(&Matrix::from_rows(&[&[2.0, 1.0], &[1.0, 2.0]]));
        values.sort_by(f64::total_cmp);
        assert!(close(values[0], 1.0, 1e-14) && close(values[1], 3.0, 1e-14));
    }

    #[test]
    fn jacobi_reconstructs_a_symmetric_matrix() {
        let n = 6;
        let mut a = Matrix::zeros(n);
        for i in 0..n {
            for j in 0..n {
                let v = 1.0 / (1.0 + (i + j) as f64) + if i == j { 1.0 } else { 0.0 };
                a.set(i, j, v);
            }
        }
        let (values, vectors) = symmetric_eigen(&a);
        for i in 0..n {
            for j in 0..n {
                let rebuilt: f64 = (0..n)
                    .map(|m| vectors.get(i, m) * values[m] * vectors.get(j, m))
                    .sum();
                assert!(close(rebuilt, a.get(i, j), 1e-12));
                let dot: f64 = (0..n).map(|m| vectors.get(m, i) * vectors.get(m, j)).sum();
                assert!(close(dot, if i == j { 1.0 } else { 0.0 }, 1e-12));
            }
        }
        // The trace is preserved.
        let trace: f64 = (0..n).map(|i| a.get(i, i)).sum();
        assert!(close(values.iter().sum::<f64>(), trace, 1e-12));
    }
}
