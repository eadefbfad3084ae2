//! Gamma-Gamma on CDNOW reproduces Fader, Hardie & Lee (2005, "RFM and CLV"):
//! p = 6.25, q = 3.74, v = 15.44 (fit on the 946 repeat buyers' mean spend `zbar`).

mod common;

use throughline_value::{fit_gamma_gamma, summarize, Date, Period};

#[test]
fn reproduces_published_estimates_from_summary_file() {
    let s = common::summaries("cdnow_customers_summary_with_transactions.csv");
    let fit = fit_gamma_gamma(&s).unwrap();
    let p = fit.params;
    assert_eq!(fit.n_customers, 946);
    let round2 = |v: f64| (v * 100.0).round() / 100.0;
    assert_eq!(round2(p.p), 6.25, "p = {}", p.p);
    assert_eq!(round2(p.q), 3.74, "q = {}", p.q);
    // zbar in the file is rounded to cents, which moves v to 15.448 (lifetimes 0.11.3 gets
    // 15.447748 on the same file); the paper's 15.44 came from unrounded spend.
    assert!((p.v - 15.44).abs() < 0.01, "v = {}", p.v);
    assert!((p.v - 15.447748).abs() < 5e-4, "v = {}", p.v);
    // Standard errors agree with lifetimes (1.190, 0.290, 4.160).
    let se = fit.std_errors;
    assert!(
        (se.p - 1.190).abs() < 0.01 && (se.q - 0.290).abs() < 0.005,
        "{se:?}"
    );
    assert!((se.v - 4.160).abs() < 0.03, "{se:?}");
}

#[test]
fn reproduces_published_estimates_from_raw_purchases() {
    let cal = Date::parse("1997-09-30").unwrap();
    let built = summarize(&common::cdnow_purchases(), cal, Period::Week);
    let s: Vec<_> = built.iter().map(|r| r.summary).collect();
    let p = fit_gamma_gamma(&s).unwrap().params;
    assert!((p.p - 6.25).abs() < 0.01, "p = {}", p.p);
    assert!((p.q - 3.74).abs() < 0.01, "q = {}", p.q);
    assert!((p.v - 15.44).abs() < 0.01, "v = {}", p.v);
}
