//! Logistic regression by iteratively reweighted least squares (Newton's method) on
//! standardised features, with a small ridge penalty so separable data still converge.

use serde::Serialize;

use crate::error::{Result, ValueError};
use crate::linalg::Matrix;

/// A fitted model. Coefficients apply to standardised features z = (x − mean) / sd, so
/// coefficient × z is a feature's contribution to the log-odds, comparable across features.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogisticModel {
    pub names: Vec<String>,
    pub means: Vec<f64>,
    pub std_devs: Vec<f64>,
    pub intercept: f64,
    pub coefficients: Vec<f64>,
    pub iterations: usize,
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Fits P(y = 1 | x) = σ(β₀ + Σ β_j z_j). `ridge` penalises ½·ridge·Σβ_j² (not the intercept).
pub fn fit_logistic(
    names: &[&str],
    rows: &[Vec<f64>],
    labels: &[bool],
    ridge: f64,
) -> Result<LogisticModel> {
    let k = names.len();
    if rows.len() != labels.len() || rows.iter().any(|r| r.len() != k) {
        return Err(ValueError::InvalidArgument(
            "logistic regression: every row needs one value per feature and a label".into(),
        ));
    }
    let n = rows.len() as f64;
    let positives = labels.iter().filter(|&&y| y).count();
    if positives == 0 || positives == rows.len() {
        return Err(ValueError::InvalidArgument(
            "logistic regression needs both outcomes in the training data".into(),
        ));
    }
    let means: Vec<f64> = (0..k)
        .map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / n)
        .collect();
    let std_devs: Vec<f64> = (0..k)
        .map(|j| {
            let v = rows.iter().map(|r| (r[j] - means[j]).powi(2)).sum::<f64>() / n;
            if v > 0.0 {
                v.sqrt()
            } else {
                1.0
            } // constant feature: leave it at 0
        })
        .collect();
    let z: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| (0..k).map(|j| (r[j] - means[j]) / std_devs[j]).collect())
        .collect();

    // β[0] is the intercept; design row = (1, z_1 … z_k).
    let p = k + 1;
    let mut beta = vec![0.0; p];
    let prior = positives as f64 / n;
    beta[0] = (prior / (1.0 - prior)).ln();
    let mut iterations = 0;
    for it in 1..=100 {
        iterations = it;
        let mut h = Matrix::zeros(p);
        let mut g = vec![0.0; p];
        for (zi, &y) in z.iter().zip(labels) {
            let eta = beta[0] + zi.iter().zip(&beta[1..]).map(|(a, b)| a * b).sum::<f64>();
            let mu = sigmoid(eta);
            let w = (mu * (1.0 - mu)).max(1e-12);
            let r = f64::from(u8::from(y)) - mu;
            let xi = |j: usize| if j == 0 { 1.0 } else { zi[j - 1] };
            for (a, ga) in g.iter_mut().enumerate() {
                *ga += r * xi(a);
                for b in 0..=a {
                    h.add(a, b, w * xi(a) * xi(b));
                }
            }
        }
        for a in 0..p {
            for b in 0..a {
                h.set(b, a, h.get(a, b));
            }
            if a > 0 {
                h.add(a, a, ridge);
                g[a] -= ridge * beta[a];
            }
        }
        let step = h.solve(&g).ok_or_else(|| ValueError::Optimizer {
            model: "logistic regression",
            message: "singular information matrix (collinear features?)".into(),
        })?;
        beta.iter_mut().zip(&step).for_each(|(b, s)| *b += s);
        if step.iter().all(|s| s.abs() < 1e-10) {
            break;
        }
    }
    Ok(LogisticModel {
        names: names.iter().map(|s| s.to_string()).collect(),
        means,
        std_devs,
        intercept: beta[0],
        coefficients: beta[1..].to_vec(),
        iterations,
    })
}

impl LogisticModel {
    /// Per-feature contributions to the log-odds: coefficient × standardised value.
    pub fn contributions(&self, row: &[f64]) -> Vec<f64> {
        row.iter()
            .enumerate()
            .map(|(j, x)| self.coefficients[j] * (x - self.means[j]) / self.std_devs[j])
            .collect()
    }

    /// P(y = 1 | row).
    pub fn predict(&self, row: &[f64]) -> f64 {
        sigmoid(self.intercept + self.contributions(row).iter().sum::<f64>())
    }

    /// Coefficients in the original units of each feature (change in log-odds per unit).
    pub fn raw_coefficients(&self) -> Vec<f64> {
        self.coefficients
            .iter()
            .zip(&self.std_devs)
            .map(|(c, s)| c / s)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_closed_form_for_a_binary_feature() {
        // With one binary feature, the MLE reproduces each group's observed rate exactly.
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for (x, pos, neg) in [(0.0, 10, 30), (1.0, 30, 10)] {
            for i in 0..pos + neg {
                rows.push(vec![x]);
                labels.push(i < pos);
            }
        }
        let m = fit_logistic(&["x"], &rows, &labels, 0.0).unwrap();
        assert!((m.predict(&[0.0]) - 0.25).abs() < 1e-9);
        assert!((m.predict(&[1.0]) - 0.75).abs() < 1e-9);
        // log-odds ratio ln(3) − ln(1/3) = 2 ln 3 per unit of x
        assert!((m.raw_coefficients()[0] - 2.0 * 3f64.ln()).abs() < 1e-9);
    }

    #[test]
    fn separable_data_converge_with_ridge_and_bad_input_is_refused() {
        let rows: Vec<Vec<f64>> = (0..20).map(|i| vec![f64::from(i)]).collect();
        let labels: Vec<bool> = (0..20).map(|i| i >= 10).collect();
        let m = fit_logistic(&["x"], &rows, &labels, 1.0).unwrap();
        assert!(m.predict(&[19.0]) > 0.9 && m.predict(&[0.0]) < 0.1);
        assert!(fit_logistic(&["x"], &rows, &[true; 20], 1.0).is_err());
        assert!(fit_logistic(&["x", "y"], &rows, &labels, 1.0).is_err());
    }
}
