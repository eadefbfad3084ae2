//! Fits the value models on loaded customers and scores each one: BG/NBD + Gamma-Gamma
//! CLV (with a calibration/holdout check) and the churn-risk model (trained on a past
//! cutoff, validated on held-out customers, applied as of today).

use chrono::{DateTime, Datelike};
use throughline_value::churn::{
    train_churn_model, ChurnExample, ChurnFeatures, ChurnModel, ChurnOptions, ChurnScore,
};
use throughline_value::{
    calibration_holdout_table, fit_bgnbd, fit_gamma_gamma, score_customers, summarize,
    summarize_with_holdout, BgNbdFit, ClvOptions, CustomerSummary, Date, GammaGammaFit, HoldoutRow,
    Period, Purchase,
};

use super::load::{Customer, Micros, DAY};
use super::membership::{self, Membership};

/// How the models are set up; the defaults are documented on the value page.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct ValueSettings {
    /// CLV horizon in weeks (156 = three years).
    pub horizon_weeks: f64,
    /// Discount rate per month.
    pub monthly_discount: f64,
    /// Share of revenue that is margin; 1.0 reports CLV as revenue.
    pub margin: f64,
    /// Weeks held out to check the BG/NBD forecast against what happened.
    pub holdout_weeks: u32,
    /// Days after the training cutoff in which a cancellation counts as churn.
    pub churn_window_days: u32,
    /// A customer at or above this churn probability is "at high risk".
    pub high_risk: f64,
    /// Two support contacts this close count as a repeat contact.
    pub repeat_contact_days: u32,
}

impl Default for ValueSettings {
    fn default() -> Self {
        Self {
            horizon_weeks: 156.0,
            monthly_discount: 0.01,
            margin: 1.0,
            holdout_weeks: 26,
            churn_window_days: 182,
            high_risk: 0.15,
            repeat_contact_days: 7,
        }
    }
}

impl ValueSettings {
    pub(crate) fn clv_options(&self) -> ClvOptions {
        ClvOptions {
            horizon: self.horizon_weeks,
            step: 52.0 / 12.0,
            discount_rate: self.monthly_discount,
            margin: self.margin,
        }
    }
}

/// One customer's scores.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Scored {
    pub clv: Option<f64>,
    pub probability_alive: f64,
    pub expected_purchases: f64,
    /// `None` for customers who already left or never paid.
    pub churn: Option<ChurnScore>,
    /// Cancelled (and bought nothing since).
    pub left: bool,
}

/// The Gamma-Gamma spend model of one currency, or why there is none.
#[derive(Debug, Clone)]
pub(crate) struct SpendModel {
    pub currency: String,
    pub fit: Result<GammaGammaFit, String>,
}

pub(crate) struct ChurnFit {
    pub model: ChurnModel,
    pub cutoff: Micros,
    pub examples: usize,
    pub churned: usize,
}

pub(crate) struct Fitted {
    pub as_of: Micros,
    pub purchase_model: Result<BgNbdFit, String>,
    pub spend_models: Vec<SpendModel>,
    pub calibration: Result<Vec<HoldoutRow>, String>,
    pub churn: Result<ChurnFit, String>,
    pub membership: Result<Membership, String>,
    /// In the order of the customers given to `fit`.
    pub scores: Vec<Scored>,
}

fn to_date(micros: Micros) -> Option<Date> {
    let d = DateTime::from_timestamp_micros(micros)?.date_naive();
    Date::from_ymd(d.year(), d.month(), d.day())
}

/// Purchases (not renewals: those are contractual, see `membership`) of everyone, as the
/// value crate's purchases (customer id = index).
fn purchases(customers: &[Customer]) -> Vec<Purchase> {
    let mut out = Vec::new();
    for (i, c) in customers.iter().enumerate() {
        for p in c.paid.iter().filter(|p| !p.renewal) {
            if let Some(date) = to_date(p.at) {
                out.push(Purchase {
                    customer_id: i.to_string(),
                    date,
                    amount: p.amount,
                });
            }
        }
    }
    out
}

/// Summaries in customer order (`None` for customers who never paid before `end`).
fn summaries_by_customer(
    n: usize,
    purchases: &[Purchase],
    end: Date,
) -> Vec<Option<CustomerSummary>> {
    let mut out = vec![None; n];
    for record in summarize(purchases, end, Period::Week) {
        if let Ok(i) = record.customer_id.parse::<usize>() {
            out[i] = Some(record.summary);
        }
    }
    out
}

