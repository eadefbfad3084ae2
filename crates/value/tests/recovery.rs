//! Fits on data simulated from known parameters recover those parameters.

use throughline_value::sim::{simulate, SimDesign};
use throughline_value::{fit_bgnbd, fit_gamma_gamma, BgNbdParams, GammaGammaParams};

#[test]
fn bgnbd_and_gamma_gamma_recover_truth_within_standard_errors() {
    let bg = BgNbdParams {
        r: 0.5,
        alpha: 6.0,
        a: 0.9,
        b: 3.0,
    };
    let gg = GammaGammaParams {
        p: 6.0,
        q: 4.0,
        v: 15.0,
    };
    let design = SimDesign {
        grid: None, // continuous time: exactly the model's assumptions
        ..SimDesign::cdnow_like()
    };
    let data = simulate(&bg, Some(&gg), &design, 40_000, 42);
    let fit = fit_bgnbd(&data).unwrap();
    let (est, se) = (fit.params, fit.std_errors);
    for (name, t, e, s) in [
        ("r", bg.r, est.r, se.r),
        ("alpha", bg.alpha, est.alpha, se.alpha),
        ("a", bg.a, est.a, se.a),
        ("b", bg.b, est.b, se.b),
    ] {
        assert!((e - t).abs() < 4.0 * s, "{name}: {e} vs {t} (se {s})");
    }
    let fit = fit_gamma_gamma(&data).unwrap();
    let (est, se) = (fit.params, fit.std_errors);
    for (name, t, e, s) in [
        ("p", gg.p, est.p, se.p),
        ("q", gg.q, est.q, se.q),
        ("v", gg.v, est.v, se.v),
    ] {
        assert!((e - t).abs() < 4.0 * s, "{name}: {e} vs {t} (se {s})");
    }
}
