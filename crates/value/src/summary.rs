//! Per-customer RFM summaries (frequency, recency, T, monetary value) built from raw purchases.
//!
//! Conventions follow the published CDNOW analyses and the `lifetimes` package: purchases are
//! collapsed per distinct calendar day, the first day is the customer's "birth" and does not
//! count as a repeat, recency and T are measured from birth in fractional periods, and the
//! monetary value is the mean of the repeat days' totals (the first purchase is excluded).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::date::Date;
use crate::error::{Result, ValueError};

/// The unit recency, T and forecast horizons are expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// Fractional weeks (7 days): the convention of the published CDNOW estimates.
    #[default]
    Week,
    /// Days.
    Day,
}

impl Period {
    /// Length of one period in days.
    pub fn days(self) -> f64 {
        match self {
            Period::Week => 7.0,
            Period::Day => 1.0,
        }
    }
}

impl FromStr for Period {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Period> {
        match s.trim().to_ascii_lowercase().as_str() {
            "week" | "weeks" | "w" => Ok(Period::Week),
            "day" | "days" | "d" => Ok(Period::Day),
            other => Err(ValueError::InvalidArgument(format!(
                "unknown period `{other}` (expected week or day)"
            ))),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Period::Week => "week",
            Period::Day => "day",
        })
    }
}

/// One raw purchase.
#[derive(Debug, Clone, PartialEq)]
pub struct Purchase {
    pub customer_id: String,
    pub date: Date,
    pub amount: f64,
}

/// A customer's calibration-period summary, the input of BG/NBD and Gamma-Gamma.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CustomerSummary {
    /// Repeat purchases `x` (distinct purchase days after the first).
    pub frequency: u32,
    /// `t_x`: time from first to last purchase, in periods.
    pub recency: f64,
    /// `T`: time from first purchase to the end of calibration, in periods.
    #[serde(rename = "T")]
    pub t: f64,
    /// Mean value of the repeat purchases, when known (None without repeats or amounts).
    pub monetary_value: Option<f64>,
}

impl CustomerSummary {
    /// Summary without a monetary value.
    pub fn new(frequency: u32, recency: f64, t: f64) -> CustomerSummary {
        CustomerSummary {
            frequency,
            recency,
            t,
            monetary_value: None,
        }
    }
}

/// A customer's calibration summary plus what they did in the holdout window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerRecord {
    pub customer_id: String,
    pub summary: CustomerSummary,
    /// Distinct purchase days in (calibration end, observation end].
    pub holdout_frequency: u32,
}

/// Summaries as of `calibration_end` (inclusive), one per customer whose first purchase is on or
/// before it, in order of first appearance in `purchases`.
pub fn summarize(
    purchases: &[Purchase],
    calibration_end: Date,
    period: Period,
) -> Vec<CustomerRecord> {
    summarize_with_holdout(purchases, calibration_end, calibration_end, period)
}

/// Like [`summarize`], also counting holdout purchase days in (calibration_end, observation_end].
pub fn summarize_with_holdout(
    purchases: &[Purchase],
    calibration_end: Date,
    observation_end: Date,
    period: Period,
) -> Vec<CustomerRecord> {
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    let mut keyed: Vec<(u32, i32, f64)> = Vec::with_capacity(purchases.len());
    for p in purchases {
        let next = names.len() as u32;
        let idx = *ids.entry(p.customer_id.as_str()).or_insert_with(|| {
            names.push(p.customer_id.as_str());
            next
        });
        keyed.push((idx, p.date.days(), p.amount));
    }
    keyed.sort_by_key(|k| (k.0, k.1));

    let cal = calibration_end.days();
    let obs = observation_end.days().max(cal);
    let unit = period.days();
    let mut out = Vec::with_capacity(names.len());
    let mut i = 0;
    while i < keyed.len() {
        let cust = keyed[i].0;
        // Collapse this customer's purchases into (day, total) pairs.
        let mut days: Vec<(i32, f64)> = Vec::new();
        while i < keyed.len() && keyed[i].0 == cust {
            let (_, day, amount) = keyed[i];
            match days.last_mut() {
                Some(last) if last.0 == day => last.1 += amount,
                _ => days.push((day, amount)),
            }
            i += 1;
        }
        let first = days[0].0;
        if first > cal {
            continue; // not yet a customer at the end of calibration
        }
        let in_cal = days.iter().take_while(|d| d.0 <= cal).count();
        let repeats = &days[1..in_cal];
        let last = days[in_cal - 1].0;
        let holdout = days[in_cal..].iter().filter(|d| d.0 <= obs).count() as u32;
        let monetary_value = if repeats.is_empty() {
            None
        } else {
            Some(repeats.iter().map(|d| d.1).sum::<f64>() / repeats.len() as f64)
        };
        out.push(CustomerRecord {
            customer_id: names[cust as usize].to_string(),
            summary: CustomerSummary {
                frequency: repeats.len() as u32,
                recency: f64::from(last - first) / unit,
                t: f64::from(cal - first) / unit,
                monetary_value,
            },
            holdout_frequency: holdout,
        });
    }
    out
}

/// The latest purchase date, the default calibration end.
pub fn last_purchase_date(purchases: &[Purchase]) -> Option<Date> {
    purchases.iter().map(|p| p.date).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buy(id: &str, date: &str, amount: f64) -> Purchase {
        Purchase {
            customer_id: id.into(),
            date: Date::parse(date).unwrap(),
            amount,
        }
    }

    #[test]
    fn collapses_days_and_excludes_first_purchase_from_spend() {
        let p = vec![
            buy("a", "1997-01-01", 10.0),
            buy("a", "1997-01-15", 5.0),
            buy("a", "1997-01-15", 7.0), // same day: one repeat of 12
            buy("a", "1997-01-29", 20.0),
            buy("a", "1997-03-01", 99.0), // holdout
            buy("b", "1997-01-08", 3.0),
            buy("c", "1997-02-20", 1.0), // after calibration: not a customer yet
        ];
        let cal = Date::parse("1997-02-12").unwrap();
        let obs = Date::parse("1997-12-31").unwrap();
        let s = summarize_with_holdout(&p, cal, obs, Period::Week);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].customer_id, "a");
        assert_eq!(s[0].summary.frequency, 2);
        assert!((s[0].summary.recency - 4.0).abs() < 1e-12);
        assert!((s[0].summary.t - 6.0).abs() < 1e-12);
        assert_eq!(s[0].summary.monetary_value, Some(16.0));
        assert_eq!(s[0].holdout_frequency, 1);
        assert_eq!(s[1].summary.frequency, 0);
        assert_eq!(s[1].summary.monetary_value, None);
        assert!((s[1].summary.t - 5.0).abs() < 1e-12);

        let d = summarize(&p, cal, Period::Day);
        assert!((d[0].summary.t - 42.0).abs() < 1e-12);
        assert_eq!(d[0].holdout_frequency, 0);
    }

    #[test]
    fn parses_periods() {
        assert_eq!("week".parse::<Period>().unwrap(), Period::Week);
        assert_eq!("Day".parse::<Period>().unwrap(), Period::Day);
        assert!("month".parse::<Period>().is_err());
    }
}
