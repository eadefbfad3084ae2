//! `/w/{ws}/value`: customer lifetime value, CLV at risk, the value of experience,
//! acquisition cost against lifetime value, and the models' checks.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use throughline_charts::{self as charts, Bar, Highlight, Point, Series};
use throughline_dashboard::{Estimate, Filters, Format, Money, Param, ValueGroup, ValueView, Z95};

use super::format as fmt;
use super::pages::{chrome, render};
use super::views::Chrome;
use super::{Local, PageError};
use crate::AppState;

/// A table already formatted: header cells and rows of cells (the first cell is the row head).
pub struct Table {
    pub head: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "value.html")]
pub struct ValuePage {
    pub chrome: Chrome,
    pub empty: bool,
    pub summary: String,
    pub refusals: Vec<String>,
    pub definitions: Vec<(&'static str, String)>,
    pub distribution_chart: String,
    pub distribution_note: String,
    pub risk_headline: String,
    pub risk_chart: String,
    pub risk: Table,
    pub detractor_cost: String,
    pub by_nps: Table,
    pub by_theme: Table,
    pub acquisition_chart: String,
    pub acquisition: Table,
    pub calibration_chart: String,
    pub retention_chart: String,
    pub retention_note: String,
    pub churn_summary: String,
    pub coefficients: Table,
    pub reliability: Table,
    pub parameters: Table,
}

pub async fn value(
    State(state): State<AppState>,
    _: Local,
    Path(ws_name): Path<String>,
) -> Result<Html<String>, PageError> {
    let (chrome, ws) = chrome(&state, &ws_name, "value", &Filters::default()).await?;
    let spend = state
        .store
        .acquisition_spend(ws)
        .await
        .map_err(crate::ApiError::from)?;
    let v = state.dashboard.value(ws, &spend).await?;
    render(page(chrome, &v))
}

fn page(chrome: Chrome, v: &ValueView) -> ValuePage {
    let currency = v.main_currency.clone().unwrap_or_default();
    ValuePage {
        chrome,
        empty: v.paying_customers == 0,
        summary: format!(
            "{} paying customers up to {}; {} have cancelled. Lifetime value still to come: {}. Models fitted on signals up to #{} (refitted at most every five minutes while data arrive).",
            fmt::group(v.paying_customers),
            v.as_of.map(|d| d.to_string()).unwrap_or_default(),
            fmt::group(v.left),
            fmt::amounts(&v.total_clv),
            v.fitted_through_seq
        ),
        refusals: v.refusals.clone(),
        definitions: vec![
            ("CLV", v.definitions.clv.clone()),
            ("Churn risk", v.definitions.churn.clone()),
            ("CLV at risk", v.definitions.clv_at_risk.clone()),
            ("CAC", v.definitions.acquisition.to_string()),
        ],
        distribution_chart: distribution_chart(v),
        distribution_note: v.distribution.as_ref().map_or_else(String::new, |d| {
            format!(
                "{} customers paying in {}: mean CLV {} ({}), median {}; the most valuable 10% hold {:.0}% of it.",
                fmt::group(d.customers),
                d.currency,
                fmt::money(d.mean.value),
                ci_money(&d.mean),
                fmt::money(d.median),
                d.top_decile_share * 100.0
            )
        }),
        risk_headline: risk_headline(v),
        risk_chart: risk_chart(v, &currency),
        risk: risk_table(v),
        detractor_cost: v.detractor_cost.as_ref().map_or_else(String::new, |c| {
            format!(
                "A detractor is worth {} {} less than a promoter in expected lifetime value (95% CI {} to {}, Welch {}; {} detractors).",
                c.currency,
                fmt::money(c.difference),
                fmt::money(c.ci_low),
                fmt::money(c.ci_high),
                fmt::p_value(c.p_value),
                fmt::group(c.detractors)
            )
        }),
        by_nps: group_table(&v.by_nps, "Latest NPS answer"),
        by_theme: group_table(&v.by_theme, "Customers who"),
        acquisition_chart: acquisition_chart(v),
        acquisition: acquisition_table(v),
        calibration_chart: calibration_chart(v),
        retention_chart: retention_chart(v),
        retention_note: v.membership.as_ref().map_or_else(String::new, |m| {
            format!(
                "{} members renewing every {:.0} days; sBG α {} β {}: {:.0}% of members renew at the first renewal, {:.0}% of those still here at the twelfth.",
                fmt::group(m.members as u64),
                m.period_days,
                param(&m.alpha),
                param(&m.beta),
                100.0 * m.projected.get(1).map_or(0.0, |p| p.1),
                100.0 * m.projected.get(12).zip(m.projected.get(11)).map_or(0.0, |(a, b)| a.1 / b.1)
            ) + " " + &membership_agreement(m)
        }),
        churn_summary: churn_summary(v),
        coefficients: Table {
            head: vec!["Factor", "Effect on churn (log-odds per SD)"],
            rows: v.churn.iter().flat_map(|c| c.coefficients.iter()).map(|(n, b)| vec![n.replace('_', " "), format!("{b:+.3}")]).collect(),
        },
        reliability: Table {
            head: vec!["Customers", "Predicted churn", "Observed churn"],
            rows: v.churn.iter().flat_map(|c| c.reliability.iter()).map(|b| {
                vec![fmt::group(b.count as u64), pct(b.mean_predicted), pct(b.observed_rate)]
            }).collect(),
        },
        parameters: parameters(v),
    }
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn ci_money(e: &Estimate) -> String {
    format!("95% CI {}–{}", fmt::money(e.ci_low), fmt::money(e.ci_high))
}

fn amount_in(list: &[Money], currency: &str) -> f64 {
    list.iter()
        .find(|m| m.currency == currency)
        .map_or(0.0, |m| m.amount)
}

fn distribution_chart(v: &ValueView) -> String {
    let Some(d) = &v.distribution else {
        return String::new();
    };
    let bars: Vec<Bar> = d
        .buckets
        .iter()
        .map(|b| Bar {
            label: format!("{} {}", d.currency, b.label),
            value: b.customers as f64,
            low: None,
            high: None,
            highlight: Highlight::None,
        })
        .collect();
    charts::bar_chart(
        "clv-distribution",
        "Customers by lifetime value",
        &bars,
        "customers",
        None,
    )
}

fn risk_headline(v: &ValueView) -> String {
    match &v.at_risk {
        Some(r) => format!(
            "{} of {} scored customers are at high churn risk (≥ {:.0}%) and hold {} of lifetime value; expected loss over all customers: {}.",
            fmt::group(r.customers),
            fmt::group(r.scored),
            r.threshold * 100.0,
            fmt::amounts(&r.clv_at_risk),
            fmt::amounts(&r.expected_loss)
        ),
        None => "No churn model yet, so no CLV at risk (see the reason below).".into(),
    }
}

/// Themes that customers complained about, by CLV at risk (main currency).
fn risk_chart(v: &ValueView, currency: &str) -> String {
    let Some(r) = &v.at_risk else {
        return String::new();
    };
    let bars: Vec<Bar> = r
        .groups
        .iter()
        .filter(|g| g.dimension == "theme")
        .take(10)
        .map(|g| Bar {
            label: g.value.replace('_', " "),
            value: amount_in(&g.clv_at_risk, currency),
            low: None,
            high: None,
            highlight: Highlight::Bad,
        })
        .collect();
    charts::bar_chart(
        "risk-by-theme",
        &format!("CLV at risk by theme complained about ({currency})"),
        &bars,
        currency,
        None,
    )
}

fn risk_table(v: &ValueView) -> Table {
    Table {
        head: vec![
            "Segment",
            "Customers",
            "At high risk",
            "CLV at risk",
            "Expected loss",
        ],
        rows: v
            .at_risk
            .iter()
            .flat_map(|r| r.groups.iter())
            .take(25)
            .map(|g| {
                vec![
                    format!("{}: {}", g.dimension, g.value.replace('_', " ")),
                    fmt::group(g.customers),
                    fmt::group(g.at_risk),
                    fmt::amounts(&g.clv_at_risk),
                    fmt::amounts(&g.expected_loss),
                ]
            })
            .collect(),
    }
}

fn group_table(groups: &[ValueGroup], head: &'static str) -> Table {
    Table {
        head: vec![head, "Customers", "Mean CLV (95% CI)", "Churned (95% CI)"],
        rows: groups
            .iter()
            .map(|g| {
                vec![
                    g.group.replace('_', " "),
                    fmt::group(g.customers),
                    format!(
                        "{} ({})",
                        fmt::money(g.mean_clv.value),
                        ci_money(&g.mean_clv)
                    ),
                    format!(
                        "{} ({})",
                        fmt::value(Format::Percent, &g.churn_rate),
                        fmt::ci(Format::Percent, &g.churn_rate)
                    ),
                ]
            })
            .collect(),
    }
}

fn acquisition_chart(v: &ValueView) -> String {
    let bars: Vec<Bar> = v
        .acquisition
        .iter()
        .filter_map(|c| {
            Some(Bar {
                label: match &c.campaign {
                    Some(campaign) => format!("{} › {campaign} ({})", c.channel, c.currency),
                    None => format!("{} ({})", c.channel, c.currency),
                },
                value: c.clv_to_cac?,
                low: None,
                high: None,
                highlight: if c.clv_to_cac? < 1.0 {
                    Highlight::Bad
                } else {
                    Highlight::None
                },
            })
        })
        .collect();
    if bars.is_empty() {
        return String::new();
    }
    charts::bar_chart(
        "clv-to-cac",
        "Lifetime value per unit of acquisition cost",
        &bars,
        "CLV ÷ CAC",
        Some((1.0, "break-even")),
    )
}

fn opt_money(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), fmt::money)
}

