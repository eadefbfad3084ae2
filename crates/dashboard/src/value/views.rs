//! The value page's figures, aggregated from scored customers: CLV distribution, revenue at
//! risk by segment and theme, value of experience (by NPS group and theme), CAC vs CLV.

use std::collections::BTreeMap;

use serde::Serialize;
use throughline_domain::AcquisitionSpend;
use throughline_metrics::{compare, proportion, Estimate, MeanAcc, Z95};

use super::load::{Customer, Micros, DAY};
use super::model::{Scored, ValueSettings};
use crate::commercial::Money;

/// Amounts per currency, largest first; never added across currencies.
#[derive(Default)]
pub(crate) struct Purse(BTreeMap<String, f64>);

impl Purse {
    pub fn add(&mut self, currency: Option<&str>, amount: f64) {
        if amount.is_finite() {
            *self
                .0
                .entry(currency.unwrap_or("?").to_string())
                .or_default() += amount;
        }
    }
    pub fn money(&self) -> Vec<Money> {
        let mut out: Vec<Money> = self
            .0
            .iter()
            .map(|(c, a)| Money {
                currency: c.clone(),
                amount: *a,
            })
            .collect();
        out.sort_by(|a, b| b.amount.total_cmp(&a.amount));
        out
    }
}

/// One bar of the CLV distribution.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ClvBucket {
    pub label: String,
    pub customers: u64,
    /// Sum of CLV in the bucket.
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Distribution {
    /// Shown for the currency most customers pay in.
    pub currency: String,
    pub customers: u64,
    pub mean: Estimate,
    pub median: f64,
    pub buckets: Vec<ClvBucket>,
    /// Share of all CLV held by the most valuable 10% of customers.
    pub top_decile_share: f64,
}

pub(crate) fn distribution(
    customers: &[Customer],
    scores: &[Scored],
    currency: &str,
) -> Option<Distribution> {
    let mut values: Vec<f64> = customers
        .iter()
        .zip(scores)
        .filter(|(c, _)| c.currency.as_deref() == Some(currency))
        .filter_map(|(_, s)| s.clv)
        .filter(|v| v.is_finite())
        .collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mut acc = MeanAcc::default();
    values.iter().for_each(|v| acc.add(*v));
    let total: f64 = values.iter().sum();
    let top = values.len().div_ceil(10);
    let top_sum: f64 = values.iter().rev().take(top).sum();
    let edges = bucket_edges(values[values.len() * 99 / 100]);
    let mut buckets: Vec<ClvBucket> = edges
        .windows(2)
        .map(|w| ClvBucket {
            label: format!("{}–{}", w[0], w[1]),
            customers: 0,
            value: 0.0,
        })
        .collect();
    let last = edges.len() - 2;
    buckets[last].label = format!("{}+", edges[last]);
    for v in &values {
        let i = edges
            .windows(2)
            .position(|w| *v < w[1] as f64)
            .unwrap_or(last);
        buckets[i].customers += 1;
        buckets[i].value += v;
    }
    Some(Distribution {
        currency: currency.to_string(),
        customers: values.len() as u64,
        mean: acc.estimate(),
        median: values[values.len() / 2],
        buckets,
        top_decile_share: if total > 0.0 { top_sum / total } else { 0.0 },
    })
}

/// Eight round-numbered buckets from 0 to the 99th percentile, the last one open.
fn bucket_edges(p99: f64) -> Vec<u64> {
    let raw = (p99.max(1.0) / 7.0).max(1.0);
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude)
        .round()
        .max(1.0) as u64;
    (0..=8).map(|i| i * step).collect()
}

/// Customers at high churn risk and the value they hold, for one group.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RiskGroup {
    pub dimension: &'static str,
    pub value: String,
    pub customers: u64,
    pub at_risk: u64,
    /// CLV of the customers at high risk.
    pub clv_at_risk: Vec<Money>,
    /// Σ CLV × churn probability over every customer in the group.
    pub expected_loss: Vec<Money>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AtRisk {
    pub threshold: f64,
    pub customers: u64,
    pub scored: u64,
    pub clv_at_risk: Vec<Money>,
    pub expected_loss: Vec<Money>,
    /// By brand, acquisition channel, region, touchpoint of a bad experience and theme
    /// complained about (a customer counts in every touchpoint and theme they named).
    pub groups: Vec<RiskGroup>,
}

#[derive(Default)]
struct RiskAcc {
    customers: u64,
    at_risk: u64,
    clv: Purse,
    loss: Purse,
}