pub(crate) fn fit(customers: &[Customer], as_of: Micros, settings: &ValueSettings) -> Fitted {
    let all = purchases(customers);
    let end = to_date(as_of).unwrap_or(Date::from_ymd(1970, 1, 1).expect("a date"));
    let summaries = summaries_by_customer(customers.len(), &all, end);
    let present: Vec<CustomerSummary> = summaries.iter().flatten().copied().collect();
    let purchase_model = fit_bgnbd(&present).map_err(|e| e.to_string());
    let spend_models = spend_models(customers, &summaries);
    let calibration = calibrate(&all, as_of, settings);
    let churn = train_churn(customers, as_of, settings);
    let membership = membership::fit(customers);
    let mut scores = vec![Scored::default(); customers.len()];
    let models = Models {
        purchases: purchase_model.as_ref().ok(),
        spend: &spend_models,
        membership: membership.as_ref().ok(),
    };
    score_values(customers, &summaries, &models, settings, &mut scores);
    if let Ok(model) = &churn {
        for (c, s) in customers.iter().zip(scores.iter_mut()) {
            s.churn = features_at(c, as_of, settings).map(|f| model.model.score(&f, TOP_FACTORS));
        }
    }
    Fitted {
        as_of,
        purchase_model,
        spend_models,
        calibration,
        churn,
        membership,
        scores,
    }
}

/// The fitted value models a customer's CLV is made of.
struct Models<'a> {
    purchases: Option<&'a BgNbdFit>,
    spend: &'a [SpendModel],
    membership: Option<&'a Membership>,
}

/// One Gamma-Gamma fit per currency: amounts in different currencies are never mixed.
fn spend_models(customers: &[Customer], summaries: &[Option<CustomerSummary>]) -> Vec<SpendModel> {
    let mut currencies: Vec<&str> = customers
        .iter()
        .filter_map(|c| c.currency.as_deref())
        .collect();
    currencies.sort_unstable();
    currencies.dedup();
    currencies
        .into_iter()
        .map(|currency| {
            let mine: Vec<CustomerSummary> = customers
                .iter()
                .zip(summaries)
                .filter(|(c, _)| c.currency.as_deref() == Some(currency))
                .filter_map(|(_, s)| *s)
                .collect();
            SpendModel {
                currency: currency.to_string(),
                fit: fit_gamma_gamma(&mine).map_err(|e| e.to_string()),
            }
        })
        .collect()
}

/// CLV = purchases (BG/NBD × Gamma-Gamma) + renewals (sBG), both discounted over the horizon.
fn score_values(
    customers: &[Customer],
    summaries: &[Option<CustomerSummary>],
    models: &Models,
    settings: &ValueSettings,
    out: &mut [Scored],
) {
    let opts = settings.clv_options();
    let horizon_days = settings.horizon_weeks * 7.0;
    for ((c, s), slot) in customers.iter().zip(summaries).zip(out.iter_mut()) {
        // A cancellation with nothing bought since is a known departure: BG/NBD cannot
        // see it (it only sees silence), so the customer is set to gone.
        let left = c
            .cancelled_at
            .is_some_and(|at| c.paid.last().is_none_or(|p| p.at <= at));
        let purchase = match (s, models.purchases) {
            (Some(summary), Some(bg)) => {
                let gg = models
                    .spend
                    .iter()
                    .find(|m| Some(m.currency.as_str()) == c.currency.as_deref())
                    .and_then(|m| m.fit.as_ref().ok())
                    .map(|f| &f.params);
                score_customers(&bg.params, gg, std::slice::from_ref(summary), &opts)
                    .ok()
                    .map(|v| v[0])
            }
            _ => None,
        };
        let renewals = models
            .membership
            .and_then(|m| m.value(c, horizon_days, settings.monthly_discount))
            .map(|v| v * settings.margin);
        // A buyer whose spend model was refused has no CLV: half a value would mislead.
        let clv = match &purchase {
            Some(p) => p.clv.map(|v| v + renewals.unwrap_or(0.0)),
            None => renewals,
        };
        *slot = Scored {
            clv: if left { Some(0.0) } else { clv },
            probability_alive: if left {
                0.0
            } else {
                purchase.as_ref().map_or(1.0, |p| p.probability_alive)
            },
            expected_purchases: if left {
                0.0
            } else {
                purchase.as_ref().map_or(0.0, |p| p.expected_purchases)
            },
            churn: None,
            left,
        };
    }
}

