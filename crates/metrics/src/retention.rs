//! Customer retention: monthly acquisition cohorts, the pooled retention curve, churn rate, and
//! gross / net revenue retention between two months.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::estimate::Estimate;
use crate::proportion::proportion;

/// A customer's activity in one month. Several rows for the same customer and month add up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    pub customer: i64,
    /// Months since an epoch, e.g. year·12 + month0.
    pub month: i32,
    pub revenue: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortTable {
    /// Oldest cohort first.
    pub cohorts: Vec<CohortRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortRow {
    /// The month of the cohort's customers' first activity.
    pub cohort: i32,
    pub size: u64,
    /// Index k: customers active k months after their first month. The row runs up to the
    /// latest month in the data, so its length says how far the cohort can be observed
    /// (`retained[0] == size`).
    pub retained: Vec<u64>,
}

/// Groups customers by first active month and counts, for every later month up to the latest in
/// the data, how many were active (any activity row, whatever its revenue). Customers need not
/// be active every month: a customer back in month 3 after a gap counts at k = 3 (the
/// "unbounded" or return-visit definition, not "still continuously active").
pub fn cohorts(activity: &[Activity]) -> CohortTable {
    let mut months: BTreeMap<i64, BTreeSet<i32>> = BTreeMap::new();
    for a in activity {
        months.entry(a.customer).or_default().insert(a.month);
    }
    let Some(latest) = activity.iter().map(|a| a.month).max() else {
        return CohortTable {
            cohorts: Vec::new(),
        };
    };
    let mut rows: BTreeMap<i32, Vec<u64>> = BTreeMap::new();
    for active in months.values() {
        let Some(&first) = active.first() else {
            continue;
        };
        let span = usize::try_from(i64::from(latest) - i64::from(first) + 1).unwrap_or(1);
        let retained = rows.entry(first).or_insert_with(|| vec![0; span]);
        for &month in active {
            let k = usize::try_from(i64::from(month) - i64::from(first)).unwrap_or(0);
            retained[k] += 1;
        }
    }
    table(rows)
}

/// Share retained k months after acquisition, pooled over every cohort old enough to be
/// observed at k: Σ `retained[k]` / Σ size over those cohorts, with a Wilson interval. Later
/// points rest on fewer, older cohorts (see each estimate's n). The latest month may be
/// incomplete; callers that care drop it before calling.
pub fn retention_curve(t: &CohortTable) -> Vec<Estimate> {
    let horizon = t
        .cohorts
        .iter()
        .map(|c| c.retained.len())
        .max()
        .unwrap_or(0);
    (0..horizon)
        .map(|k| {
            let observable = t.cohorts.iter().filter(|c| c.retained.len() > k);
            let (kept, base) = observable.fold((0, 0), |(kept, base), c| {
                (kept + c.retained[k], base + c.size)
            });
            proportion(kept, base)
        })
        .collect()
}

/// Churn rate: `lost / active_prev`, with a Wilson interval (`lost` is clamped to
/// `active_prev`).
pub fn churn_rate(active_prev: u64, lost: u64) -> Estimate {
    proportion(lost, active_prev)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevenueRetention {
    /// Gross revenue retention: Σ over base-month customers of min(compare, base revenue) /
    /// base revenue. Counts churn and contraction, never expansion, so it is at most 1.
    pub gross: f64,
    /// Net revenue retention: the base-month customers' compare-month revenue / base revenue.
    pub net: f64,
    /// Compare-month revenue from customers acquired before the compare month (this includes
    /// customers acquired between the two months and returning ones, not only the base cohort).
    pub existing_revenue: f64,
    /// Compare-month revenue from customers whose first month is the compare month.
    pub new_revenue: f64,
    /// The denominator of `gross` and `net`. When it is 0 both ratios are reported as 0.
    pub base_revenue: f64,
}

/// Revenue retention from `base_month` to `compare_month` (the usual GRR / NRR definitions,
/// e.g. KeyBanc SaaS survey). Non-finite revenue rows are ignored.
pub fn revenue_retention(
    activity: &[Activity],
    base_month: i32,
    compare_month: i32,
) -> RevenueRetention {
    // One pass per customer over the rows grouped by customer (a stable sort keeps
    // their order within a customer); sums run in customer order, so the figures
    // do not depend on the order the rows came in.
    let mut rows: Vec<&Activity> = activity.iter().collect();
    if !rows.is_sorted_by_key(|a| a.customer) {
        rows.sort_by_key(|a| a.customer);
    }
    let (mut base_revenue, mut kept, mut net_revenue) = (0.0, 0.0, 0.0);
    let (mut new_revenue, mut total) = (0.0, 0.0);
    for customer in rows.chunk_by(|a, b| a.customer == b.customer) {
        let first = customer.iter().map(|a| a.month).min().unwrap_or(i32::MAX);
        let (mut before, mut after) = (None::<f64>, None::<f64>);
        for a in customer.iter().filter(|a| a.revenue.is_finite()) {
            if a.month == base_month {
                *before.get_or_insert(0.0) += a.revenue;
            }
            if a.month == compare_month {
                *after.get_or_insert(0.0) += a.revenue;
            }
        }
        if let Some(before) = before {
            base_revenue += before;
            kept += after.unwrap_or(0.0).min(before);
            net_revenue += after.unwrap_or(0.0);
        }
        if let Some(after) = after {
            total += after;
            if first == compare_month {
                new_revenue += after;
            }
        }
    }
    let ratio = |x: f64| {
        if base_revenue > 0.0 {
            x / base_revenue
        } else {
            0.0
        }
    };
    RevenueRetention {
        gross: ratio(kept),
        net: ratio(net_revenue),
        existing_revenue: total - new_revenue,
        new_revenue,
        base_revenue,
    }
}

/// Cohort rows (first month → customers active k months on) as the table.
fn table(rows: BTreeMap<i32, Vec<u64>>) -> CohortTable {
    let cohorts = rows
        .into_iter()
        .map(|(cohort, retained)| CohortRow {
            cohort,
            size: retained[0],
            retained,
        })
        .collect();
    CohortTable { cohorts }
}

/// The cohort table when every customer counts as active in each month from their
/// first to their last (`spans` holds one (first, last) per customer): the same
/// table `cohorts` gives for those months spelled out row by row, without them.
pub fn span_cohorts(spans: &[(i32, i32)]) -> CohortTable {
    let Some(latest) = spans.iter().map(|&(_, last)| last).max() else {
        return CohortTable {
            cohorts: Vec::new(),
        };
    };
    let mut rows: BTreeMap<i32, Vec<u64>> = BTreeMap::new();
    for &(first, last) in spans {
        let span = usize::try_from(i64::from(latest) - i64::from(first) + 1).unwrap_or(1);
        let retained = rows.entry(first).or_insert_with(|| vec![0; span]);
        let active = usize::try_from(i64::from(last) - i64::from(first) + 1).unwrap_or(0);
        for k in retained.iter_mut().take(active) {
            *k += 1;
        }
    }
    table(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity() -> Vec<Activity> {
        let row = |customer, month, revenue| Activity {
            customer,
            month,
            revenue,
        };
        vec![
            row(1, 0, 10.0),
            row(1, 1, 10.0),
            row(1, 2, 10.0),
            row(2, 0, 20.0),
            row(2, 2, 20.0),
            row(2, 2, 10.0), // same month twice: 30 in month 2
            row(3, 0, 5.0),
            row(4, 1, 7.0),
            row(4, 2, 8.0),
            row(5, 2, 4.0),
            row(5, 2, f64::NAN), // ignored for revenue, still activity
        ]
    }

    #[test]
    fn cohort_table_by_hand() {
        // Cohort 0 = {1, 2, 3}: month 1 only customer 1, month 2 customers 1 and 2.
        // Cohort 1 = {4}, active again in month 2. Cohort 2 = {5}.
        let table = cohorts(&activity());
        let want = vec![
            CohortRow {
                cohort: 0,
                size: 3,
                retained: vec![3, 1, 2],
            },
            CohortRow {
                cohort: 1,
                size: 1,
                retained: vec![1, 1],
            },
            CohortRow {
                cohort: 2,
                size: 1,
                retained: vec![1],
            },
        ];
        assert_eq!(table.cohorts, want);
        // k = 0: 5/5; k = 1: (1 + 1)/(3 + 1) over cohorts 0 and 1; k = 2: 2/3 from cohort 0.
        let curve = retention_curve(&table);
        assert_eq!(
            curve,
            vec![proportion(5, 5), proportion(2, 4), proportion(2, 3)]
        );
        assert!(cohorts(&[]).cohorts.is_empty());
        assert!(retention_curve(&cohorts(&[])).is_empty());
    }

    #[test]
    fn revenue_retention_by_hand() {
        // Base month 0: 1 → 10, 2 → 20, 3 → 5; base revenue 35. Month 2: 1 → 10, 2 → 30,
        // 4 → 8, 5 → 4 (total 52). GRR = (10 + min(30, 20) + 0)/35 = 30/35;
        // NRR = (10 + 30 + 0)/35 = 40/35; new = customer 5's 4; existing = 52 − 4 = 48.
        let r = revenue_retention(&activity(), 0, 2);
        assert!((r.gross - 30.0 / 35.0).abs() < 1e-12 && (r.net - 40.0 / 35.0).abs() < 1e-12);
        assert_eq!(
            (r.new_revenue, r.existing_revenue, r.base_revenue),
            (4.0, 48.0, 35.0)
        );
        // Month 1 → 2: base 1 → 10, 4 → 7 (17); GRR = 17/17, NRR = (10 + 8)/17.
        let r = revenue_retention(&activity(), 1, 2);
        assert!((r.gross - 1.0).abs() < 1e-12 && (r.net - 18.0 / 17.0).abs() < 1e-12);
        // No base revenue: ratios 0, flagged by base_revenue = 0.
        let r = revenue_retention(&activity(), 7, 2);
        assert_eq!((r.gross, r.net, r.base_revenue), (0.0, 0.0, 0.0));
    }

    #[test]
    fn churn() {
        assert_eq!(churn_rate(200, 10), proportion(10, 200));
        assert_eq!(churn_rate(0, 0), Estimate::empty());
    }

    #[test]
    fn revenue_retention_does_not_depend_on_row_order() {
        let mut rows = activity();
        let forward = revenue_retention(&rows, 0, 2);
        rows.reverse();
        assert_eq!(revenue_retention(&rows, 0, 2), forward);
    }

    #[test]
    fn span_cohorts_equal_the_cohorts_of_every_month_spelled_out() {
        // (first, last) per customer, some in the same cohort, one active a single month.
        let spans = [(0, 3), (0, 0), (1, 5), (2, 2), (1, 2), (4, 5)];
        let rows: Vec<Activity> = spans
            .iter()
            .enumerate()
            .flat_map(|(c, &(first, last))| {
                (first..=last).map(move |month| Activity {
                    customer: c as i64,
                    month,
                    revenue: 1.0,
                })
            })
            .collect();
        let table = span_cohorts(&spans);
        assert_eq!(table, cohorts(&rows));
        // By hand: cohort 0 = customers 0 and 1, both at k = 0, one at k = 1..=3, none after.
        assert_eq!(table.cohorts[0].retained, vec![2, 1, 1, 1, 0, 0]);
        assert_eq!(span_cohorts(&[]).cohorts, Vec::new());
    }
}