fn acquisition_table(v: &ValueView) -> Table {
    Table {
        head: vec![
            "Acquisition channel",
            "Customers",
            "Spend",
            "CAC",
            "Mean CLV (95% CI)",
            "CLV ÷ CAC",
            "Payback",
        ],
        rows: v
            .acquisition
            .iter()
            .map(|c| {
                vec![
                    match &c.campaign {
                        Some(campaign) => format!("{} › {campaign}", c.channel),
                        None => c.channel.clone(),
                    },
                    fmt::group(c.customers),
                    c.spend.map_or_else(
                        || "no spend imported".into(),
                        |s| fmt::amount(&c.currency, s),
                    ),
                    opt_money(c.cac),
                    format!(
                        "{} {} ({})",
                        c.currency,
                        fmt::money(c.mean_clv.value),
                        ci_money(&c.mean_clv)
                    ),
                    c.clv_to_cac
                        .map_or_else(|| "—".into(), |r| format!("{r:.2}×")),
                    c.payback_months
                        .map_or_else(|| "—".into(), |m| format!("{m:.1} months")),
                ]
            })
            .collect(),
    }
}

fn calibration_chart(v: &ValueView) -> String {
    let rows: Vec<_> = v.calibration.iter().filter(|r| r.label != "all").collect();
    if rows.is_empty() {
        return String::new();
    }
    let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    let series = |name: &str, values: Vec<f64>| Series {
        name: name.into(),
        points: labels
            .iter()
            .zip(values)
            .map(|(label, value)| {
                Some(Point {
                    label: label.clone(),
                    value,
                    low: None,
                    high: None,
                })
            })
            .collect(),
    };
    let actual = series("actual", rows.iter().map(|r| r.actual).collect());
    let expected = series(
        "expected (BG/NBD)",
        rows.iter().map(|r| r.expected).collect(),
    );
    charts::line_chart(
        "calibration",
        &format!(
            "Repeat purchases in the {} held-out weeks, by purchases before",
            v.settings.holdout_weeks
        ),
        &labels,
        &[actual, expected],
        "mean purchases per customer",
    )
}

