//! Refusals: each names what is wrong with the data, and which column.

mod common;

use common::{survey, Lcg};
use throughline_drivers::{analyse, DriverData, DriverError, Method};

fn check_refusal(data: &DriverData, method: Method, expected: DriverError, message: &str) {
    let error = analyse(data, method).expect_err("should refuse");
    assert_eq!(error, expected);
    assert_eq!(error.to_string(), message);
}

#[test]
fn refusals_name_the_problem() {
    let small = survey(39, 1);
    check_refusal(
        &DriverData {
            names: small.names[..1].to_vec(),
            rows: small.rows[..29].iter().map(|r| r[..1].to_vec()).collect(),
            outcome: small.outcome[..29].to_vec(),
        },
        Method::ShapleyR2,
        DriverError::TooFewRows { n: 29, needed: 30 },
        "too few respondents: 29, need at least 30 (max(30, 5 per driver))",
    );
    let mut eight = small.clone();
    eight.names.extend(["a".to_string(), "b".to_string()]);
    let mut rng = Lcg(2);
    for row in &mut eight.rows {
        row.extend([rng.chance(0.5), rng.chance(0.5)]);
    }
    check_refusal(
        &eight,
        Method::RelativeWeights,
        DriverError::TooFewRows { n: 39, needed: 40 },
        "too few respondents: 39, need at least 40 (max(30, 5 per driver))",
    );

    let mut wide = survey(200, 4);
    for extra in 0..10 {
        wide.names.push(format!("extra_{extra}"));
    }
    for row in &mut wide.rows {
        row.extend((0..10).map(|_| rng.chance(0.5)));
    }
    check_refusal(
        &wide,
        Method::ShapleyR2,
        DriverError::TooManyDrivers { k: 16, max: 15 },
        "too many drivers for this method: 16, at most 15",
    );
    assert!(analyse(&wide, Method::RelativeWeights).is_ok());

    let mut flat = survey(100, 6);
    flat.outcome = vec![9.0; 100];
    check_refusal(
        &flat,
        Method::ShapleyR2,
        DriverError::NoVariance {
            name: "outcome".into(),
        },
        "`outcome` has the same value for every respondent",
    );

    let mut blank = survey(100, 6);
    for row in &mut blank.rows {
        row.iter_mut().for_each(|v| *v = 1.0);
    }
    check_refusal(
        &blank,
        Method::ShapleyR2,
        DriverError::NoDrivers,
        "no driver varies across respondents",
    );

    let mut duplicate = survey(100, 8);
    duplicate.names.push("billing_again".into());
    for row in &mut duplicate.rows {
        row.push(row[0]);
    }
    for method in [Method::ShapleyR2, Method::RelativeWeights] {
        check_refusal(
            &duplicate,
            method,
            DriverError::Collinear {
                name: "billing_again".into(),
            },
            "driver `billing_again` is (almost) a linear combination of other drivers; \
             remove or merge it",
        );
    }
}

#[test]
fn malformed_input_is_refused_before_any_arithmetic() {
    let mut short_outcome = survey(50, 9);
    short_outcome.outcome.pop();
    check_refusal(
        &short_outcome,
        Method::ShapleyR2,
        DriverError::LengthMismatch {
            what: "outcome".into(),
            expected: 50,
            found: 49,
        },
        "outcome has 49 values, expected 50",
    );
    let mut ragged = survey(50, 9);
    ragged.rows[7].pop();
    check_refusal(
        &ragged,
        Method::ShapleyR2,
        DriverError::LengthMismatch {
            what: "row 7".into(),
            expected: 6,
            found: 5,
        },
        "row 7 has 5 values, expected 6",
    );
    let mut nan = survey(50, 9);
    nan.rows[3][2] = f64::NAN;
    check_refusal(
        &nan,
        Method::RelativeWeights,
        DriverError::NonFinite {
            row: 3,
            column: "friendly_staff".into(),
        },
        "row 3, `friendly_staff`: value is not a finite number",
    );
}
