//! Tiny dense linear algebra for the few-parameter problems here (p ≤ ~20): solve and invert.

/// A square matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
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

    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.n + j]
    }

    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        self.data[i * self.n + j] = v;
    }

    pub fn add(&mut self, i: usize, j: usize, v: f64) {
        self.data[i * self.n + j] += v;
    }

    /// Rows as nested vectors (for serialisation).
    pub fn rows(&self) -> Vec<Vec<f64>> {
        self.data.chunks(self.n).map(<[f64]>::to_vec).collect()
    }

    /// Inverse by Gauss–Jordan with partial pivoting; `None` when (numerically) singular.
    pub fn inverse(&self) -> Option<Matrix> {
        let n = self.n;
        let mut a = self.clone();
        let mut inv = Matrix::zeros(n);
        for i in 0..n {
            inv.set(i, i, 1.0);
        }
        let scale = self
            .data
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()))
            .max(1e-300);
        for col in 0..n {
            let pivot =
                (col..n).max_by(|&x, &y| a.get(x, col).abs().total_cmp(&a.get(y, col).abs()))?;
            if a.get(pivot, col).abs() <= 1e-13 * scale {
                return None;
            }
            if pivot != col {
                for j in 0..n {
                    a.data.swap(pivot * n + j, col * n + j);
                    inv.data.swap(pivot * n + j, col * n + j);
                }
            }
            let d = a.get(col, col);
            for j in 0..n {
                a.data[col * n + j] /= d;
                inv.data[col * n + j] /= d;
            }
            for row in 0..n {
                if row == col {
                    continue;
                }
                let f = a.get(row, col);
                if f != 0.0 {
                    for j in 0..n {
                        a.data[row * n + j] -= f * a.data[col * n + j];
                        inv.data[row * n + j] -= f * inv.data[col * n + j];
                    }
                }
            }
        }
        Some(inv)
    }

    /// Solves `self · x = b`; `None` when singular.
    pub fn solve(&self, b: &[f64]) -> Option<Vec<f64>> {
        let inv = self.inverse()?;
        Some(
            (0..self.n)
                .map(|i| (0..self.n).map(|j| inv.get(i, j) * b[j]).sum())
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverts_and_solves() {
        let m = Matrix {
            n: 3,
            data: vec![0.0, 2.0, 1.0, 1.0, 1.0, 0.0, 3.0, 0.0, 4.0],
        };
        let inv = m.inverse().unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let p: f64 = (0..3).map(|k| m.get(i, k) * inv.get(k, j)).sum();
                assert!((p - f64::from(u8::from(i == j))).abs() < 1e-12);
            }
        }
        let x = m.solve(&[3.0, 2.0, 7.0]).unwrap();
        for (got, want) in x.iter().zip([1.0, 1.0, 1.0]) {
            assert!((got - want).abs() < 1e-12);
        }
        let singular = Matrix {
            n: 2,
            data: vec![1.0, 2.0, 2.0, 4.0],
        };
        assert!(singular.inverse().is_none());
    }
}
