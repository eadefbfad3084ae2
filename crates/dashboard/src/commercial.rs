//! The commercial picture on the overview: churn rate for the period (tested
//! against the previous one), revenue, and revenue at risk — the trailing
//! twelve months' revenue of customers who have not left but gave a detractor
//! answer or wrote of leaving in the period.

use chrono::Months;
use serde::Serialize;
use throughline_domain::WorkspaceId;
use throughline_metrics::compare;

use crate::engine::Dashboard;
use crate::error::Result;
use crate::filters::{day_start, Period};
use crate::tiles::{Format, Tile};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Commercial {
    pub tiles: Vec<Tile>,
    pub revenue: Vec<Money>,
    pub previous_revenue: Vec<Money>,
    pub revenue_at_risk: RevenueAtRisk,
}

/// An amount in one currency: amounts in different currencies are never added.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Money {
    pub currency: String,
    pub amount: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevenueAtRisk {
    pub customers: u64,
    /// Trailing 12-month revenue of those customers, per currency (largest first).
    pub revenue: Vec<Money>,
    /// Of which: customers with churn intent in their own words.
    pub churn_intent_customers: u64,
    pub definition: &'static str,
}

const CANCELLED: &str = "kind = 'transaction' AND action = 'cancellation'";
const PAID: &str = "kind = 'transaction' AND action IN ('purchase', 'renewal')";

/// For each period `p` of `periods`: (customers active before `p` who had not cancelled,
/// of whom cancelled in `p`), all in one pass over the transactions: each customer's
/// first payment (matching the filters) and first cancellation. A customer whose first
/// cancellation falls in `p` is lost in `p`.
async fn churn_counts(
    dash: &Dashboard,
    ws: WorkspaceId,
    fsql: &str,
    periods: &[&Period],
) -> Result<Vec<(u64, u64)>> {
    let columns: Vec<String> = periods
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (start, end) = (day_start(p.start), day_start(p.end));
            let base = format!("paid < {start} AND (c IS NULL OR c >= {start})");
            format!(
                "coalesce(sum(CASE WHEN {base} THEN 1 ELSE 0 END), 0) AS base{i}, \
                 coalesce(sum(CASE WHEN {base} AND c < {end} THEN 1 ELSE 0 END), 0) AS lost{i}"
            )
        })
        .collect();
    let sql = format!(
        "SELECT {} FROM (SELECT profile_id, \
                 min(CASE WHEN action IN ('purchase', 'renewal'){fsql} THEN occurred_at END) AS paid, \
                 min(CASE WHEN action = 'cancellation' THEN occurred_at END) AS c \
               FROM signals WHERE kind = 'transaction' \
                 AND action IN ('purchase', 'renewal', 'cancellation') GROUP BY profile_id)",
        columns.join(", ")
    );
    let answer = dash.sql(ws, &sql).await?;
    let get = |c: &str| -> Result<u64> {
        Ok(answer
            .i64s(c)?
            .first()
            .copied()
            .flatten()
            .unwrap_or(0)
            .max(0) as u64)
    };
    (0..periods.len())
        .map(|i| Ok((get(&format!("base{i}"))?, get(&format!("lost{i}"))?)))
        .collect()
}

/// Paid revenue per currency in `cur` and in `prev` (adjacent periods), in one scan.
async fn revenue(
    dash: &Dashboard,
    ws: WorkspaceId,
    fsql: &str,
    cur: &Period,
    prev: &Period,
) -> Result<(Vec<Money>, Vec<Money>)> {
    let both = Period::spanning(prev, cur);
    let sql = format!(
        "SELECT occurred_at >= {} AS cur, coalesce(currency, '?') AS c, \
         sum(amount) AS r FROM signals WHERE {PAID}{}{fsql} GROUP BY 1, 2 ORDER BY 3 DESC",
        day_start(cur.start),
        both.sql()
    );
    let answer = dash.sql(ws, &sql).await?;
    let is_cur = answer.i64s("cur")?;
    let (mut now, mut before) = (Vec::new(), Vec::new());
    for (m, cur) in money(&answer, "c", "r")?.into_iter().zip(is_cur) {
        if cur == Some(1) {
            now.push(m);
        } else {
            before.push(m);
        }
    }
    Ok((now, before))
}

