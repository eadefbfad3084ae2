//! What a page is about: filters on the signal dimensions, the time grain and
//! the comparison window, turned into SQL predicates with quoted literals.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use throughline_domain::Dimension;

use crate::error::{DashboardError, Result};

/// The dimensions a KPI can be sliced and filtered by, in the order menus list them.
pub const DIMENSIONS: [Dimension; 7] = [
    Dimension::Brand,
    Dimension::Channel,
    Dimension::Touchpoint,
    Dimension::Stage,
    Dimension::Region,
    Dimension::Store,
    Dimension::Team,
];
/// Longest filter value accepted (the wire format's dimension limit).
const MAX_VALUE_BYTES: usize = 200;
/// Widest comparison window, in months.
pub const MAX_MONTHS: u32 = 24;

/// Equality filters on dimensions, combined with AND; `months` is the length of the
/// current period (the previous period has the same length).
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Filters {
    pub brand: Option<String>,
    pub channel: Option<String>,
    pub touchpoint: Option<String>,
    pub stage: Option<String>,
    pub region: Option<String>,
    pub store: Option<String>,
    pub team: Option<String>,
    pub months: Option<u32>,
}

impl Filters {
    /// The set filters as (dimension, value), in `DIMENSIONS` order.
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        let values = [
            &self.brand,
            &self.channel,
            &self.touchpoint,
            &self.stage,
            &self.region,
            &self.store,
            &self.team,
        ];
        DIMENSIONS
            .iter()
            .zip(values)
            .filter_map(|(d, v)| {
                v.as_deref()
                    .filter(|v| !v.is_empty())
                    .map(|v| (d.as_str(), v))
            })
            .collect()
    }

    /// Refuses values no dimension can hold, and windows out of range.
    pub fn validate(&self) -> Result<()> {
        for (field, value) in self.pairs() {
            if value.len() > MAX_VALUE_BYTES || value.contains('\0') {
                return Err(DashboardError::BadFilter {
                    field,
                    reason: format!("at most {MAX_VALUE_BYTES} bytes, no NUL"),
                });
            }
        }
        if let Some(m) = self.months {
            if m == 0 || m > MAX_MONTHS {
                return Err(DashboardError::BadFilter {
                    field: "months",
                    reason: format!("between 1 and {MAX_MONTHS}"),
                });
            }
        }
        Ok(())
    }

    /// `AND dim = 'value' …` for every set filter (empty when none).
    pub fn sql(&self) -> String {
        self.pairs()
            .into_iter()
            .map(|(d, v)| format!(" AND {d} = {}", quote(v)))
            .collect()
    }

    /// The filters as a URL query string (without `?`), for links that keep them.
    pub fn query_string(&self) -> String {
        let mut parts: Vec<String> = self
            .pairs()
            .into_iter()
            .map(|(d, v)| format!("{d}={}", url_encode(v)))
            .collect();
        if let Some(m) = self.months {
            parts.push(format!("months={m}"));
        }
        parts.join("&")
    }

    pub fn months(&self) -> u32 {
        self.months.unwrap_or(3)
    }
}

/// SQL for the value of `key` in a row's `properties` (strings unquoted), and the cheap
/// pre-filter for rows that have it. `properties` is compact JSON written by our own encoder,
/// so `"key":value` is found by a pattern (the copy's `property` function). `key` must be a
/// plain name (letters, digits, _).
pub(crate) fn property_sql(key: &str) -> (String, String) {
    (
        format!("property(properties, '{key}')"),
        format!("properties LIKE '%\"{key}\":%'"),
    )
}

/// The SQL timestamp of `day`'s first instant, UTC.
pub(crate) fn day_start(day: NaiveDate) -> String {
    format!("TIMESTAMP '{day}T00:00:00Z'")
}

/// A SQL string literal: single quotes doubled.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Percent-encodes everything but RFC 3986 unreserved characters: safe in a path
/// segment and in a query value.
pub fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Time buckets for trends.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Grain {
    Day,
    Week,
    #[default]
    Month,
    Quarter,
}

impl Grain {
    pub fn sql_unit(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
        }
    }

    pub fn parse(s: &str) -> Result<Grain> {
        match s {
            "day" => Ok(Grain::Day),
            "week" => Ok(Grain::Week),
            "month" => Ok(Grain::Month),
            "quarter" => Ok(Grain::Quarter),
            _ => Err(DashboardError::BadFilter {
                field: "grain",
                reason: "one of day, week, month, quarter".into(),
            }),
        }
    }
}

/// A half-open window of whole calendar months, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// The `months` calendar months that end with the month of `as_of`, and the
    /// same number of months before them.
    pub fn current_and_previous(as_of: NaiveDate, months: u32) -> (Period, Period) {
        let first_of = |d: NaiveDate| d.with_day(1).unwrap_or(d);
        let end = first_of(as_of) + Months::new(1);
        let start = end - Months::new(months);
        let previous_start = start - Months::new(months);
        (
            Period { start, end },
            Period {
                start: previous_start,
                end: start,
            },
        )
    }

    /// `occurred_at >= 'start' AND occurred_at < 'end'`.
    pub fn sql(&self) -> String {
        format!(
            " AND occurred_at >= {} AND occurred_at < {}",
            day_start(self.start),
            day_start(self.end)
        )
    }

    /// From the start of `earlier` to the end of `later`: both periods in one scan.
    pub(crate) fn spanning(earlier: &Period, later: &Period) -> Period {
        Period {
            start: earlier.start,
            end: later.end,
        }
    }

    pub fn label(&self) -> String {
        let last = self.end.pred_opt().unwrap_or(self.end);
        format!("{} – {}", self.start.format("%b %Y"), last.format("%b %Y"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_quoted_predicates_and_links() {
        let f = Filters {
            brand: Some("O'Neill".into()),
            channel: Some("web".into()),
            ..Filters::default()
        };
        assert_eq!(f.sql(), " AND brand = 'O''Neill' AND channel = 'web'");
        assert_eq!(f.query_string(), "brand=O%27Neill&channel=web");
        assert!(Filters::default().sql().is_empty());
    }

    #[test]
    fn bad_filters_are_refused_with_the_field() {
        let long = Filters {
            store: Some("x".repeat(201)),
            ..Filters::default()
        };
        assert!(matches!(
            long.validate(),
            Err(DashboardError::BadFilter { field: "store", .. })
        ));
        let months = Filters {
            months: Some(0),
            ..Filters::default()
        };
        assert!(matches!(
            months.validate(),
            Err(DashboardError::BadFilter {
                field: "months",
                ..
            })
        ));
        assert!(Grain::parse("year").is_err());
    }

    #[test]
    fn periods_are_whole_months_ending_with_the_as_of_month() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let (cur, prev) = Period::current_and_previous(d(2026, 10, 17), 3);
        assert_eq!((cur.start, cur.end), (d(2026, 8, 1), d(2026, 11, 1)));
        assert_eq!((prev.start, prev.end), (d(2026, 5, 1), d(2026, 8, 1)));
        assert_eq!(cur.label(), "Aug 2026 – Oct 2026");
    }
}