/// Negative experiences count towards touchpoint and theme groups for this long.
const EXPOSURE_DAYS: i64 = 365;

pub(crate) fn at_risk(
    customers: &[Customer],
    scores: &[Scored],
    as_of: Micros,
    settings: &ValueSettings,
) -> AtRisk {
    let mut total = RiskAcc::default();
    let mut groups: BTreeMap<(&'static str, String), RiskAcc> = BTreeMap::new();
    let mut scored = 0;
    for (c, s) in customers.iter().zip(scores) {
        let (Some(churn), Some(clv)) = (&s.churn, s.clv) else {
            continue;
        };
        scored += 1;
        let high = churn.probability >= settings.high_risk;
        let add = |acc: &mut RiskAcc| {
            acc.customers += 1;
            acc.loss.add(c.currency.as_deref(), clv * churn.probability);
            if high {
                acc.at_risk += 1;
                acc.clv.add(c.currency.as_deref(), clv);
            }
        };
        add(&mut total);
        for (dim, value) in memberships(c, as_of) {
            add(groups.entry((dim, value)).or_default());
        }
    }
    let main = main_currency(customers);
    let mut groups: Vec<RiskGroup> = groups
        .into_iter()
        .map(|((dimension, value), acc)| RiskGroup {
            dimension,
            value,
            customers: acc.customers,
            at_risk: acc.at_risk,
            clv_at_risk: acc.clv.money(),
            expected_loss: acc.loss.money(),
        })
        .collect();
    let key = |g: &RiskGroup| {
        g.clv_at_risk
            .iter()
            .find(|m| Some(&m.currency) == main.as_ref())
            .map_or(0.0, |m| m.amount)
    };
    groups.sort_by(|a, b| key(b).total_cmp(&key(a)));
    AtRisk {
        threshold: settings.high_risk,
        customers: total.at_risk,
        scored,
        clv_at_risk: total.clv.money(),
        expected_loss: total.loss.money(),
        groups,
    }
}

/// The groups a customer belongs to for revenue-at-risk breakdowns.
fn memberships(c: &Customer, as_of: Micros) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(b) = &c.brand {
        out.push(("brand", b.clone()));
    }
    if let Some(ch) = &c.acquisition_channel {
        out.push(("acquisition channel", ch.clone()));
    }
    if let Some(r) = &c.region {
        out.push(("region", r.clone()));
    }
    let since = as_of - EXPOSURE_DAYS * DAY;
    for t in c.touches.iter().filter(|t| t.at > since && t.negative) {
        if let Some(tp) = &t.touchpoint {
            out.push(("touchpoint", tp.clone()));
        }
    }
    for t in c.touches.iter().filter(|t| t.at > since) {
        out.extend(t.complaints.iter().map(|th| ("theme", th.clone())));
    }
    out.sort();
    out.dedup();
    out
}

/// The currency most paying customers use.
pub(crate) fn main_currency(customers: &[Customer]) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in customers {
        if let Some(cur) = &c.currency {
            *counts.entry(cur).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(c, _)| c.to_string())
}

/// CLV and churn of one group of customers (main currency).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ValueGroup {
    pub group: String,
    pub customers: u64,
    /// Mean CLV today; customers who left count with 0.
    pub mean_clv: Estimate,
    /// Share of the group who have cancelled.
    pub churn_rate: Estimate,
}

/// What a detractor costs: promoters' mean CLV minus detractors', with a Welch test.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DetractorCost {
    pub currency: String,
    pub difference: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub p_value: Option<f64>,
    pub detractors: u64,
}

#[derive(Default, Clone)]
struct GroupAcc {
    clv: MeanAcc,
    left: u64,
}

impl GroupAcc {
    fn add(&mut self, c: &Customer, s: &Scored) {
        if let Some(v) = s.clv {
            self.clv.add(v);
            self.left += u64::from(c.cancelled_at.is_some());
        }
    }
    fn view(&self, group: String) -> ValueGroup {
        ValueGroup {
            group,
            customers: self.clv.n,
            mean_clv: self.clv.estimate(),
            churn_rate: proportion(self.left, self.clv.n),
        }
    }
}

pub(crate) const NPS_GROUPS: [&str; 4] = [
    "promoter (9–10)",
    "passive (7–8)",
    "detractor (0–6)",
    "no answer",
];

fn nps_group(c: &Customer) -> usize {
    match c.touches.iter().rev().find_map(|t| t.nps) {
        Some(v) if v >= 9.0 => 0,
        Some(v) if v >= 7.0 => 1,
        Some(_) => 2,
        None => 3,
    }
}

