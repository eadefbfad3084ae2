//! The importance × performance priority matrix (Martilla & James 1977, "Importance-performance
//! analysis", Journal of Marketing 41(1)): where each driver sits, and so what to do about it.
//!
//! The split rule is documented on [`crate::Quadrant`]; this module is its one implementation.

use crate::prepare::DriverFacts;
use crate::{OutcomePolarity, Quadrant};

/// Quadrants for drivers with the given importance shares (summing to 1, or all 0).
pub(crate) fn quadrants(
    drivers: &[DriverFacts],
    importance: &[f64],
    polarity: OutcomePolarity,
) -> Vec<Quadrant> {
    let k = drivers.len().max(1) as f64;
    // Mean importance is 1/k; the small slack keeps equal shares (e.g. all drivers identical
    // in strength) from splitting on rounding noise.
    let importance_cut = importance.iter().sum::<f64>() / k + 1e-12;

    let rescaled: Vec<Option<f64>> = drivers.iter().map(rescaled_rating).collect();
    let ratings: Vec<f64> = rescaled.iter().flatten().copied().collect();
    let rating_cut = if ratings.len() >= 2 {
        ratings.iter().sum::<f64>() / ratings.len() as f64
    } else {
        0.5
    };

    drivers
        .iter()
        .zip(importance)
        .zip(&rescaled)
        .map(|((driver, &share), rescaled)| {
            let weak = match rescaled {
                Some(performance) => *performance < rating_cut,
                None => hurts(driver, polarity),
            };
            match (share > importance_cut, weak) {
                (true, true) => Quadrant::FixFirst,
                (true, false) => Quadrant::Maintain,
                (false, true) => Quadrant::Monitor,
                (false, false) => Quadrant::LowerPriority,
            }
        })
        .collect()
}

/// A rating's mean rescaled to the range respondents used; `None` for binary drivers.
fn rescaled_rating(driver: &DriverFacts) -> Option<f64> {
    let range = driver.max - driver.min;
    (!driver.binary && range > 0.0).then(|| (driver.mean - driver.min) / range)
}

/// Whether the outcome is worse where a binary driver is present than where it is absent.
fn hurts(driver: &DriverFacts, polarity: OutcomePolarity) -> bool {
    match (driver.outcome_when_present, driver.outcome_when_absent) {
        (Some(present), Some(absent)) => match polarity {
            OutcomePolarity::HigherIsBetter => present < absent,
            OutcomePolarity::LowerIsBetter => present > absent,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Quadrant::*;

    fn binary(present: f64, absent: f64) -> DriverFacts {
        DriverFacts {
            name: String::new(),
            mean: 0.5,
            min: 0.0,
            max: 1.0,
            binary: true,
            n_present: 1,
            outcome_when_present: Some(present),
            outcome_when_absent: Some(absent),
        }
    }

    fn rating(mean: f64, min: f64, max: f64) -> DriverFacts {
        DriverFacts {
            name: String::new(),
            mean,
            min,
            max,
            binary: false,
            n_present: 0,
            outcome_when_present: None,
            outcome_when_absent: None,
        }
    }

    fn check(
        drivers: &[DriverFacts],
        importance: &[f64],
        polarity: OutcomePolarity,
        want: &[Quadrant],
    ) {
        assert_eq!(quadrants(drivers, importance, polarity), want);
    }

    #[test]
    fn binary_drivers_split_on_mean_importance_and_effect_sign() {
        let drivers = [
            binary(4.0, 8.0), // "billing problem": hurts, important
            binary(9.0, 7.0), // "friendly staff": helps, important
            binary(6.0, 7.0), // hurts a little, unimportant
            binary(7.5, 7.0), // helps a little, unimportant
        ];
        let importance = [0.4, 0.3, 0.2, 0.1];
        let higher = OutcomePolarity::HigherIsBetter;
        check(
            &drivers,
            &importance,
            higher,
            &[FixFirst, Maintain, Monitor, LowerPriority],
        );
        // For churn (lower is better) the same gaps mean the opposite.
        let lower = OutcomePolarity::LowerIsBetter;
        check(
            &drivers,
            &importance,
            lower,
            &[Maintain, FixFirst, LowerPriority, Monitor],
        );
    }

    #[test]
    fn exactly_mean_importance_is_not_high() {
        let drivers = [binary(4.0, 8.0), binary(4.0, 8.0)];
        let higher = OutcomePolarity::HigherIsBetter;
        check(&drivers, &[0.5, 0.5], higher, &[Monitor, Monitor]);
    }

    #[test]
    fn ratings_compare_with_each_other_on_their_own_ranges() {
        // Rescaled: 0.8, 0.5 (3 on a 1..5 scale), 0.7 → crosshair 2/3.
        let drivers = [
            rating(8.0, 0.0, 10.0),
            rating(3.0, 1.0, 5.0),
            rating(7.0, 0.0, 10.0),
        ];
        let higher = OutcomePolarity::HigherIsBetter;
        check(
            &drivers,
            &[0.5, 0.3, 0.2],
            higher,
            &[Maintain, Monitor, LowerPriority],
        );
    }

    #[test]
    fn a_lone_rating_is_weak_below_the_middle_of_its_range() {
        let higher = OutcomePolarity::HigherIsBetter;
        check(
            &[rating(4.0, 0.0, 10.0), binary(7.0, 7.0)],
            &[0.9, 0.1],
            higher,
            &[FixFirst, LowerPriority],
        );
        check(&[rating(6.0, 0.0, 10.0)], &[1.0], higher, &[LowerPriority]);
    }
}
