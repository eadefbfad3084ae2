//! Customer value on the analytics copy: lifetime value (BG/NBD + Gamma-Gamma), churn
//! risk with its reasons, revenue at risk by segment and theme, the value of experience,
//! and acquisition cost against lifetime value.
//!
//! Fitting runs once per workspace and analytics high-water mark (kept by
//! `value_cache.rs`); acquisition spend comes from the system of record on each call,
//! so a new spend file shows at once.

mod load;
mod membership;
mod model;
mod views;

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use throughline_domain::{AcquisitionSpend, WorkspaceId};
use throughline_value::churn::{Factor, ReliabilityBucket};
use throughline_value::HoldoutRow;

use crate::commercial::Money;
use crate::error::Result;
use crate::glossary::Term;
use crate::read::{micros_to_date, Reader};

pub use model::ValueSettings;
pub use views::{
    AtRisk, ChannelEconomics, ClvBucket, DetractorCost, Distribution, RiskGroup, ValueGroup,
};

/// The value page.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ValueView {
    pub as_of: Option<NaiveDate>,
    /// The analytics copy's high-water mark (signal seq) the models were fitted at. While
    /// signals keep arriving, models are refitted at most every five minutes.
    pub fitted_through_seq: i64,
    pub settings: ValueSettings,
    /// Customers with at least one paid transaction.
    pub paying_customers: u64,
    /// Of whom cancelled and bought nothing since.
    pub left: u64,
    pub purchase_model: Option<PurchaseModel>,
    pub spend_models: Vec<SpendModelView>,
    /// Why a model could not be fitted, in words.
    pub refusals: Vec<String>,
    pub total_clv: Vec<Money>,
    pub main_currency: Option<String>,
    pub distribution: Option<Distribution>,
    /// Expected vs actual repeat purchases in the holdout weeks, by calibration frequency.
    pub calibration: Vec<HoldoutRow>,
    pub churn: Option<ChurnView>,
    pub membership: Option<MembershipView>,
    pub at_risk: Option<AtRisk>,
    pub by_nps: Vec<ValueGroup>,
    pub detractor_cost: Option<DetractorCost>,
    pub by_theme: Vec<ValueGroup>,
    pub acquisition: Vec<ChannelEconomics>,
    pub definitions: Definitions,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PurchaseModel {
    pub r: Param,
    pub alpha: Param,
    pub a: Param,
    pub b: Param,
    pub log_likelihood: f64,
    pub customers: usize,
    pub repeat_buyers: usize,
}

/// A fitted parameter with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Param {
    pub value: f64,
    pub se: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SpendModelView {
    pub currency: String,
    pub p: Option<Param>,
    pub q: Option<Param>,
    pub v: Option<Param>,
    pub customers: usize,
    pub mean_spend: Option<f64>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ChurnView {
    pub method: &'static str,
    pub trained_as_of: Option<NaiveDate>,
    pub window_days: u32,
    pub examples: usize,
    pub churned: usize,
    pub n_train: usize,
    pub n_holdout: usize,
    pub holdout_auc: Option<f64>,
    pub train_auc: Option<f64>,
    pub reliability: Vec<ReliabilityBucket>,
    /// Standardised coefficients (log-odds per SD; + raises risk), largest |β| first.
    pub coefficients: Vec<(String, f64)>,
}

/// The contractual side: renewals, their period and the retention curve (sBG and observed).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MembershipView {
    pub period_days: f64,
    pub alpha: Param,
    pub beta: Param,
    pub members: usize,
    /// (periods, projected share retained by sBG), 0..=12.
    pub projected: Vec<(u32, f64)>,
    /// (periods, Kaplan–Meier share retained, its standard error) where members left.
    pub observed: Vec<(u32, f64, f64)>,
}

/// What each figure means, shown beside it (the glossary's words, `value_terms`).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Definitions {
    pub clv: String,
    pub churn: String,
    pub clv_at_risk: String,
    pub acquisition: &'static str,
}

/// One customer's value and risk, for the profile page and API.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ProfileValue {
    pub profile: i64,
    pub currency: Option<String>,
    pub clv: Option<f64>,
    pub probability_alive: Option<f64>,
    pub expected_purchases: Option<f64>,
    pub churn_probability: Option<f64>,
    pub high_risk: bool,
    pub reasons: Vec<Factor>,
    pub left: bool,
    pub horizon_weeks: f64,
}

/// A workspace's fitted value models, their customers and the page built from them.
pub(crate) struct Fitted {
    customers: Vec<load::Customer>,
    index: HashMap<i64, usize>,
    model: model::Fitted,
    view: ValueView,
}