/// BG/NBD fitted on all but the last `holdout_weeks`, compared with what happened in them.
fn calibrate(
    all: &[Purchase],
    as_of: Micros,
    settings: &ValueSettings,
) -> Result<Vec<HoldoutRow>, String> {
    let weeks = settings.holdout_weeks;
    let (Some(cal_end), Some(end)) = (to_date(as_of - i64::from(weeks) * 7 * DAY), to_date(as_of))
    else {
        return Err("no dates to calibrate on".into());
    };
    let records = summarize_with_holdout(all, cal_end, end, Period::Week);
    let calibration: Vec<CustomerSummary> = records.iter().map(|r| r.summary).collect();
    let holdout: Vec<u32> = records.iter().map(|r| r.holdout_frequency).collect();
    let fit = fit_bgnbd(&calibration).map_err(|e| e.to_string())?;
    calibration_holdout_table(&fit.params, &calibration, &holdout, f64::from(weeks), 7)
        .map_err(|e| e.to_string())
}

/// Reasons shown with each churn score.
pub(crate) const TOP_FACTORS: usize = 3;

const MONTH: f64 = 30.44 * DAY as f64;

/// The churn features of a customer as of `at`, or `None` if they were not an active
/// paying customer then (never paid, or already cancelled).
pub(crate) fn features_at(
    c: &Customer,
    at: Micros,
    settings: &ValueSettings,
) -> Option<ChurnFeatures> {
    if c.cancelled_at.is_some_and(|t| t <= at) {
        return None;
    }
    let paid: Vec<_> = c.paid.iter().filter(|p| p.at <= at).collect();
    let (first, last) = (paid.first()?, paid.last()?);
    let year = at - 365 * DAY;
    let recent = paid.iter().filter(|p| p.at > year);
    let touches: Vec<_> = c.touches.iter().filter(|t| t.at <= at).collect();
    let half_year = at - 182 * DAY;
    let sentiments: Vec<f64> = touches
        .iter()
        .filter(|t| t.at > half_year)
        .filter_map(|t| t.sentiment)
        .collect();
    let contacts: Vec<Micros> = touches.iter().filter(|t| t.contact).map(|t| t.at).collect();
    let window = i64::from(settings.repeat_contact_days) * DAY;
    let repeats = contacts
        .windows(2)
        .filter(|w| w[1] > half_year && w[1] - w[0] <= window)
        .count();
    let open = touches
        .iter()
        .filter(|t| t.contact && t.at > at - 90 * DAY && t.resolved_at.is_none_or(|r| r > at))
        .count();
    Some(ChurnFeatures {
        recency: (at - last.at) as f64 / MONTH,
        frequency: recent.clone().count() as f64,
        tenure: (at - first.at) as f64 / MONTH,
        spend: recent.map(|p| p.amount).sum(),
        nps: touches.iter().rev().find_map(|t| t.nps),
        sentiment: (!sentiments.is_empty())
            .then(|| sentiments.iter().sum::<f64>() / sentiments.len() as f64),
        open_cases: open as f64,
        repeat_contacts: repeats as f64,
        churn_intent: touches.iter().any(|t| t.at > half_year && t.churn_intent),
    })
}

/// Trains on customers active at `as_of − window`, labelled by whether they cancelled
/// within the window: the model learns what preceded leaving, then scores today.
fn train_churn(
    customers: &[Customer],
    as_of: Micros,
    settings: &ValueSettings,
) -> Result<ChurnFit, String> {
    let window = i64::from(settings.churn_window_days) * DAY;
    let cutoff = as_of - window;
    let examples: Vec<ChurnExample> = customers
        .iter()
        .filter_map(|c| {
            let features = features_at(c, cutoff, settings)?;
            let churned = c.cancelled_at.is_some_and(|t| t > cutoff && t <= as_of);
            Some(ChurnExample { features, churned })
        })
        .collect();
    let churned = examples.iter().filter(|e| e.churned).count();
    if churned < 10 || examples.len() - churned < 10 {
        return Err(format!(
            "too few outcomes to learn from: {churned} of {} customers active {} days ago cancelled since (need 10 who did and 10 who did not)",
            examples.len(),
            settings.churn_window_days
        ));
    }
    let model =
        train_churn_model(&examples, &ChurnOptions::default()).map_err(|e| e.to_string())?;
    Ok(ChurnFit {
        model,
        cutoff,
        examples: examples.len(),
        churned,
    })
}
