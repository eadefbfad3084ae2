//! Kaplan–Meier retention curves with Greenwood standard errors, overall and per cohort.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{Result, ValueError};

/// How long a customer was observed and whether the observation ended in churn
/// (`churned = false` means still active: right-censored).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Duration {
    pub time: f64,
    pub churned: bool,
}

/// One step of the survival curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SurvivalPoint {
    pub time: f64,
    /// Customers still observed just before `time`.
    pub at_risk: usize,
    pub churned: usize,
    pub censored: usize,
    /// S(time): share retained past `time`.
    pub survival: f64,
    /// Greenwood standard error of S(time).
    pub std_error: f64,
}

/// Kaplan–Meier estimate: S(t) = Π_{t_i ≤ t} (1 − d_i / n_i), one point per distinct time.
pub fn kaplan_meier(durations: &[Duration]) -> Result<Vec<SurvivalPoint>> {
    if let Some(bad) = durations
        .iter()
        .find(|d| !(d.time >= 0.0 && d.time.is_finite()))
    {
        return Err(ValueError::InvalidArgument(format!(
            "durations must be finite and >= 0, got {}",
            bad.time
        )));
    }
    let mut sorted = durations.to_vec();
    sorted.sort_by(|a, b| a.time.total_cmp(&b.time));
    let mut at_risk = sorted.len();
    let (mut s, mut greenwood) = (1.0, 0.0);
    let mut out = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let t = sorted[i].time;
        let (mut d, mut c) = (0, 0);
        while i < sorted.len() && sorted[i].time == t {
            if sorted[i].churned {
                d += 1;
            } else {
                c += 1;
            }
            i += 1;
        }
        if d > 0 {
            s *= 1.0 - d as f64 / at_risk as f64;
            if at_risk > d {
                greenwood += d as f64 / (at_risk as f64 * (at_risk - d) as f64);
            }
        }
        out.push(SurvivalPoint {
            time: t,
            at_risk,
            churned: d,
            censored: c,
            survival: s,
            std_error: s * greenwood.sqrt(),
        });
        at_risk -= d + c;
    }
    Ok(out)
}

/// One Kaplan–Meier curve per cohort label (e.g. signup month), in label order.
pub fn kaplan_meier_by_cohort(
    rows: &[(String, Duration)],
) -> Result<BTreeMap<String, Vec<SurvivalPoint>>> {
    let mut by: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    for (k, d) in rows {
        by.entry(k.clone()).or_default().push(*d);
    }
    by.into_iter()
        .map(|(k, v)| Ok((k, kaplan_meier(&v)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(time: f64, churned: bool) -> Duration {
        Duration { time, churned }
    }

    #[test]
    fn matches_hand_computation() {
        let obs = [
            d(1.0, true),
            d(2.0, true),
            d(2.0, false),
            d(3.0, true),
            d(4.0, true),
            d(5.0, false),
        ];
        let km = kaplan_meier(&obs).unwrap();
        let s: Vec<f64> = km.iter().map(|p| p.survival).collect();
        let want = [5.0 / 6.0, 4.0 / 6.0, 4.0 / 9.0, 2.0 / 9.0, 2.0 / 9.0];
        for (g, w) in s.iter().zip(want) {
            assert!((g - w).abs() < 1e-15);
        }
        assert_eq!(km[2].at_risk, 3);
        // Greenwood at t = 1: S sqrt(1 / (6·5)).
        assert!((km[0].std_error - 5.0 / 6.0 * (1.0f64 / 30.0).sqrt()).abs() < 1e-15);
        assert!(kaplan_meier(&[d(f64::NAN, true)]).is_err());
    }

    #[test]
    fn splits_by_cohort() {
        let rows = vec![
            ("2024-01".to_string(), d(1.0, true)),
            ("2024-02".to_string(), d(3.0, false)),
            ("2024-01".to_string(), d(2.0, false)),
        ];
        let c = kaplan_meier_by_cohort(&rows).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c["2024-01"][0].survival, 0.5);
        assert_eq!(c["2024-02"][0].survival, 1.0);
    }
}