/// Reads the customers and fits the models, as of the copy's `high_water` mark.
pub(crate) async fn fit(rd: &Reader, ws: WorkspaceId, high_water: i64) -> Result<Fitted> {
    let customers = load::customers(rd, ws).await?;
    let as_of = rd.latest_micros(ws, "").await?.unwrap_or(0);
    let settings = rd.settings.value.clone();
    // Fitting is CPU work of up to seconds on large workspaces: keep it off the runtime.
    tokio::task::spawn_blocking(move || {
        let model = model::fit(&customers, as_of, &settings);
        let mut view = build_view(&customers, &model, &settings);
        view.fitted_through_seq = high_water;
        let index = customers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.profile, i))
            .collect();
        Fitted {
            customers,
            index,
            model,
            view,
        }
    })
    .await
    .map_err(|e| crate::error::DashboardError::Internal(e.to_string()))
}

/// The value page; `spend` is the workspace's acquisition spend from the store.
pub(crate) fn page(fitted: &Fitted, spend: &[AcquisitionSpend]) -> ValueView {
    let mut view = fitted.view.clone();
    if let Some(currency) = &view.main_currency {
        view.acquisition = views::acquisition(
            &fitted.customers,
            &fitted.model.scores,
            spend,
            currency,
            fitted.model.as_of,
        );
    }
    view
}

/// One customer's CLV, P(alive) and churn risk; `None` if the profile has no signals
/// in the analytics copy. `profile` must be the canonical (current) profile id.
pub(crate) fn profile_value(
    fitted: &Fitted,
    settings: &ValueSettings,
    profile: i64,
) -> Option<ProfileValue> {
    let &i = fitted.index.get(&profile)?;
    let (c, s) = (&fitted.customers[i], &fitted.model.scores[i]);
    let paid = !c.paid.is_empty();
    let churn = s.churn.as_ref();
    Some(ProfileValue {
        profile,
        currency: c.currency.clone(),
        clv: s.clv,
        probability_alive: paid.then_some(s.probability_alive),
        expected_purchases: paid.then_some(s.expected_purchases),
        churn_probability: churn.map(|c| c.probability),
        high_risk: churn.is_some_and(|c| c.probability >= settings.high_risk),
        reasons: churn.map(|c| c.top_factors.clone()).unwrap_or_default(),
        left: s.left,
        horizon_weeks: settings.horizon_weeks,
    })
}

fn param(value: f64, se: f64) -> Param {
    Param { value, se }
}

fn build_view(
    customers: &[load::Customer],
    m: &model::Fitted,
    settings: &ValueSettings,
) -> ValueView {
    let mut refusals = Vec::new();
    let purchase_model = match &m.purchase_model {
        Ok(f) => Some(PurchaseModel {
            r: param(f.params.r, f.std_errors.r),
            alpha: param(f.params.alpha, f.std_errors.alpha),
            a: param(f.params.a, f.std_errors.a),
            b: param(f.params.b, f.std_errors.b),
            log_likelihood: f.log_likelihood,
            customers: f.n_customers,
            repeat_buyers: f.n_repeaters,
        }),
        Err(e) => {
            refusals.push(format!("purchase model (BG/NBD): {e}"));
            None
        }
    };
    let spend_models = m.spend_models.iter().map(spend_view).collect();
    for s in &m.spend_models {
        if let Err(e) = &s.fit {
            refusals.push(format!(
                "spend model (Gamma-Gamma, {}): {e}; customers paying in {} have no CLV",
                s.currency, s.currency
            ));
        }
    }
    let calibration = m.calibration.clone().unwrap_or_else(|e| {
        refusals.push(format!("calibration check: {e}"));
        Vec::new()
    });
    let churn = match &m.churn {
        Ok(c) => Some(churn_view(c, settings)),
        Err(e) => {
            refusals.push(format!("churn model: {e}"));
            None
        }
    };
    let membership = match &m.membership {
        Ok(ms) => Some(membership_view(ms)),
        Err(e) => {
            refusals.push(format!("renewals (sBG): {e}"));
            None
        }
    };
    let main = views::main_currency(customers);
    let mut total = views::Purse::default();
    for (c, s) in customers.iter().zip(&m.scores) {
        if let Some(v) = s.clv {
            total.add(c.currency.as_deref(), v);
        }
    }
    let (by_nps, detractor_cost) = main
        .as_deref()
        .map(|cur| views::by_nps(customers, &m.scores, cur))
        .unwrap_or_default();
    ValueView {
        as_of: micros_to_date(m.as_of),
        fitted_through_seq: 0,
        settings: settings.clone(),
        paying_customers: customers.iter().filter(|c| !c.paid.is_empty()).count() as u64,
        left: m.scores.iter().filter(|s| s.left).count() as u64,
        purchase_model,
        spend_models,
        refusals,
        total_clv: total.money(),
        distribution: main
            .as_deref()
            .and_then(|cur| views::distribution(customers, &m.scores, cur)),
        calibration,
        at_risk: churn
            .as_ref()
            .map(|_| views::at_risk(customers, &m.scores, m.as_of, settings)),
        churn,
        membership,
        by_nps,
        detractor_cost,
        by_theme: main
            .as_deref()
            .map(|cur| views::by_theme(customers, &m.scores, cur))
            .unwrap_or_default(),
        acquisition: Vec::new(),
        definitions: definitions(settings),
        main_currency: main,
    }
}

