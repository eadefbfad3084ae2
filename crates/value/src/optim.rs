//! Maximum-likelihood machinery shared by the models: L-BFGS (argmin) in log-parameter space,
//! a Newton polish, and standard errors from the observed information.
//!
//! Every model here has strictly positive parameters, so we optimise φ = ln θ: the search is
//! unconstrained and the scale of parameters like α (≈ 4) and r (≈ 0.2) evens out.

use std::cell::RefCell;

use argmin::core::{CostFunction, Executor, Gradient, State};
use argmin::solver::linesearch::condition::ArmijoCondition;
use argmin::solver::linesearch::BacktrackingLineSearch;
use argmin::solver::quasinewton::LBFGS;

use crate::error::{Result, ValueError};
use crate::linalg::Matrix;

/// A model's negative log-likelihood as a function of log-parameters.
pub(crate) trait Objective {
    /// Total negative log-likelihood at `phi` (log-parameters); writes d(NLL)/dφ into `grad`.
    fn nll_grad(&self, phi: &[f64], grad: &mut [f64]) -> f64;
    /// Number of observations the likelihood sums over (used to scale for the optimiser).
    fn weight(&self) -> f64;
}

/// The result of a fit in natural parameters.
#[derive(Debug, Clone)]
pub(crate) struct Optimum {
    pub params: Vec<f64>,
    pub log_likelihood: f64,
    pub std_errors: Vec<f64>,
    pub covariance: Matrix,
    pub iterations: u64,
}

/// (log-parameters, scaled NLL, scaled gradient) of the last evaluation.
type Evaluation = (Vec<f64>, f64, Vec<f64>);

/// Adapts an [`Objective`] to argmin, caching the last evaluation because argmin asks for the
/// cost and the gradient separately while we compute both in one pass over the data.
struct Scaled<'a, O> {
    obj: &'a O,
    scale: f64,
    cache: RefCell<Option<Evaluation>>,
}

impl<O: Objective> Scaled<'_, O> {
    fn eval(&self, phi: &[f64]) -> (f64, Vec<f64>) {
        if let Some((p, v, g)) = self.cache.borrow().as_ref() {
            if p.as_slice() == phi {
                return (*v, g.clone());
            }
        }
        let mut g = vec![0.0; phi.len()];
        let mut v = self.obj.nll_grad(phi, &mut g) * self.scale;
        g.iter_mut().for_each(|x| *x *= self.scale);
        if !v.is_finite() || g.iter().any(|x| !x.is_finite()) {
            // Far outside the sensible region (e.g. exp overflow): steer the line search back.
            v = f64::MAX / 4.0;
            g.iter_mut().zip(phi).for_each(|(gi, p)| *gi = p.signum());
        }
        *self.cache.borrow_mut() = Some((phi.to_vec(), v, g.clone()));
        (v, g)
    }
}

impl<O: Objective> CostFunction for Scaled<'_, O> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, phi: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        Ok(self.eval(phi).0)
    }
}

impl<O: Objective> Gradient for Scaled<'_, O> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, phi: &Vec<f64>) -> std::result::Result<Vec<f64>, argmin::core::Error> {
        Ok(self.eval(phi).1)
    }
}

fn optimizer_error(model: &'static str, message: impl ToString) -> ValueError {
    ValueError::Optimizer {
        model,
        message: message.to_string(),
    }
}

