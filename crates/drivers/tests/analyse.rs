//! The public API on synthetic surveys: planted drivers, per-driver facts, polarity, JSON shape.

mod common;

use common::{driver, survey, Lcg, THEMES};
use throughline_drivers::{
    analyse, analyse_with, DriverData, Method, OutcomePolarity, Quadrant, MIN_R_SQUARED_TO_RANK,
};

#[test]
fn the_planted_driver_ranks_first_with_both_methods() {
    let data = survey(2000, 7);
    for method in [Method::ShapleyR2, Method::RelativeWeights] {
        let report = analyse(&data, method).expect("valid survey");
        let billing = &report.drivers[0];
        assert_eq!(billing.name, "billing_problem", "{method:?}");
        assert_eq!(billing.quadrant, Quadrant::FixFirst);
        assert!(
            (billing.coefficient + 3.0).abs() < 0.2,
            "{}",
            billing.coefficient
        );
        assert!(billing.importance > 0.5);
        // Shares sum to 1 and raw importances to R²; drivers come most important first.
        let shares: f64 = report.drivers.iter().map(|d| d.importance).sum();
        let raw: f64 = report.drivers.iter().map(|d| d.raw_importance).sum();
        assert!((shares - 1.0).abs() < 1e-12 && (raw - report.r_squared).abs() < 1e-12);
        assert!(report
            .drivers
            .windows(2)
            .all(|w| w[0].importance >= w[1].importance));
        // The positive theme with a sizeable effect is a strength to keep.
        assert_eq!(driver(&report, "friendly_staff").coefficient.signum(), 1.0);
        assert_eq!(report.n, 2000);
        assert!(report.dropped.is_empty());
    }
}

#[test]
fn the_two_methods_agree_closely_on_a_survey() {
    let data = survey(1500, 11);
    let shapley = analyse(&data, Method::ShapleyR2).expect("valid survey");
    let weights = analyse(&data, Method::RelativeWeights).expect("valid survey");
    assert_eq!(shapley.r_squared, weights.r_squared);
    for theme in THEMES {
        let gap = driver(&shapley, theme).raw_importance - driver(&weights, theme).raw_importance;
        assert!(gap.abs() < 0.005, "{theme}: {gap}");
    }
    assert!(shapley.method.contains("Lipovetsky & Conklin 2001"));
    assert!(weights.method.contains("Johnson 2000"));
}

#[test]
fn binary_and_rating_facts_by_hand() {
    // 40 respondents. "called_support" is present for the first 10, whose outcome is 4; the
    // rest score 8 or 9 alternately. "ease" is a 1..5 rating: 1 for those who called, else 5.
    let rows: Vec<Vec<f64>> = (0..40)
        .map(|i| {
            let called = if i < 10 { 1.0 } else { 0.0 };
            vec![
                called,
                if i < 10 { 1.0 } else { 5.0 } - (i % 3 == 0) as u8 as f64,
            ]
        })
        .collect();
    let outcome: Vec<f64> = (0..40)
        .map(|i| if i < 10 { 4.0 } else { 8.0 + (i % 2) as f64 })
        .collect();
    let data = DriverData {
        names: vec!["called_support".into(), "ease".into()],
        rows,
        outcome,
    };
    let report = analyse(&data, Method::ShapleyR2).expect("valid data");
    let called = driver(&report, "called_support");
    assert_eq!(called.n_present, 10);
    assert_eq!(called.performance, 0.25);
    assert_eq!(called.outcome_when_present, Some(4.0));
    assert_eq!(called.outcome_when_absent, Some(8.5));
    let ease = driver(&report, "ease");
    assert_eq!(
        (ease.outcome_when_present, ease.outcome_when_absent),
        (None, None)
    );
    assert_eq!(ease.n_present, 40);
    // Ease values: rows 0..10 give 1 or 0 (0 where i % 3 == 0: i = 0, 3, 6, 9), rows 10..40
    // give 5 or 4 (4 at i = 12, 15, …, 39: ten rows). Sum = 6 + 0 + 20·5 + 10·4 = 146.
    assert_eq!(ease.performance, 146.0 / 40.0);
}

#[test]
fn churn_polarity_flips_what_hurts() {
    // Outcome = churned (1) or not; the theme doubles churn, so it is a weakness for churn and
    // would look like a strength if churn were read as higher-is-better.
    let mut rng = Lcg(3);
    let (mut rows, mut outcome) = (Vec::new(), Vec::new());
    for _ in 0..400 {
        let theme = rng.chance(0.3);
        let other = rng.chance(0.5);
        rows.push(vec![theme, other]);
        outcome.push(rng.chance(0.1 + 0.3 * theme));
    }
    let data = DriverData {
        names: vec!["outage".into(), "noise".into()],
        rows,
        outcome,
    };
    let churn =
        analyse_with(&data, Method::ShapleyR2, OutcomePolarity::LowerIsBetter).expect("valid data");
    assert_eq!(churn.drivers[0].name, "outage");
    assert_eq!(churn.drivers[0].quadrant, Quadrant::FixFirst);
    let misread = analyse(&data, Method::ShapleyR2).expect("valid data");
    assert_eq!(misread.drivers[0].quadrant, Quadrant::Maintain);
    // The benefit is negative (it hurts) exactly where the quadrant says "fix first".
    let outage = &churn.drivers[0];
    let gap = outage.outcome_when_present.unwrap() - outage.outcome_when_absent.unwrap();
    assert!(gap > 0.0, "the theme raises churn: {gap}");
    assert_eq!(outage.benefit(churn.polarity), Some(-gap));
    assert_eq!(misread.drivers[0].benefit(misread.polarity), Some(gap));
}

