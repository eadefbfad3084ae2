//! Churn-risk scoring: a logistic model on behaviour (recency, frequency, tenure, spend) and
//! experience (NPS, sentiment, open cases, repeat contacts, churn intent), validated on a
//! held-out split (AUC, reliability), explaining each score by its top contributing factors.

use serde::Serialize;

use super::logistic::{fit_logistic, LogisticModel};
use super::metrics::{auc, reliability, ReliabilityBucket};
use crate::error::{Result, ValueError};
use crate::sim::Rng;

/// The signals we score a customer on. Missing NPS / sentiment are imputed with the training
/// mean, i.e. they contribute nothing to that customer's score.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct ChurnFeatures {
    /// Periods since the last purchase or renewal.
    pub recency: f64,
    /// Purchases (or renewals) in the observation window.
    pub frequency: f64,
    /// Periods since the customer joined.
    pub tenure: f64,
    /// Spend in the observation window (or mean spend per purchase; be consistent).
    pub spend: f64,
    /// Latest NPS answer, 0–10.
    pub nps: Option<f64>,
    /// Mean sentiment of the customer's feedback, −1..1.
    pub sentiment: Option<f64>,
    /// Support cases currently open.
    pub open_cases: f64,
    /// Contacts about the same issue within a short window.
    pub repeat_contacts: f64,
    /// The customer said they intend to leave (survey, ticket, call).
    pub churn_intent: bool,
}

/// Feature names in model order.
pub const FEATURE_NAMES: [&str; 9] = [
    "recency",
    "frequency",
    "tenure",
    "spend",
    "nps",
    "sentiment",
    "open_cases",
    "repeat_contacts",
    "churn_intent",
];

impl ChurnFeatures {
    fn row(&self, nps_fill: f64, sentiment_fill: f64) -> Vec<f64> {
        vec![
            self.recency,
            self.frequency,
            self.tenure,
            self.spend,
            self.nps.unwrap_or(nps_fill),
            self.sentiment.unwrap_or(sentiment_fill),
            self.open_cases,
            self.repeat_contacts,
            f64::from(u8::from(self.churn_intent)),
        ]
    }
}

/// A labelled training example: did the customer churn in the outcome window?
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChurnExample {
    pub features: ChurnFeatures,
    pub churned: bool,
}

/// Training options.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChurnOptions {
    /// Share of examples held out for AUC and calibration.
    pub holdout_fraction: f64,
    /// Seed of the (deterministic) train/holdout shuffle.
    pub seed: u64,
    /// Ridge penalty on standardised coefficients.
    pub ridge: f64,
    /// Reliability buckets.
    pub buckets: usize,
}

impl Default for ChurnOptions {
    fn default() -> ChurnOptions {
        ChurnOptions {
            holdout_fraction: 0.25,
            seed: 1,
            ridge: 1.0,
            buckets: 10,
        }
    }
}

/// Fewest examples we train on.
pub const MIN_EXAMPLES: usize = 50;

/// A trained churn model with its validation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChurnModel {
    pub model: LogisticModel,
    nps_fill: f64,
    sentiment_fill: f64,
    pub n_train: usize,
    pub n_holdout: usize,
    pub train_auc: Option<f64>,
    pub holdout_auc: Option<f64>,
    pub reliability: Vec<ReliabilityBucket>,
}

/// One factor of a score: its contribution to the log-odds (+ raises risk).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Factor {
    pub feature: &'static str,
    pub contribution: f64,
}

/// A customer's churn risk with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChurnScore {
    pub probability: f64,
    /// Largest |coefficient × standardised value| first.
    pub top_factors: Vec<Factor>,
}

fn mean_of(values: impl Iterator<Item = Option<f64>>) -> f64 {
    let (s, n) = values
        .flatten()
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        0.0
    } else {
        s / n as f64
    }
}

/// Trains on a seeded random split and validates on the held-out part.
pub fn train_churn_model(examples: &[ChurnExample], opts: &ChurnOptions) -> Result<ChurnModel> {
    if examples.len() < MIN_EXAMPLES {
        return Err(ValueError::TooFewCustomers {
            model: "churn risk",
            found: examples.len(),
            needed: MIN_EXAMPLES,
        });
    }
    if !(0.0..1.0).contains(&opts.holdout_fraction) {
        return Err(ValueError::InvalidArgument(
            "holdout fraction must be in [0, 1)".into(),
        ));
    }
    // Fisher–Yates with our seeded generator: the same data and seed give the same split.
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = Rng::new(opts.seed);
    for i in (1..order.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    let n_hold = (examples.len() as f64 * opts.holdout_fraction).round() as usize;
    let (hold, train) = order.split_at(n_hold);
    let nps_fill = mean_of(train.iter().map(|&i| examples[i].features.nps));
    let sentiment_fill = mean_of(train.iter().map(|&i| examples[i].features.sentiment));
    let rows = |idx: &[usize]| -> (Vec<Vec<f64>>, Vec<bool>) {
        idx.iter()
            .map(|&i| {
                (
                    examples[i].features.row(nps_fill, sentiment_fill),
                    examples[i].churned,
                )
            })
            .unzip()
    };
    let (xt, yt) = rows(train);
    let model = fit_logistic(&FEATURE_NAMES, &xt, &yt, opts.ridge)?;
    let train_scores: Vec<f64> = xt.iter().map(|r| model.predict(r)).collect();
    let (xh, yh) = rows(hold);
    let hold_scores: Vec<f64> = xh.iter().map(|r| model.predict(r)).collect();
    Ok(ChurnModel {
        nps_fill,
        sentiment_fill,
        n_train: train.len(),
        n_holdout: hold.len(),
        train_auc: auc(&train_scores, &yt),
        holdout_auc: auc(&hold_scores, &yh),
        reliability: reliability(&hold_scores, &yh, opts.buckets),
        model,
    })
}

impl ChurnModel {
    /// Probability of churn and the `top` factors behind it.
    pub fn score(&self, f: &ChurnFeatures, top: usize) -> ChurnScore {
        let row = f.row(self.nps_fill, self.sentiment_fill);
        let mut factors: Vec<Factor> = self
            .model
            .contributions(&row)
            .into_iter()
            .zip(FEATURE_NAMES)
            .map(|(contribution, feature)| Factor {
                feature,
                contribution,
            })
            .collect();
        factors.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
        factors.truncate(top);
        ChurnScore {
            probability: self.model.predict(&row),
            top_factors: factors,
        }
    }
}

#[cfg(test)]
mod tests;
