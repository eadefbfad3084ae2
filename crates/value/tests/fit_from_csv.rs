//! The CLI entry point on CDNOW files: both layouts, JSON keys, text output, errors.

mod common;

use throughline_value::{fit_from_csv, Date, FitOptions, Period, ValueError};

fn cdnow_options() -> FitOptions {
    FitOptions {
        calibration_end: Some(Date::parse("1997-09-30").unwrap()),
        period: Period::Week,
    }
}

#[test]
fn purchases_csv_reproduces_published_estimates() {
    let csv = common::cdnow_purchases_csv();
    let rep = fit_from_csv(csv.as_bytes(), &cdnow_options()).unwrap();
    assert_eq!(rep.input, "purchases");
    assert_eq!(rep.n_customers, 2357);
    assert_eq!((rep.r * 1000.0).round(), 243.0);
    assert_eq!((rep.alpha * 1000.0).round(), 4414.0);
    assert_eq!((rep.a * 1000.0).round(), 793.0);
    assert_eq!((rep.b * 1000.0).round(), 2426.0);
    assert_eq!((rep.log_likelihood * 10.0).round(), -95824.0);
    assert!((rep.p.unwrap() - 6.25).abs() < 0.01);
    assert!((rep.q.unwrap() - 3.74).abs() < 0.01);
    assert!((rep.v.unwrap() - 15.44).abs() < 0.01);

    let json = serde_json::to_value(&rep).unwrap();
    for key in [
        "r",
        "alpha",
        "a",
        "b",
        "log_likelihood",
        "p",
        "q",
        "v",
        "n_customers",
    ] {
        assert!(json[key].is_number(), "{key} missing in {json}");
    }
    assert!(json["se"]["r"].is_number() && json["se"]["v"].is_number());
    assert_eq!(json["period"], "week");
    assert_eq!(json["calibration_end"], "1997-09-30");

    let text = rep.to_string();
    assert!(text.contains("BG/NBD") && text.contains("alpha") && text.contains("Gamma-Gamma"));
}

#[test]
fn summaries_csv_without_spend_fits_bgnbd_only() {
    let f = std::fs::File::open(common::fixture("cdnow_customers_summary.csv")).unwrap();
    let rep = fit_from_csv(f, &FitOptions::default()).unwrap();
    assert_eq!(rep.input, "summaries");
    assert_eq!((rep.r * 1000.0).round(), 243.0);
    assert!(rep.p.is_none());
    assert!(rep
        .spend_model_error
        .unwrap()
        .contains("no monetary values"));
    // --calibration-end makes no sense for summaries.
    let f = std::fs::File::open(common::fixture("cdnow_customers_summary.csv")).unwrap();
    assert!(matches!(
        fit_from_csv(f, &cdnow_options()),
        Err(ValueError::InvalidArgument(_))
    ));
}

#[test]
fn day_period_rescales_alpha() {
    let csv = common::cdnow_purchases_csv();
    let opts = FitOptions {
        period: Period::Day,
        ..cdnow_options()
    };
    let rep = fit_from_csv(csv.as_bytes(), &opts).unwrap();
    // Rates per day: alpha scales by 7, the shape parameters are unit free.
    assert!((rep.alpha / 7.0 - 4.414).abs() < 0.01, "{}", rep.alpha);
    assert!((rep.r - 0.243).abs() < 1e-3 && (rep.b - 2.426).abs() < 5e-3);
}

#[test]
fn errors_are_clear() {
    let e = fit_from_csv(
        "customer_id,date,amount\nc1,1997-01-01,x\n".as_bytes(),
        &FitOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(e, "line 2, field `amount`: `x` is not a finite number");
    let tiny = "customer_id,date,amount\nc1,1997-01-01,1\nc1,1997-02-01,1\n";
    let e = fit_from_csv(tiny.as_bytes(), &FitOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("too few customers"), "{e}");
}
