//! Bootstrap intervals on importance shares: they cover the share a very large sample
//! gives about as often as a 95% interval should, they narrow as n grows, and they
//! are reproducible.

mod common;

use common::{driver, survey};
use throughline_drivers::{analyse_with, analyse_with_intervals, Method, OutcomePolarity};

const UP: OutcomePolarity = OutcomePolarity::HigherIsBetter;

#[test]
fn intervals_cover_the_population_share_about_95_percent_of_the_time() {
    // The share a sample of 200,000 gives stands in for the population's.
    let truth = analyse_with(&survey(200_000, 1), Method::ShapleyR2, UP).unwrap();
    let names = ["billing_problem", "slow_delivery", "friendly_staff"];
    let (mut covered, mut total) = (0, 0);
    for seed in 100..180 {
        let report = analyse_with_intervals(&survey(300, seed), Method::ShapleyR2, UP).unwrap();
        assert_eq!(report.resamples, throughline_drivers::RESAMPLES);
        for name in names {
            let [low, high] = driver(&report, name).importance_ci.unwrap();
            let share = driver(&truth, name).importance;
            total += 1;
            covered += usize::from(low <= share && share <= high);
        }
    }
    let coverage = covered as f64 / total as f64;
    eprintln!("coverage of 95% bootstrap intervals: {covered}/{total} = {coverage:.3}");
    // 240 intervals: a true 95% gives 0.92–0.98 nineteen times in twenty.
    assert!((0.88..=0.99).contains(&coverage), "coverage {coverage}");
}

#[test]
fn intervals_hold_the_estimate_and_narrow_as_the_sample_grows() {
    let width = |n: usize| {
        let report = analyse_with_intervals(&survey(n, 7), Method::ShapleyR2, UP).unwrap();
        let billing = driver(&report, "billing_problem");
        let [low, high] = billing.importance_ci.unwrap();
        assert!(low <= billing.importance && billing.importance <= high);
        high - low
    };
    let (small, large) = (width(200), width(5000));
    assert!(large < small / 3.0, "n=200: {small}, n=5000: {large}");
}

#[test]
fn the_same_data_give_the_same_intervals_and_plain_analyse_gives_none() {
    let data = survey(400, 3);
    let a = analyse_with_intervals(&data, Method::RelativeWeights, UP).unwrap();
    let b = analyse_with_intervals(&data, Method::RelativeWeights, UP).unwrap();
    assert_eq!(a, b);
    let plain = analyse_with(&data, Method::RelativeWeights, UP).unwrap();
    assert!(plain.drivers.iter().all(|d| d.importance_ci.is_none()));
    assert_eq!(plain.resamples, 0);
    // Everything else is the same report.
    for (x, y) in a.drivers.iter().zip(&plain.drivers) {
        assert_eq!(
            (x.name.as_str(), x.importance),
            (y.name.as_str(), y.importance)
        );
    }
}
