//! Unit tests for BG/NBD against hand-computed values.

use super::*;

fn p(r: f64, alpha: f64, a: f64, b: f64) -> BgNbdParams {
    BgNbdParams { r, alpha, a, b }
}

#[test]
fn likelihood_matches_hand_computation() {
    let ones = p(1.0, 1.0, 1.0, 1.0);
    // x = 0, T = 1: A1 = A2 = 0, A3 = -ln 2.
    let s0 = CustomerSummary::new(0, 0.0, 1.0);
    assert!((ones.log_likelihood(&s0) + 2f64.ln()).abs() < 1e-13);
    // x = 1, t_x = 1, T = 2: A2 = -ln 2, bracket = 1/9 + 1/4 → ln(13/72).
    let s1 = CustomerSummary::new(1, 1.0, 2.0);
    assert!((ones.log_likelihood(&s1) - (13.0f64 / 72.0).ln()).abs() < 1e-13);
    // Aggregated data sums individual likelihoods, duplicates included.
    let data = BgNbdData::from_summaries(&[s0, s1, s1]);
    assert_eq!(data.n_distinct(), 2);
    let want = -2f64.ln() + 2.0 * (13.0f64 / 72.0).ln();
    assert!((data.log_likelihood(&ones) - want).abs() < 1e-12);
}

#[test]
fn analytic_gradient_matches_finite_differences() {
    let data = BgNbdData::from_summaries(&[
        CustomerSummary::new(0, 0.0, 30.0),
        CustomerSummary::new(1, 3.5, 30.0),
        CustomerSummary::new(4, 20.0, 38.0),
        CustomerSummary::new(4, 20.0, 38.0),
        CustomerSummary::new(12, 37.5, 38.0),
    ]);
    let at = p(0.3, 4.0, 0.8, 2.5);
    let g = data.gradient(&at);
    let base = [at.r, at.alpha, at.a, at.b];
    for i in 0..4 {
        let h = 1e-6 * base[i];
        let mut up = base;
        let mut dn = base;
        up[i] += h;
        dn[i] -= h;
        let f = |v: [f64; 4]| data.log_likelihood(&p(v[0], v[1], v[2], v[3]));
        let fd = (f(up) - f(dn)) / (2.0 * h);
        assert!(
            (g[i] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
            "param {i}: {} vs {fd}",
            g[i]
        );
    }
}

#[test]
fn probability_alive_closed_form() {
    let q = p(1.0, 1.0, 1.0, 2.0);
    // 1 / (1 + a/(b+x-1) ((α+T)/(α+t_x))^(r+x)) = 1 / (1 + 1/2 · 2²) = 1/3
    assert!((q.probability_alive(1, 1.0, 3.0) - 1.0 / 3.0).abs() < 1e-15);
    assert_eq!(q.probability_alive(0, 0.0, 10.0), 1.0);
    // Bought just now → as alive as can be: 1 / (1 + a/(b+x-1)).
    assert!((q.probability_alive(3, 5.0, 5.0) - 1.0 / 1.25).abs() < 1e-15);
}

#[test]
fn expected_purchases_closed_form() {
    // r = 1, b = 1, a = 2, x = 0 gives 2F1(1, 1; 2; z) = -ln(1-z)/z.
    // α = 1, T = 1, t = 2: z = 1/2, E = 2 · (1 - 1/2 · 2 ln 2) = 2 - 2 ln 2.
    let q = p(1.0, 1.0, 2.0, 1.0);
    let e = q.expected_purchases(2.0, 0, 0.0, 1.0);
    assert!((e - (2.0 - 2.0 * 2f64.ln())).abs() < 1e-13, "{e}");
    assert_eq!(q.expected_purchases(0.0, 3, 1.0, 2.0), 0.0);
    // A repeat buyer's expectation is the "alive" one scaled by P(alive).
    let cdnow = p(0.243, 4.414, 0.793, 2.426);
    let e_new = cdnow.expected_purchases_new_customer(39.0);
    assert!(e_new > 0.0 && e_new < 39.0 * 0.243 / 4.414);
}

#[test]
fn expected_purchases_matches_simulation_limit() {
    // With b huge nobody drops out: E[Y(t) | x, T] → (r + x)/(α + T) · t (NBD posterior mean).
    let q = p(0.5, 2.0, 1.5, 1e7);
    let e = q.expected_purchases(10.0, 3, 5.0, 8.0);
    let want = (0.5 + 3.0) / (2.0 + 8.0) * 10.0;
    assert!((e - want).abs() < 1e-4 * want, "{e} vs {want}");
}

#[test]
fn refuses_thin_data() {
    let few = vec![CustomerSummary::new(1, 1.0, 2.0); 5];
    assert!(matches!(
        fit_bgnbd(&few),
        Err(ValueError::TooFewCustomers { .. })
    ));
    let none = vec![CustomerSummary::new(0, 0.0, 2.0); 100];
    let err = fit_bgnbd(&none).unwrap_err();
    assert!(matches!(err, ValueError::NoRepeaters { .. }));
    assert!(err.to_string().contains("no repeat purchasers"));
}
