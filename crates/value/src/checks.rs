//! Model checks: calibration-vs-holdout comparison of BG/NBD forecasts with what happened.

use serde::Serialize;

use crate::bgnbd::BgNbdParams;
use crate::error::{Result, ValueError};
use crate::summary::CustomerSummary;

/// One calibration-frequency bucket of the holdout comparison.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct HoldoutRow {
    /// Calibration frequency x; the last bucket holds every x ≥ this value.
    pub frequency: u32,
    /// "0", "1", …, or "7+" for the open last bucket.
    pub label: String,
    pub customers: usize,
    /// Mean actual repeat purchases in the holdout.
    pub actual: f64,
    /// Mean E[Y(holdout_length) | x, t_x, T].
    pub expected: f64,
}

/// Expected vs actual holdout repeat purchases by calibration frequency (FHL 2005, fig. 5),
/// plus a final "all" row with totals per customer. `max_bucket` opens the last bucket.
pub fn calibration_holdout_table(
    params: &BgNbdParams,
    calibration: &[CustomerSummary],
    holdout_counts: &[u32],
    holdout_length: f64,
    max_bucket: u32,
) -> Result<Vec<HoldoutRow>> {
    if calibration.len() != holdout_counts.len() {
        return Err(ValueError::InvalidArgument(format!(
            "{} calibration summaries but {} holdout counts",
            calibration.len(),
            holdout_counts.len()
        )));
    }
    if holdout_length.is_nan() || holdout_length <= 0.0 {
        return Err(ValueError::InvalidArgument(format!(
            "holdout length must be > 0, got {holdout_length}"
        )));
    }
    let buckets = max_bucket as usize + 1;
    let mut n = vec![0usize; buckets];
    let mut actual = vec![0.0; buckets];
    let mut expected = vec![0.0; buckets];
    for (s, &h) in calibration.iter().zip(holdout_counts) {
        let k = (s.frequency.min(max_bucket)) as usize;
        n[k] += 1;
        actual[k] += f64::from(h);
        expected[k] += params.expected_purchases(holdout_length, s.frequency, s.recency, s.t);
    }
    let mean = |sum: f64, count: usize| if count == 0 { 0.0 } else { sum / count as f64 };
    let mut rows: Vec<HoldoutRow> = (0..buckets)
        .map(|k| HoldoutRow {
            frequency: k as u32,
            label: if k as u32 == max_bucket {
                format!("{k}+")
            } else {
                k.to_string()
            },
            customers: n[k],
            actual: mean(actual[k], n[k]),
            expected: mean(expected[k], n[k]),
        })
        .collect();
    let total = calibration.len();
    rows.push(HoldoutRow {
        frequency: max_bucket,
        label: "all".into(),
        customers: total,
        actual: mean(actual.iter().sum(), total),
        expected: mean(expected.iter().sum(), total),
    });
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_and_means() {
        let bg = BgNbdParams {
            r: 0.243,
            alpha: 4.414,
            a: 0.793,
            b: 2.426,
        };
        let cal = [
            CustomerSummary::new(0, 0.0, 30.0),
            CustomerSummary::new(0, 0.0, 20.0),
            CustomerSummary::new(3, 10.0, 30.0),
            CustomerSummary::new(9, 29.0, 30.0),
        ];
        let rows = calibration_holdout_table(&bg, &cal, &[1, 0, 2, 6], 39.0, 3).unwrap();
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[0].customers, 2);
        assert_eq!(rows[0].actual, 0.5);
        assert_eq!(rows[3].label, "3+");
        assert_eq!(rows[3].customers, 2);
        assert_eq!(rows[3].actual, 4.0);
        let e = bg.expected_purchases(39.0, 0, 0.0, 30.0);
        let e2 = bg.expected_purchases(39.0, 0, 0.0, 20.0);
        assert!((rows[0].expected - (e + e2) / 2.0).abs() < 1e-12);
        assert_eq!(rows[4].label, "all");
        assert_eq!(rows[4].actual, 9.0 / 4.0);
        assert!(calibration_holdout_table(&bg, &cal, &[1], 39.0, 3).is_err());
    }
}