fn money(
    answer: &throughline_analytics::QueryBatches,
    currency: &str,
    amount: &str,
) -> Result<Vec<Money>> {
    Ok(answer
        .strings(currency)?
        .into_iter()
        .zip(answer.f64s(amount)?)
        .map(|(c, a)| Money {
            currency: c.unwrap_or_default(),
            amount: a.unwrap_or(0.0),
        })
        .collect())
}

async fn at_risk(
    dash: &Dashboard,
    ws: WorkspaceId,
    fsql: &str,
    cur: &Period,
) -> Result<RevenueAtRisk> {
    let trailing = Period {
        start: cur.end - Months::new(12),
        end: cur.end,
    };
    let sql = format!(
        "WITH risk AS (SELECT profile_id, max(CASE WHEN intents LIKE '%churn%' THEN 1 ELSE 0 END) AS intent \
           FROM signals WHERE stakeholder_type = 'customer' AND (nps <= 6 OR intents LIKE '%churn%') \
           AND (nps IS NOT NULL OR intents IS NOT NULL){}{fsql} \
           GROUP BY profile_id), \
         rev AS (SELECT profile_id, coalesce(currency, '?') AS currency, sum(amount) AS revenue FROM signals \
           WHERE {PAID}{} GROUP BY 1, 2), \
         at_risk AS (SELECT risk.profile_id, risk.intent, rev.currency, rev.revenue \
           FROM risk JOIN rev ON risk.profile_id = rev.profile_id \
           WHERE risk.profile_id NOT IN (SELECT profile_id FROM signals WHERE {CANCELLED})) \
         SELECT CASE WHEN grouping(currency) = 1 THEN 'all' ELSE currency END AS c, \
           count(DISTINCT profile_id) AS customers, \
           count(DISTINCT CASE WHEN intent = 1 THEN profile_id END) AS intent, sum(revenue) AS revenue \
         FROM at_risk GROUP BY GROUPING SETS ((), (currency))",
        cur.sql(),
        trailing.sql()
    );
    let answer = dash.sql(ws, &sql).await?;
    let labels = answer.strings("c")?;
    let total = labels.iter().position(|c| c.as_deref() == Some("all"));
    let at = |c: &str| -> Result<u64> {
        let column = answer.i64s(c)?;
        Ok(total.and_then(|i| column[i]).unwrap_or(0).max(0) as u64)
    };
    let mut revenue: Vec<Money> = money(&answer, "c", "revenue")?
        .into_iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != total)
        .map(|(_, m)| m)
        .collect();
    revenue.sort_by(|a, b| b.amount.total_cmp(&a.amount));
    Ok(RevenueAtRisk {
        customers: at("customers")?,
        revenue,
        churn_intent_customers: at("intent")?,
        definition: "trailing 12-month revenue of customers who have not cancelled and, in the \
                     current period, answered 0–6 or wrote of leaving",
    })
}

pub(crate) async fn summary(
    dash: &Dashboard,
    ws: WorkspaceId,
    fsql: &str,
    cur: &Period,
    prev: &Period,
) -> Result<Commercial> {
    let periods = [cur, prev];
    let (churn, (rev_cur, rev_prev), risk) = tokio::try_join!(
        churn_counts(dash, ws, fsql, &periods),
        revenue(dash, ws, fsql, cur, prev),
        at_risk(dash, ws, fsql, cur),
    )?;
    let (churn_cur, churn_prev) = (churn[0], churn[1]);
    let change =
        compare::proportion_change((churn_cur.1, churn_cur.0), (churn_prev.1, churn_prev.0));
    let churn = Tile::from_change(
        "churn",
        "Churn rate",
        Format::Percent,
        false,
        change,
        "share of paying customers (a purchase or renewal before the period, not cancelled) who cancelled in the period; 95% CI: Wilson",
    );
    Ok(Commercial {
        tiles: vec![churn],
        revenue: rev_cur,
        previous_revenue: rev_prev,
        revenue_at_risk: risk,
    })
}