/// Fits by L-BFGS from `init` (natural parameters, all > 0), polishes with Newton steps on the
/// finite-difference Hessian of the analytic gradient, and returns estimates with standard
/// errors (inverse observed information, mapped to natural parameters by the delta method).
pub(crate) fn fit<O: Objective>(obj: &O, init: &[f64], model: &'static str) -> Result<Optimum> {
    let n = init.len();
    let problem = Scaled {
        obj,
        scale: 1.0 / obj.weight().max(1.0),
        cache: RefCell::new(None),
    };
    let phi0: Vec<f64> = init.iter().map(|v| v.ln()).collect();
    // Armijo backtracking: L-BFGS steps are usually accepted at once, so each iteration costs
    // about one pass over the data (More–Thuente needed ~5 per iteration here).
    let armijo = ArmijoCondition::new(1e-4).map_err(|e| optimizer_error(model, e))?;
    let ls = BacktrackingLineSearch::new(armijo)
        .rho(0.5)
        .map_err(|e| optimizer_error(model, e))?;
    let solver = LBFGS::new(ls, 10)
        .with_tolerance_grad(1e-9)
        .and_then(|s| s.with_tolerance_cost(1e-15))
        .map_err(|e| optimizer_error(model, e))?;
    let res = Executor::new(problem, solver)
        .configure(|s| s.param(phi0).max_iters(500))
        .run()
        .map_err(|e| optimizer_error(model, e))?;
    let iterations = res.state().get_iter();
    let mut phi = res
        .state()
        .get_best_param()
        .cloned()
        .ok_or_else(|| optimizer_error(model, "no parameters returned"))?;

    // Newton polish: L-BFGS stops near the optimum; a few exact-ish Newton steps make the
    // estimates reproducible to many digits regardless of where the line search stopped.
    let mut grad = vec![0.0; n];
    let mut nll = obj.nll_grad(&phi, &mut grad);
    for _ in 0..20 {
        let h = hessian(obj, &phi);
        let Some(step) = h.solve(&grad) else { break };
        let mut t = 1.0;
        let mut improved = false;
        while t > 1e-6 {
            let cand: Vec<f64> = phi.iter().zip(&step).map(|(p, s)| p - t * s).collect();
            let mut g2 = vec![0.0; n];
            let v2 = obj.nll_grad(&cand, &mut g2);
            if v2.is_finite() && v2 <= nll + 1e-12 * nll.abs() {
                phi = cand;
                nll = v2;
                grad = g2;
                improved = true;
                break;
            }
            t *= 0.5;
        }
        let max_step = step.iter().fold(0.0f64, |m, s| m.max(s.abs())) * t;
        if !improved || max_step < 1e-11 {
            break;
        }
    }
    if !nll.is_finite() || phi.iter().any(|p| !p.is_finite() || p.abs() > 50.0) {
        return Err(optimizer_error(
            model,
            "estimates diverged (the data may not identify the model)",
        ));
    }

    let params: Vec<f64> = phi.iter().map(|p| p.exp()).collect();
    let h = hessian(obj, &phi);
    let (covariance, std_errors) = match h.inverse() {
        Some(cov_log) => {
            // Delta method: Cov(θ) = J Cov(φ) J with J = diag(θ) since θ = exp(φ).
            let mut cov = Matrix::zeros(n);
            for i in 0..n {
                for j in 0..n {
                    cov.set(i, j, params[i] * params[j] * cov_log.get(i, j));
                }
            }
            let se = (0..n)
                .map(|i| {
                    let v = cov.get(i, i);
                    if v > 0.0 {
                        v.sqrt()
                    } else {
                        f64::NAN
                    }
                })
                .collect();
            (cov, se)
        }
        None => (Matrix::zeros(n), vec![f64::NAN; n]),
    };
    // No finite standard error means the likelihood is flat along some direction at the
    // "optimum" (e.g. Gamma-Gamma's p → ∞, v → 0 when spend barely varies): the estimate is
    // a point on a ridge, not an answer, so we refuse it rather than score customers with it.
    if std_errors.iter().any(|se: &f64| !se.is_finite()) {
        return Err(optimizer_error(
            model,
            "the data do not identify the model (the likelihood is flat at the estimate, so it has no standard errors)",
        ));
    }
    Ok(Optimum {
        params,
        log_likelihood: -nll,
        std_errors,
        covariance,
        iterations,
    })
}

/// Hessian of the total NLL in log-parameters: central differences of the analytic gradient.
pub(crate) fn hessian<O: Objective>(obj: &O, phi: &[f64]) -> Matrix {
    let n = phi.len();
    let mut h = Matrix::zeros(n);
    let mut gp = vec![0.0; n];
    let mut gm = vec![0.0; n];
    let mut x = phi.to_vec();
    for j in 0..n {
        let step = 1e-5 * (1.0 + phi[j].abs());
        x[j] = phi[j] + step;
        obj.nll_grad(&x, &mut gp);
        x[j] = phi[j] - step;
        obj.nll_grad(&x, &mut gm);
        x[j] = phi[j];
        for i in 0..n {
            h.set(i, j, (gp[i] - gm[i]) / (2.0 * step));
        }
    }
    // Symmetrise: finite differences leave O(step²) asymmetry.
    for i in 0..n {
        for j in 0..i {
            let m = 0.5 * (h.get(i, j) + h.get(j, i));
            h.set(i, j, m);
            h.set(j, i, m);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NLL of n draws from an exponential with rate λ: n ln λ − λ Σx; MLE λ = n / Σx,
    /// Var(λ̂) = λ² / n. Parameterised with φ = ln λ.
    struct Expo {
        n: f64,
        sum: f64,
    }

    impl Objective for Expo {
        fn nll_grad(&self, phi: &[f64], grad: &mut [f64]) -> f64 {
            let lambda = phi[0].exp();
            grad[0] = -(self.n - lambda * self.sum);
            -(self.n * phi[0] - lambda * self.sum)
        }
        fn weight(&self) -> f64 {
            self.n
        }
    }

    #[test]
    fn recovers_closed_form_mle_and_standard_error() {
        let obj = Expo { n: 50.0, sum: 20.0 };
        let o = fit(&obj, &[1.0], "test").unwrap();
        assert!((o.params[0] - 2.5).abs() < 1e-10);
        assert!((o.std_errors[0] - 2.5 / 50f64.sqrt()).abs() < 1e-6);
    }

    /// The exponential likelihood again, with a second parameter it does not depend on:
    /// the likelihood is flat along φ₁, so the Hessian is singular.
    struct Flat(Expo);

    impl Objective for Flat {
        fn nll_grad(&self, phi: &[f64], grad: &mut [f64]) -> f64 {
            grad[1] = 0.0;
            self.0.nll_grad(&phi[..1], &mut grad[..1])
        }
        fn weight(&self) -> f64 {
            self.0.n
        }
    }

    #[test]
    fn refuses_a_parameter_the_data_do_not_identify() {
        let obj = Flat(Expo { n: 50.0, sum: 20.0 });
        let err = fit(&obj, &[1.0, 1.0], "test").unwrap_err();
        assert!(err.to_string().contains("do not identify"), "{err}");
    }
}