/// Where the observed curve (Kaplan–Meier) and the sBG projection part, said in words:
/// the two lines differ by design, and a reader should know which to trust for what.
fn membership_agreement(m: &throughline_dashboard::MembershipView) -> String {
    let apart: Vec<(u32, f64, f64)> = m
        .observed
        .iter()
        .filter_map(|&(t, s, se)| {
            let (_, p) = m.projected.iter().find(|(pt, _)| *pt == t)?;
            ((p - s).abs() > Z95 * se).then_some((t, s, *p))
        })
        .collect();
    let how = "The sBG line is a model: every member has a constant chance of renewing and members differ in it, fitted to all renewals so far and carried on past the data. The Kaplan–Meier line is what members did, with its 95% interval.";
    match apart.last() {
        None => format!("{how} They agree within that interval at every period observed, so the projection is a fair guide beyond them."),
        Some(&(t, s, p)) => format!(
            "{how} They part beyond that interval at {} of the periods observed; at period {}, {:.0}% of members are still renewing against {:.0}% projected. For periods already seen trust the observed line; the projection {} retention there, so read lifetime values that rest on it with that in mind.",
            apart.len(),
            t,
            s * 100.0,
            p * 100.0,
            if p > s { "overstates" } else { "understates" }
        ),
    }
}

