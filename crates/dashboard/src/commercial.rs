//! The commercial picture on the overview: churn rate for the period (tested
//! against the previous one), revenue, and revenue at risk — the trailing
//! twelve months' revenue of customers who have not left but gave a detractor
//! answer or wrote of leaving in the period.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Months;
use serde::Serialize;
use throughline_analytics::Partial;
use throughline_domain::WorkspaceId;
use throughline_metrics::compare;

use crate::error::Result;
use crate::filters::Period;
use crate::read::Reader;
use crate::retention::{self, Retention};
use crate::tiles::{Format, Tile};
use crate::transactions::{bounds, CurrencySums, Transactions, Tx};

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Commercial {
    pub tiles: Vec<Tile>,
    pub revenue: Vec<Money>,
    pub previous_revenue: Vec<Money>,
    pub revenue_at_risk: RevenueAtRisk,
}

/// An amount in one currency: amounts in different currencies are never added.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Money {
    pub currency: String,
    pub amount: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RevenueAtRisk {
    pub customers: u64,
    /// Trailing 12-month revenue of those customers, per currency (largest first).
    pub revenue: Vec<Money>,
    /// Of which: customers with churn intent in their own words.
    pub churn_intent_customers: u64,
    pub definition: &'static str,
}

/// For each period `p` of `periods`: (customers active before `p` who had not cancelled,
/// of whom cancelled in `p`), from each customer's first payment (matching the
/// filters) and first cancellation. A customer whose first cancellation falls in `p`
/// is lost in `p`.
fn churn_counts(tx: &Transactions, periods: &[&Period]) -> Vec<(u64, u64)> {
    let bounds: Vec<(i64, i64)> = periods.iter().map(|p| bounds(p)).collect();
    let mut out = vec![(0, 0); periods.len()];
    for rows in tx.per_customer() {
        let first =
            |keep: &dyn Fn(&Tx) -> bool| rows.iter().filter(|t| keep(t)).map(|t| t.at).min();
        let Some(paid) = first(&|t| t.paid() && t.matches) else {
            continue;
        };
        let cancelled = first(&|t| t.cancel);
        for (counts, &(start, end)) in out.iter_mut().zip(&bounds) {
            if paid < start && cancelled.is_none_or(|c| c >= start) {
                counts.0 += 1;
                if cancelled.is_some_and(|c| c < end) {
                    counts.1 += 1;
                }
            }
        }
    }
    out
}

/// Paid revenue per currency (matching the filters) in `cur` and in `prev`, each
/// largest first.
fn revenue(tx: &Transactions, cur: &Period, prev: &Period) -> (Vec<Money>, Vec<Money>) {
    let (start, end) = bounds(cur);
    let (before, _) = bounds(prev);
    let sums = |from: i64, to: i64| {
        money(
            tx,
            tx.sum_by_currency(|t| t.paid() && t.matches && t.at >= from && t.at < to),
        )
    };
    (sums(start, end), sums(before, start))
}

/// (currency code, amount) pairs as money, in the same order.
fn money(tx: &Transactions, sums: Vec<(usize, f64)>) -> Vec<Money> {
    sums.into_iter()
        .map(|(code, amount)| Money {
            currency: tx.currency_name(code),
            amount,
        })
        .collect()
}

/// Customers who, in `cur` and matching the filters, answered 0–6 or wrote of
/// leaving: (customer, whether they wrote of leaving).
async fn risky(rd: &Reader, ws: WorkspaceId, fsql: &str, cur: &Period) -> Result<Arc<Risky>> {
    let sql = format!(
        "SELECT profile_id AS p, max(CASE WHEN intents LIKE '%churn%' THEN 1 ELSE 0 END) AS i \
         FROM signals WHERE stakeholder_type = 'customer' AND (nps <= 6 OR intents LIKE '%churn%') \
         AND (nps IS NOT NULL OR intents IS NOT NULL){}{fsql} GROUP BY 1",
        cur.sql()
    );
    rd.folded(ws, &sql, |a| {
        let customers = a.i64s("p")?.into_iter().zip(a.i64s("i")?);
        Ok(Risky(
            customers
                .filter_map(|(p, i)| Some((p?, i == Some(1))))
                .collect(),
        ))
    })
    .await
}

