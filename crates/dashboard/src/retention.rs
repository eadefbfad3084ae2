//! Retention on the overview: the share of customers still buying k months
//! after their first purchase (pooled over monthly cohorts, with CIs), revenue
//! retention (gross and net) over the last twelve months, and revenue from
//! existing against new customers — in the main currency, never mixed.

use serde::Serialize;
use throughline_metrics::{retention_curve, revenue_retention, span_cohorts, Activity, Estimate};

use crate::filters::Period;
use crate::transactions::{bounds, MonthIndex, Transactions};

/// Months after the first purchase shown on the retention curve.
const CURVE_MONTHS: usize = 12;
/// Age a cohort needs to enter the curve: the curve's length plus a quarter, so a
/// quarterly renewal due after the newest data is not counted as a loss.
const COMPLETE_AFTER_MONTHS: i32 = CURVE_MONTHS as i32 + 3;

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Retention {
    /// The currency of the revenue figures: the one with most revenue.
    pub currency: Option<String>,
    /// Share of customers still buying (a purchase or renewal k or more months after
    /// their first month), k = 0..=12, over the cohorts at least 15 months old.
    pub curve: Vec<Estimate>,
    /// `YYYY-MM` of the base and compare months of revenue retention.
    pub base_month: Option<String>,
    pub compare_month: Option<String>,
    pub gross: Option<f64>,
    pub net: Option<f64>,
    pub existing_revenue: f64,
    pub new_revenue: f64,
}

/// Per customer (rows sorted by customer), their first and last month of buying.
/// A customer counts as retained in every month between: with quarterly or yearly
/// renewals, "bought in month k" would say most customers left and came back. The
/// curve is then the share still buying k months on — non-increasing, and honest
/// about gaps between renewals.
fn spans(sorted: &[Activity]) -> Vec<(i32, i32)> {
    sorted
        .chunk_by(|a, b| a.customer == b.customer)
        .map(|rows| {
            let months = rows.iter().map(|a| a.month);
            (months.clone().min().unwrap_or(0), months.max().unwrap_or(0))
        })
        .collect()
}

/// Customers whose first month is old enough that every point of the curve is
/// observed with a renewal cycle to spare: then every k is measured on the same
/// customers, and a renewal that is due but not yet made is not read as churn.
fn complete(spans: Vec<(i32, i32)>, last: i32) -> Vec<(i32, i32)> {
    let newest_first = last - COMPLETE_AFTER_MONTHS;
    spans
        .into_iter()
        .filter(|&(first, _)| first <= newest_first)
        .collect()
}

fn month_name(index: i32) -> String {
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

/// Each customer's paid revenue per month in `currency` (rows matching the filters,
/// before `end`), in customer order.
fn activity(tx: &Transactions, currency: usize, end: i64) -> Vec<Activity> {
    let mut out: Vec<Activity> = Vec::new();
    let mut months = MonthIndex::default();
    for rows in tx.per_customer() {
        let Some(customer) = rows[0].profile else {
            continue;
        };
        let paid = rows
            .iter()
            .filter(|t| t.paid() && t.matches && t.currency as usize == currency && t.at < end);
        // A customer's rows are in time order, so each month's rows are adjacent.
        for t in paid {
            let Some(month) = months.of(t.at) else {
                continue;
            };
            let revenue = t.amount;
            match out.last_mut() {
                Some(a) if a.customer == customer && a.month == month => a.revenue += revenue,
                _ => out.push(Activity {
                    customer,
                    month,
                    revenue,
                }),
            }
        }
    }
    out
}

pub(crate) fn retention(tx: &Transactions, cur: &Period) -> Retention {
    let (from, to) = bounds(&Period {
        start: cur.end - chrono::Months::new(24),
        end: cur.end,
    });
    // The main currency: most paid revenue in the last two years.
    let main = tx
        .sum_by_currency(|t| {
            t.paid()
                && t.matches
                && tx.currencies[t.currency as usize].is_some()
                && t.at >= from
                && t.at < to
        })
        .first()
        .map(|&(code, _)| code);
    let empty = Retention {
        currency: main.and_then(|code| tx.currencies[code].clone()),
        curve: Vec::new(),
        base_month: None,
        compare_month: None,
        gross: None,
        net: None,
        existing_revenue: 0.0,
        new_revenue: 0.0,
    };
    let Some(main) = main else { return empty };
    let activity = activity(tx, main, to);
    let Some(last) = activity.iter().map(|a| a.month).max() else {
        return empty;
    };
    let mut curve = retention_curve(&span_cohorts(&complete(spans(&activity), last)));
    curve.truncate(CURVE_MONTHS + 1);
    let base = last - 12;
    let rr = revenue_retention(&activity, base, last);
    let has_base = activity.iter().any(|a| a.month == base);
    Retention {
        curve,
        base_month: Some(month_name(base)),
        compare_month: Some(month_name(last)),
        gross: has_base.then_some(rr.gross),
        net: has_base.then_some(rr.net),
        existing_revenue: rr.existing_revenue,
        new_revenue: rr.new_revenue,
        ..empty
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customers_count_as_buying_between_their_first_and_last_month() {
        let a = |customer, month| Activity {
            customer,
            month,
            revenue: 1.0,
        };
        // Customer 1 renews quarterly (months 0, 3, 6); customer 2 buys once (month 0).
        let spans = spans(&[a(1, 0), a(1, 3), a(1, 6), a(2, 0)]);
        assert_eq!(spans, vec![(0, 6), (0, 0)]);
        // Both from the month-0 cohort: 2/2 at k = 0, then 1/2 up to k = 6.
        let curve = retention_curve(&span_cohorts(&spans));
        assert_eq!(curve[0].value, 1.0);
        assert!(
            curve[1..=6].iter().all(|e| e.value == 0.5 && e.n == 2),
            "{curve:?}"
        );
    }

    #[test]
    fn only_cohorts_old_enough_for_the_whole_curve_count() {
        // Last month 20: a cohort must start by month 20 - 15 = 5.
        let kept = complete(vec![(5, 20), (6, 20), (0, 1)], 20);
        assert_eq!(kept, vec![(5, 20), (0, 1)]);
    }
}

#[cfg(test)]
mod activity_tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::transactions::{day_micros, tests::tx};

    #[test]
    fn activity_sums_each_customers_paid_months_in_one_currency() {
        let at = |m, d| day_micros(NaiveDate::from_ymd_opt(2026, m, d).unwrap());
        let mut euro = tx(Some(1), at(1, 20), 100.0, false);
        euro.currency = 1;
        let mut filtered_out = tx(Some(2), at(2, 2), 100.0, false);
        filtered_out.matches = false;
        let t = Transactions {
            currencies: vec![Some("GBP".into()), Some("EUR".into())],
            rows: vec![
                tx(None, at(1, 1), 100.0, false),
                tx(Some(1), at(1, 5), 2.0, false),
                euro,
                tx(Some(1), at(1, 31), 3.0, false),
                tx(Some(1), at(2, 1), 4.0, false),
                tx(Some(1), at(2, 9), 0.0, true),
                tx(Some(2), at(1, 15), 6.0, false),
                filtered_out,
                tx(Some(2), at(3, 1), 100.0, false),
            ],
        };
        let rows: Vec<(i64, i32, f64)> = activity(&t, 0, at(3, 1))
            .into_iter()
            .map(|a| (a.customer, a.month - 2026 * 12, a.revenue))
            .collect();
        assert_eq!(rows, vec![(1, 0, 5.0), (1, 1, 4.0), (2, 0, 6.0)]);
    }
}