#[test]
fn a_model_that_explains_little_does_not_rank() {
    // A theme with a small real effect on a noisy 0–10 outcome: R² well under 0.10.
    let mut rng = Lcg(5);
    let (mut rows, mut outcome) = (Vec::new(), Vec::new());
    for i in 0..2000 {
        let theme = rng.chance(0.4);
        rows.push(vec![theme, rng.chance(0.5)]);
        outcome.push(((i * 7) % 11) as f64 - theme);
    }
    let data = DriverData {
        names: vec!["delivery".into(), "noise".into()],
        rows,
        outcome,
    };
    let weak = analyse(&data, Method::ShapleyR2).expect("valid data");
    assert!(weak.r_squared < MIN_R_SQUARED_TO_RANK, "{}", weak.r_squared);
    assert!(!weak.ranks_drivers());
    // The same effect without the noise explains nearly everything.
    let clean = DriverData {
        outcome: data.rows.iter().map(|r| 5.0 - r[0]).collect(),
        ..data
    };
    let strong = analyse(&clean, Method::ShapleyR2).expect("valid data");
    assert!(strong.ranks_drivers(), "{}", strong.r_squared);
}

#[test]
fn constant_drivers_are_dropped_and_listed() {
    let mut data = survey(300, 5);
    data.names.insert(1, "never_mentioned".into());
    for row in &mut data.rows {
        row.insert(1, 0.0);
    }
    let report = analyse(&data, Method::ShapleyR2).expect("valid survey");
    assert_eq!(report.dropped, ["never_mentioned"]);
    assert_eq!(report.drivers.len(), 6);
    assert!(report.drivers.iter().all(|d| d.name != "never_mentioned"));
}

#[test]
fn the_largest_exact_shapley_run_and_a_wide_relative_weights_run() {
    // 15 drivers is the Shapley limit (2^15 subsets); relative weights take 40 at once.
    let mut rng = Lcg(99);
    let k = 40;
    let (mut rows, mut outcome) = (Vec::new(), Vec::new());
    for _ in 0..400 {
        let row: Vec<f64> = (0..k).map(|j| rng.chance(0.1 + 0.01 * j as f64)).collect();
        outcome.push(7.0 - 2.0 * row[3] + row[10] + rng.normal());
        rows.push(row);
    }
    let names: Vec<String> = (0..k).map(|j| format!("theme_{j}")).collect();
    let wide = DriverData {
        names: names.clone(),
        rows: rows.clone(),
        outcome: outcome.clone(),
    };
    let report = analyse(&wide, Method::RelativeWeights).expect("40 drivers are fine");
    assert_eq!(report.drivers[0].name, "theme_3");
    let raw: f64 = report.drivers.iter().map(|d| d.raw_importance).sum();
    assert!((raw - report.r_squared).abs() < 1e-10);

    let narrow = DriverData {
        names: names[..15].to_vec(),
        rows: rows.iter().map(|row| row[..15].to_vec()).collect(),
        outcome,
    };
    let shapley = analyse(&narrow, Method::ShapleyR2).expect("15 drivers are fine");
    let weights = analyse(&narrow, Method::RelativeWeights).expect("15 drivers are fine");
    assert_eq!(shapley.drivers[0].name, "theme_3");
    assert_eq!(shapley.drivers[1].name, "theme_10");
    let raw: f64 = shapley.drivers.iter().map(|d| d.raw_importance).sum();
    assert!((raw - shapley.r_squared).abs() < 1e-12);
    assert!((weights.r_squared - shapley.r_squared).abs() < 1e-12);
    // Deterministic: the same input gives the same report.
    assert_eq!(analyse(&narrow, Method::ShapleyR2), Ok(shapley));
}

#[test]
fn the_report_serialises_with_snake_case_quadrants() {
    let report = analyse(&survey(200, 12), Method::RelativeWeights).expect("valid survey");
    let json = serde_json::to_value(&report).expect("serialisable");
    assert_eq!(json["method"], "relative weights (Johnson 2000)");
    assert_eq!(json["n"], 200);
    assert_eq!(json["drivers"][0]["name"], "billing_problem");
    assert_eq!(json["drivers"][0]["quadrant"], "fix_first");
    assert!(json["drivers"][0]["outcome_when_present"].is_f64());
    assert_eq!(json["dropped"], serde_json::json!([]));
}