/// At-risk customers and whether any of their answers wrote of leaving; parts merge
/// by "any".
#[derive(Debug, Clone, Default)]
pub(crate) struct Risky(HashMap<i64, bool>);

impl Partial for Risky {
    fn merge(&mut self, other: Self) {
        for (p, intent) in other.0 {
            *self.0.entry(p).or_default() |= intent;
        }
    }

    fn bytes(&self) -> usize {
        self.0.len() * 24
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The at-risk customers who never cancelled, with their paid revenue (whatever the
/// filters) in the twelve months to the end of `cur`, per currency.
fn at_risk(tx: &Transactions, risky: &HashMap<i64, bool>, cur: &Period) -> RevenueAtRisk {
    let (from, to) = bounds(&Period {
        start: cur.end - Months::new(12),
        end: cur.end,
    });
    let (mut customers, mut intent) = (0, 0);
    let mut sums = CurrencySums::new(tx);
    for rows in tx.per_customer() {
        let Some(&wrote_of_leaving) = rows[0].profile.and_then(|p| risky.get(&p)) else {
            continue;
        };
        if rows.iter().any(|t| t.cancel) {
            continue;
        }
        let mut paid = rows
            .iter()
            .filter(|t| t.paid() && t.at >= from && t.at < to)
            .peekable();
        if paid.peek().is_none() {
            continue;
        }
        customers += 1;
        intent += u64::from(wrote_of_leaving);
        for t in paid {
            sums.add(t);
        }
    }
    RevenueAtRisk {
        customers,
        revenue: money(tx, sums.largest_first()),
        churn_intent_customers: intent,
        definition: crate::glossary::REVENUE_AT_RISK.text,
    }
}

/// The commercial figures and retention, from one read of the transactions (and one
/// of the period's at-risk answers).
pub(crate) async fn with_retention(
    rd: &Reader,
    ws: WorkspaceId,
    fsql: &str,
    cur: &Period,
    prev: &Period,
) -> Result<(Commercial, Retention)> {
    let tx = Transactions::load(rd, ws, fsql).await?;
    // Without transactions no one has revenue at risk: the risky customers (at scale,
    // every detractor) are not even looked up.
    let risky = if tx.rows.is_empty() {
        Arc::default()
    } else {
        risky(rd, ws, fsql, cur).await?
    };
    Ok((
        summary(&tx, &risky.0, cur, prev),
        retention::retention(&tx, cur),
    ))
}

fn summary(
    tx: &Transactions,
    risky: &HashMap<i64, bool>,
    cur: &Period,
    prev: &Period,
) -> Commercial {
    let churn = churn_counts(tx, &[cur, prev]);
    let (rev_cur, rev_prev) = revenue(tx, cur, prev);
    let risk = at_risk(tx, risky, cur);
    let (churn_cur, churn_prev) = (churn[0], churn[1]);
    let change =
        compare::proportion_change((churn_cur.1, churn_cur.0), (churn_prev.1, churn_prev.0));
    let churn = Tile::defined(&crate::glossary::CHURN_RATE, Format::Percent, false, change);
    Commercial {
        tiles: vec![churn],
        revenue: rev_cur,
        previous_revenue: rev_prev,
        revenue_at_risk: risk,
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::transactions::{day_micros, tests::tx};

    fn day(m: u32, d: u32) -> i64 {
        day_micros(NaiveDate::from_ymd_opt(2026, m, d).unwrap())
    }

    fn period(from: u32, to: u32) -> Period {
        Period {
            start: NaiveDate::from_ymd_opt(2026, from, 1).unwrap(),
            end: NaiveDate::from_ymd_opt(2026, to, 1).unwrap(),
        }
    }

    fn book(rows: Vec<Tx>) -> Transactions {
        Transactions {
            currencies: vec![Some("GBP".into()), Some("EUR".into())],
            rows,
        }
    }

    #[test]
    fn churn_counts_customers_paying_before_the_period_and_first_cancellations_in_it() {
        // Periods: previous = March–April, current = May–June.
        let (prev, cur) = (period(3, 5), period(5, 7));
        let mut other_brand = tx(Some(5), day(1, 10), 9.0, false);
        other_brand.matches = false;
        let t = book(vec![
            // 1 paid in January, cancelled in May: in both bases, lost in the current period.
            tx(Some(1), day(1, 5), 10.0, false),
            tx(Some(1), day(5, 2), 0.0, true),
            // 2 paid in February and never left.
            tx(Some(2), day(2, 1), 10.0, false),
            // 3 first paid in April: in the current base only.
            tx(Some(3), day(4, 1), 10.0, false),
            // 4 cancelled in February: in neither base (a later cancellation does not count).
            tx(Some(4), day(1, 1), 10.0, false),
            tx(Some(4), day(2, 1), 0.0, true),
            tx(Some(4), day(5, 1), 0.0, true),
            // 5 paid only outside the filters: not a paying customer here.
            other_brand,
            // 6 paid in January, cancelled in March: lost in the previous period.
            tx(Some(6), day(1, 2), 10.0, false),
            tx(Some(6), day(3, 9), 0.0, true),
        ]);
        assert_eq!(churn_counts(&t, &[&cur, &prev]), vec![(3, 1), (3, 1)]);
    }

    #[test]
    fn revenue_at_risk_is_trailing_paid_revenue_of_risky_customers_who_stayed() {
        let cur = period(5, 7);
        let mut euro = tx(Some(2), day(6, 1), 4.0, false);
        euro.currency = 1;
        let t = book(vec![
            // 1: risky, paid 10 in the trailing year and 100 in 2024 (outside it).
            tx(
                Some(1),
                day_micros(NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()),
                100.0,
                false,
            ),
            tx(Some(1), day(2, 1), 10.0, false),
            // 2: risky and wrote of leaving, paid 3 GBP and 4 EUR.
            tx(Some(2), day(3, 1), 3.0, false),
            euro,
            // 3: risky but cancelled: left out.
            tx(Some(3), day(3, 1), 50.0, false),
            tx(Some(3), day(4, 1), 0.0, true),
            // 4: not risky.
            tx(Some(4), day(3, 1), 70.0, false),
        ]);
        let risky = HashMap::from([(1, false), (2, true), (3, false), (9, true)]);
        let r = at_risk(&t, &risky, &cur);
        assert_eq!((r.customers, r.churn_intent_customers), (2, 1));
        let money: Vec<(&str, f64)> = r
            .revenue
            .iter()
            .map(|m| (m.currency.as_str(), m.amount))
            .collect();
        assert_eq!(money, vec![("GBP", 13.0), ("EUR", 4.0)]);
    }

    #[test]
    fn revenue_splits_the_two_periods_and_follows_the_filters() {
        let (prev, cur) = (period(3, 5), period(5, 7));
        let mut filtered_out = tx(Some(3), day(5, 3), 1000.0, false);
        filtered_out.matches = false;
        let t = book(vec![
            tx(Some(1), day(4, 30), 5.0, false),
            tx(Some(1), day(5, 1), 7.0, false),
            tx(Some(2), day(6, 30), 11.0, false),
            tx(Some(2), day(7, 1), 13.0, false),
            tx(Some(2), day(2, 28), 17.0, false),
            filtered_out,
        ]);
        let (now, before) = revenue(&t, &cur, &prev);
        assert_eq!((now.len(), now[0].amount), (1, 18.0));
        assert_eq!((before.len(), before[0].amount), (1, 5.0));
    }
}
