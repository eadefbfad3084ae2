//! Unit tests for Gamma-Gamma against hand-computed values.

use super::*;

fn gg(p: f64, q: f64, v: f64) -> GammaGammaParams {
    GammaGammaParams { p, q, v }
}

fn with_spend(x: u32, m: f64) -> CustomerSummary {
    CustomerSummary {
        frequency: x,
        recency: 1.0,
        t: 2.0,
        monetary_value: Some(m),
    }
}

#[test]
fn likelihood_matches_hand_computation() {
    // p = q = v = 1, x = 1, m = 1: Γ(2)/(Γ(1)Γ(1)) · 1 · 1 / 2² = 1/4.
    let d = GammaGammaData::from_summaries(&[with_spend(1, 1.0)]);
    assert!((d.log_likelihood(&gg(1.0, 1.0, 1.0)) - 0.25f64.ln()).abs() < 1e-14);
    // x = 2, m = 3, p = 2, q = 3, v = 4:
    // ln Γ(7) − ln Γ(4) − ln Γ(3) + 3 ln 4 + 3 ln 3 + 4 ln 2 − 7 ln 10
    let want =
        720f64.ln() - 6f64.ln() - 2f64.ln() + 3.0 * 4f64.ln() + 3.0 * 3f64.ln() + 4.0 * 2f64.ln()
            - 7.0 * 10f64.ln();
    let d = GammaGammaData::from_summaries(&[with_spend(2, 3.0)]);
    assert!((d.log_likelihood(&gg(2.0, 3.0, 4.0)) - want).abs() < 1e-12);
}

#[test]
fn non_repeaters_and_zero_spend_are_ignored() {
    let d = GammaGammaData::from_summaries(&[
        with_spend(0, 5.0),
        with_spend(2, 0.0),
        CustomerSummary::new(3, 1.0, 2.0),
        with_spend(1, 4.0),
    ]);
    assert_eq!(d.n_customers(), 1);
}

#[test]
fn analytic_gradient_matches_finite_differences() {
    let d = GammaGammaData::from_summaries(&[
        with_spend(1, 12.0),
        with_spend(2, 30.5),
        with_spend(2, 8.25),
        with_spend(7, 19.0),
    ]);
    let base = [6.0, 3.7, 15.0];
    let g = d.gradient(&gg(base[0], base[1], base[2]));
    for i in 0..3 {
        let h = 1e-6 * base[i];
        let (mut up, mut dn) = (base, base);
        up[i] += h;
        dn[i] -= h;
        let f = |v: [f64; 3]| d.log_likelihood(&gg(v[0], v[1], v[2]));
        let fd = (f(up) - f(dn)) / (2.0 * h);
        assert!(
            (g[i] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
            "param {i}: {} vs {fd}",
            g[i]
        );
    }
}

#[test]
fn expected_spend_is_a_credibility_weighted_mean() {
    let q = gg(6.25, 3.74, 15.44);
    let pop = q.population_mean_spend().unwrap();
    assert!((pop - 6.25 * 15.44 / 2.74).abs() < 1e-12);
    assert!((q.expected_average_spend(0, 99.0).unwrap() - pop).abs() < 1e-12);
    // weight on own mean = p x / (p x + q − 1)
    let (x, m) = (3u32, 50.0);
    let w = 6.25 * 3.0 / (6.25 * 3.0 + 2.74);
    let want = (1.0 - w) * pop + w * m;
    assert!((q.expected_average_spend(x, m).unwrap() - want).abs() < 1e-12);
    assert!(gg(1.0, 0.9, 1.0).expected_average_spend(2, 3.0).is_none());
}

#[test]
fn refuses_without_repeat_spend() {
    let err = fit_gamma_gamma(&[CustomerSummary::new(0, 0.0, 3.0)]).unwrap_err();
    assert!(matches!(err, ValueError::NoRepeaters { .. }), "{err}");
    let err = fit_gamma_gamma(&[with_spend(1, 3.0); 5]).unwrap_err();
    assert!(matches!(err, ValueError::TooFewCustomers { .. }), "{err}");
}
