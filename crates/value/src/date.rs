//! Calendar dates as day numbers: parsing `YYYY-MM-DD` / `YYYYMMDD` and day arithmetic.
//!
//! Only whole days matter to the models (purchases are counted per distinct day), so a day
//! count since 1970-01-01 is all we keep; no time zones, no chrono dependency.

use std::fmt;

/// A calendar date (proleptic Gregorian), stored as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

impl Date {
    /// Builds a date from year, month (1–12) and day; `None` if the day does not exist.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    /// Parses `YYYY-MM-DD` or `YYYYMMDD`; the error message says which part is wrong.
    pub fn parse(text: &str) -> Result<Date, String> {
        let s = text.trim();
        let (y, m, d) = if s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-' {
            (&s[0..4], &s[5..7], &s[8..10])
        } else if s.len() == 8 && s.bytes().all(|c| c.is_ascii_digit()) {
            (&s[0..4], &s[4..6], &s[6..8])
        } else {
            return Err(format!(
                "`{s}` is not a date (expected YYYY-MM-DD or YYYYMMDD)"
            ));
        };
        let num = |part: &str| -> Result<u32, String> {
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse::<u32>().map_err(|e| e.to_string())
            } else {
                Err(format!("`{s}` is not a date (non-digit in `{part}`)"))
            }
        };
        let (year, month, day) = (num(y)?, num(m)?, num(d)?);
        Date::from_ymd(year as i32, month, day)
            .ok_or_else(|| format!("`{s}` is not a valid calendar date"))
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days(self) -> i32 {
        self.0
    }

    /// The date `days` days after 1970-01-01 (before it when negative).
    pub fn from_days(days: i32) -> Date {
        Date(days)
    }

    /// Days in this date's month.
    pub fn days_in_its_month(self) -> u32 {
        let (y, m, _) = self.ymd();
        days_in_month(y, m)
    }

    /// Whole days from `earlier` to `self`.
    pub fn days_since(self, earlier: Date) -> i32 {
        self.0 - earlier.0
    }

    /// (year, month, day).
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil-calendar algorithms (public domain).
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i32::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_formats_and_counts_days() {
        let a = Date::parse("1997-01-01").unwrap();
        let b = Date::parse("19970930").unwrap();
        assert_eq!(b.days_since(a), 272);
        assert_eq!(Date::parse("1970-01-01").unwrap().days(), 0);
        assert_eq!(a.to_string(), "1997-01-01");
        assert_eq!(Date::parse("2000-02-29").unwrap().ymd(), (2000, 2, 29));
    }

    #[test]
    fn rejects_bad_dates() {
        assert!(Date::parse("1997-02-29").is_err());
        assert!(Date::parse("1997-13-01").is_err());
        assert!(Date::parse("97-01-01").is_err());
        assert!(Date::parse("1997-0a-01").is_err());
        assert!(Date::parse("").is_err());
    }

    #[test]
    fn round_trips_every_day_of_a_range() {
        let start = Date::parse("1899-12-25").unwrap().days();
        for z in start..start + 200_000 {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(Date::from_ymd(y, m, d).unwrap().days(), z);
        }
    }
}