fn retention_chart(v: &ValueView) -> String {
    let Some(m) = &v.membership else {
        return String::new();
    };
    let labels: Vec<String> = m.projected.iter().map(|(t, _)| t.to_string()).collect();
    let projected = Series {
        name: "projected (sBG)".into(),
        points: m
            .projected
            .iter()
            .map(|(t, s)| {
                Some(Point {
                    label: t.to_string(),
                    value: 100.0 * s,
                    low: None,
                    high: None,
                })
            })
            .collect(),
    };
    let observed = Series {
        name: "observed (Kaplan–Meier)".into(),
        points: m
            .projected
            .iter()
            .map(|(t, _)| {
                if *t == 0 {
                    return Some(Point {
                        label: "0".into(),
                        value: 100.0,
                        low: None,
                        high: None,
                    });
                }
                let (_, s, se) = m.observed.iter().rev().find(|(o, _, _)| o <= t)?;
                Some(Point {
                    label: t.to_string(),
                    value: 100.0 * s,
                    low: Some(100.0 * (s - Z95 * se).max(0.0)),
                    high: Some(100.0 * (s + Z95 * se).min(1.0)),
                })
            })
            .collect(),
    };
    charts::percent_line_chart(
        "membership-retention",
        &format!(
            "Members still renewing, by {:.0}-day renewal periods",
            m.period_days
        ),
        &labels,
        &[observed, projected],
        "% of members",
    )
}

fn churn_summary(v: &ValueView) -> String {
    let Some(c) = &v.churn else {
        return String::new();
    };
    format!(
        "{}. Trained on the {} customers active on {} ({} cancelled within {} days); held-out AUC {} on {} customers (training {}).",
        c.method,
        fmt::group(c.examples as u64),
        c.trained_as_of.map(|d| d.to_string()).unwrap_or_default(),
        fmt::group(c.churned as u64),
        c.window_days,
        c.holdout_auc.map_or_else(|| "—".into(), |a| format!("{a:.3}")),
        fmt::group(c.n_holdout as u64),
        c.train_auc.map_or_else(|| "—".into(), |a| format!("{a:.3}")),
    )
}

fn param(p: &Param) -> String {
    format!("{:.4} (SE {:.4})", p.value, p.se)
}

fn parameters(v: &ValueView) -> Table {
    let mut rows = Vec::new();
    if let Some(m) = &v.purchase_model {
        rows.push(vec![
            "BG/NBD (purchases)".into(),
            format!(
                "r {} · α {} · a {} · b {}",
                param(&m.r),
                param(&m.alpha),
                param(&m.a),
                param(&m.b)
            ),
            format!(
                "LL {:.1}; {} customers, {} repeat buyers",
                m.log_likelihood,
                fmt::group(m.customers as u64),
                fmt::group(m.repeat_buyers as u64)
            ),
        ]);
    }
    for s in &v.spend_models {
        let fit = match (&s.p, &s.q, &s.v) {
            (Some(p), Some(q), Some(sv)) => {
                format!("p {} · q {} · v {}", param(p), param(q), param(sv))
            }
            _ => s.error.clone().unwrap_or_default(),
        };
        let note = s.mean_spend.map_or_else(String::new, |m| {
            format!(
                "mean spend {} {}; {} repeat buyers",
                s.currency,
                fmt::money(m),
                fmt::group(s.customers as u64)
            )
        });
        rows.push(vec![format!("Gamma-Gamma ({})", s.currency), fit, note]);
    }
    Table {
        head: vec!["Model", "Parameters", "Fit"],
        rows,
    }
}