/// CLV and churn by latest NPS answer, and what a detractor costs against a promoter.
pub(crate) fn by_nps(
    customers: &[Customer],
    scores: &[Scored],
    currency: &str,
) -> (Vec<ValueGroup>, Option<DetractorCost>) {
    let mut accs = vec![GroupAcc::default(); NPS_GROUPS.len()];
    for (c, s) in in_currency(customers, scores, currency) {
        accs[nps_group(c)].add(c, s);
    }
    let groups = accs
        .iter()
        .zip(NPS_GROUPS)
        .map(|(a, g)| a.view(g.to_string()))
        .collect();
    let (p, d) = (&accs[0].clv, &accs[2].clv);
    let cost = match (p.mean(), d.mean(), p.variance(), d.variance()) {
        (Some(pm), Some(dm), Some(pv), Some(dv)) => {
            let se = (pv / p.n as f64 + dv / d.n as f64).sqrt();
            let diff = pm - dm;
            Some(DetractorCost {
                currency: currency.to_string(),
                difference: diff,
                ci_low: diff - Z95 * se,
                ci_high: diff + Z95 * se,
                p_value: compare::mean_difference(p, d).map(|t| t.p_value),
                detractors: d.n,
            })
        }
        _ => None,
    };
    (groups, cost)
}

/// Themes with at least this many complaining customers are listed.
const MIN_THEME_CUSTOMERS: u64 = 20;

/// CLV and churn of customers who complained about each theme, beside those who did not.
pub(crate) fn by_theme(
    customers: &[Customer],
    scores: &[Scored],
    currency: &str,
) -> Vec<ValueGroup> {
    let mut exposed: BTreeMap<&str, GroupAcc> = BTreeMap::new();
    let mut none = GroupAcc::default();
    for (c, s) in in_currency(customers, scores, currency) {
        let mut themes: Vec<&str> = c
            .touches
            .iter()
            .flat_map(|t| t.complaints.iter().map(String::as_str))
            .collect();
        themes.sort_unstable();
        themes.dedup();
        if themes.is_empty() {
            none.add(c, s);
        }
        for th in themes {
            exposed.entry(th).or_default().add(c, s);
        }
    }
    let mut out: Vec<ValueGroup> = exposed
        .into_iter()
        .filter(|(_, a)| a.clv.n >= MIN_THEME_CUSTOMERS)
        .map(|(th, a)| a.view(format!("complained about {th}")))
        .collect();
    out.sort_by(|a, b| a.mean_clv.value.total_cmp(&b.mean_clv.value));
    out.push(none.view("no complaint".into()));
    out
}

fn in_currency<'a>(
    customers: &'a [Customer],
    scores: &'a [Scored],
    currency: &'a str,
) -> impl Iterator<Item = (&'a Customer, &'a Scored)> {
    customers
        .iter()
        .zip(scores)
        .filter(move |(c, _)| c.currency.as_deref() == Some(currency))
}

/// Unit economics of one acquisition channel (or one campaign in it) in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ChannelEconomics {
    pub channel: String,
    /// Set for a campaign's own row: customers whose first signal named it
    /// (`properties.campaign`) and the spend booked on it.
    pub campaign: Option<String>,
    pub currency: String,
    /// Paying customers whose first signal came through this channel (and campaign) in the
    /// months with spend, when there is spend.
    pub customers: u64,
    pub spend: Option<f64>,
    pub cac: Option<f64>,
    /// Mean CLV of those customers who pay in this currency.
    pub mean_clv: Estimate,
    pub clv_to_cac: Option<f64>,
    /// Months of a customer's average monthly revenue (first year) needed to repay CAC.
    pub payback_months: Option<f64>,
}

/// Spend in one currency: the months it covers and its total.
#[derive(Default)]
struct Budget<'a> {
    months: Vec<&'a str>,
    total: f64,
}

/// Who a row of the table is about.
struct Cohort<'a> {
    channel: &'a str,
    campaign: Option<&'a str>,
    currency: &'a str,
}

