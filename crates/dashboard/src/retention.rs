//! Retention on the overview: the share of customers still buying k months
//! after their first purchase (pooled over monthly cohorts, with CIs), revenue
//! retention (gross and net) over the last twelve months, and revenue from
//! existing against new customers — in the main currency, never mixed.

use chrono::Datelike;
use serde::Serialize;
use throughline_domain::WorkspaceId;
use throughline_metrics::{retention_curve, revenue_retention, span_cohorts, Activity, Estimate};

use crate::engine::{micros_to_date, Dashboard};
use crate::error::Result;
use crate::filters::Period;

/// Months after the first purchase shown on the retention curve.
const CURVE_MONTHS: usize = 12;
/// Age a cohort needs to enter the curve: the curve's length plus a quarter, so a
/// quarterly renewal due after the newest data is not counted as a loss.
const COMPLETE_AFTER_MONTHS: i32 = CURVE_MONTHS as i32 + 3;

#[derive(Debug, Clone, PartialEq, Serialize)]
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

fn month_index(micros: i64) -> Option<i32> {
    micros_to_date(micros).map(|d| d.year() * 12 + d.month0() as i32)
}

fn month_name(index: i32) -> String {
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

pub(crate) async fn retention(
    dash: &Dashboard,
    ws: WorkspaceId,
    fsql: &str,
    cur: &Period,
) -> Result<Retention> {
    let window = Period {
        start: cur.end - chrono::Months::new(24),
        end: cur.end,
    };
    let paid = "kind = 'transaction' AND action IN ('purchase', 'renewal')";
    let currency_sql = format!(
        "SELECT currency AS c FROM signals WHERE {paid} AND currency IS NOT NULL{}{fsql} \
         GROUP BY 1 ORDER BY sum(amount) DESC LIMIT 1",
        window.sql()
    );
    let currency = dash
        .sql(ws, &currency_sql)
        .await?
        .strings("c")?
        .into_iter()
        .flatten()
        .next();
    let empty = Retention {
        currency: currency.clone(),
        curve: Vec::new(),
        base_month: None,
        compare_month: None,
        gross: None,
        net: None,
        existing_revenue: 0.0,
        new_revenue: 0.0,
    };
    let Some(c) = currency else { return Ok(empty) };
    let sql = format!(
        "SELECT profile_id, date_trunc('month', occurred_at) AS m, sum(amount) AS r FROM signals \
         WHERE {paid} AND currency = {} AND occurred_at < {}{fsql} GROUP BY 1, 2",
        crate::filters::quote(&c),
        crate::filters::day_start(cur.end)
    );
    let answer = dash.sql(ws, &sql).await?;
    let mut activity: Vec<Activity> = answer
        .i64s("profile_id")?
        .into_iter()
        .zip(answer.i64s("m")?)
        .zip(answer.f64s("r")?)
        .filter_map(|((p, m), r)| {
            Some(Activity {
                customer: p?,
                month: month_index(m?)?,
                revenue: r.unwrap_or(0.0),
            })
        })
        .collect();
    let Some(last) = activity.iter().map(|a| a.month).max() else {
        return Ok(empty);
    };
    activity.sort_by_key(|a| a.customer);
    let mut curve = retention_curve(&span_cohorts(&complete(spans(&activity), last)));
    curve.truncate(CURVE_MONTHS + 1);
    let base = last - 12;
    let rr = revenue_retention(&activity, base, last);
    let has_base = activity.iter().any(|a| a.month == base);
    Ok(Retention {
        curve,
        base_month: Some(month_name(base)),
        compare_month: Some(month_name(last)),
        gross: has_base.then_some(rr.gross),
        net: has_base.then_some(rr.net),
        existing_revenue: rr.existing_revenue,
        new_revenue: rr.new_revenue,
        ..empty
    })
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