fn spend_view(s: &model::SpendModel) -> SpendModelView {
    match &s.fit {
        Ok(f) => SpendModelView {
            currency: s.currency.clone(),
            p: Some(param(f.params.p, f.std_errors.p)),
            q: Some(param(f.params.q, f.std_errors.q)),
            v: Some(param(f.params.v, f.std_errors.v)),
            customers: f.n_customers,
            mean_spend: f.params.population_mean_spend(),
            error: None,
        },
        Err(e) => SpendModelView {
            currency: s.currency.clone(),
            p: None,
            q: None,
            v: None,
            customers: 0,
            mean_spend: None,
            error: Some(e.clone()),
        },
    }
}

fn membership_view(m: &membership::Membership) -> MembershipView {
    let p = &m.fit.params;
    MembershipView {
        period_days: m.period_days,
        alpha: param(p.alpha, m.fit.std_errors.alpha),
        beta: param(p.beta, m.fit.std_errors.beta),
        members: m.members,
        projected: (0..=12).map(|t| (t, p.survival(t))).collect(),
        observed: m.observed.clone(),
    }
}

fn churn_view(c: &model::ChurnFit, settings: &ValueSettings) -> ChurnView {
    let m = &c.model;
    let mut coefficients: Vec<(String, f64)> = m
        .model
        .names
        .iter()
        .cloned()
        .zip(m.model.coefficients.iter().copied())
        .collect();
    coefficients.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    ChurnView {
        method: "logistic regression (ridge, standardised features), trained on customers active one window ago",
        trained_as_of: micros_to_date(c.cutoff),
        window_days: settings.churn_window_days,
        examples: c.examples,
        churned: c.churned,
        n_train: m.n_train,
        n_holdout: m.n_holdout,
        holdout_auc: m.holdout_auc,
        train_auc: m.train_auc,
        reliability: m.reliability.clone(),
        coefficients,
    }
}

fn definitions(s: &ValueSettings) -> Definitions {
    let [clv, churn, at_risk] = value_terms(s).map(|t| t.definition);
    Definitions {
        clv,
        churn,
        clv_at_risk: at_risk,
        acquisition: crate::glossary::CAC.text,
    }
}

/// The value models' glossary entries, with their settings filled in.
pub(crate) fn value_terms(s: &ValueSettings) -> [Term; 3] {
    const VALUE: &[&str] = &["value", "profile"];
    [
        Term {
            key: "clv",
            name: "CLV",
            shown_on: VALUE,
            definition: format!(
                "Expected revenue{} from each customer's future purchases and renewals over {:.0} weeks, discounted {:.1}% a month. Purchases: BG/NBD (Fader, Hardie & Lee 2005) for how many, Gamma-Gamma (per currency) for how much. Renewals: the latest fee times the chance of still being a member at each renewal, from a shifted-beta-geometric retention model (Fader & Hardie 2007). Customers who cancelled and bought nothing since count as 0.",
                if (s.margin - 1.0).abs() < 1e-12 { String::new() } else { format!(" × margin {:.0}%", s.margin * 100.0) },
                s.horizon_weeks,
                s.monthly_discount * 100.0
            ),
        },
        Term {
            key: "churn_risk",
            name: "Churn risk",
            shown_on: VALUE,
            definition: format!(
                "Probability of cancelling within {} days, from recency, frequency, tenure, spend, latest NPS, sentiment, open cases, repeat contacts (within {} days) and churn intent in the customer's own words.",
                s.churn_window_days, s.repeat_contact_days
            ),
        },
        Term {
            key: "clv_at_risk",
            name: "CLV at risk",
            shown_on: &["value"],
            definition: format!(
                "Lifetime value still to come (CLV) of customers whose churn risk is at least {:.0}%; expected loss weighs every customer's CLV by their churn risk. Not the overview's revenue at risk, which is revenue already paid.",
                s.high_risk * 100.0
            ),
        },
    ]
}