pub(crate) fn acquisition(
    customers: &[Customer],
    scores: &[Scored],
    spend: &[AcquisitionSpend],
    currency: &str,
    as_of: Micros,
) -> Vec<ChannelEconomics> {
    // Channel rows take every campaign's spend; campaign rows only their own.
    let mut channel_budgets: BTreeMap<(&str, &str), Budget> = BTreeMap::new();
    let mut campaign_budgets: BTreeMap<(&str, &str, &str), Budget> = BTreeMap::new();
    for row in spend {
        let ch = channel_budgets
            .entry((&row.channel, &row.currency))
            .or_default();
        ch.months.push(&row.month);
        ch.total += row.amount;
        if !row.campaign.is_empty() {
            let cp = campaign_budgets
                .entry((&row.channel, &row.campaign, &row.currency))
                .or_default();
            cp.months.push(&row.month);
            cp.total += row.amount;
        }
    }
    let mut channels: Vec<&str> = customers
        .iter()
        .filter_map(|c| c.acquisition_channel.as_deref())
        .collect();
    channels.sort_unstable();
    channels.dedup();
    let mut out = Vec::new();
    for channel in channels {
        let mut rows = Vec::new();
        let budgets: Vec<_> = channel_budgets
            .iter()
            .filter(|((ch, _), _)| *ch == channel)
            .collect();
        if budgets.is_empty() {
            let cohort = Cohort {
                channel,
                campaign: None,
                currency,
            };
            rows.push(economics(customers, scores, &cohort, None, as_of));
        }
        for ((_, cur), budget) in budgets {
            let cohort = Cohort {
                channel,
                campaign: None,
                currency: cur,
            };
            rows.push(economics(customers, scores, &cohort, Some(budget), as_of));
        }
        for ((_, campaign, cur), budget) in campaign_budgets
            .iter()
            .filter(|((ch, _, _), _)| *ch == channel)
        {
            let cohort = Cohort {
                channel,
                campaign: Some(campaign),
                currency: cur,
            };
            rows.push(economics(customers, scores, &cohort, Some(budget), as_of));
        }
        out.push(rows);
    }
    // Largest channels first; each channel's campaigns right under it.
    out.sort_by_key(|rows| std::cmp::Reverse(rows.first().map_or(0, |r| r.customers)));
    out.into_iter().flatten().collect()
}

fn month_of(micros: Micros) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .map_or_else(String::new, |t| t.format("%Y-%m").to_string())
}

fn economics(
    customers: &[Customer],
    scores: &[Scored],
    who: &Cohort,
    budget: Option<&Budget>,
    as_of: Micros,
) -> ChannelEconomics {
    let mut acquired = 0u64;
    let mut clv = MeanAcc::default();
    let mut monthly = MeanAcc::default();
    for (c, s) in customers.iter().zip(scores) {
        // Acquired = became a paying customer; unresolved one-off reviewers do not count.
        if c.acquisition_channel.as_deref() != Some(who.channel) || c.paid.is_empty() {
            continue;
        }
        if who.campaign.is_some() && c.acquisition_campaign.as_deref() != who.campaign {
            continue;
        }
        if let Some(b) = budget {
            if !b.months.contains(&month_of(c.first_seen).as_str()) {
                continue;
            }
        }
        acquired += 1;
        if c.currency.as_deref() != Some(who.currency) {
            continue;
        }
        if let Some(v) = s.clv {
            clv.add(v);
        }
        if let Some(rate) = first_year_monthly_revenue(c, as_of) {
            monthly.add(rate);
        }
    }
    let spend = budget.map(|b| b.total);
    let cac = spend.filter(|_| acquired > 0).map(|s| s / acquired as f64);
    let mean_clv = clv.estimate();
    ChannelEconomics {
        channel: who.channel.to_string(),
        campaign: who.campaign.map(str::to_string),
        currency: who.currency.to_string(),
        customers: acquired,
        spend,
        cac,
        clv_to_cac: cac
            .filter(|c| *c > 0.0 && clv.n > 0)
            .map(|c| mean_clv.value / c),
        payback_months: cac
            .zip(monthly.mean())
            .filter(|(_, m)| *m > 0.0)
            .map(|(c, m)| c / m),
        mean_clv,
    }
}

/// Revenue per month over the customer's first year (or their time so far, if shorter).
fn first_year_monthly_revenue(c: &Customer, as_of: Micros) -> Option<f64> {
    let start = c.paid.first()?.at;
    let span = (as_of - start).clamp(30 * DAY, 365 * DAY);
    let revenue: f64 = c
        .paid
        .iter()
        .filter(|p| p.at < start + 365 * DAY)
        .map(|p| p.amount)
        .sum();
    Some(revenue / (span as f64 / (30.44 * DAY as f64)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_edges_are_round() {
        assert_eq!(
            bucket_edges(700.0),
            [0, 100, 200, 300, 400, 500, 600, 700, 800]
        );
        assert_eq!(bucket_edges(130.0), [0, 20, 40, 60, 80, 100, 120, 140, 160]);
        assert_eq!(bucket_edges(0.0), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    }
}
