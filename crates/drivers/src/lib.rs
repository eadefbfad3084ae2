//! Key driver analysis: which themes, touchpoints and ratings move NPS, CSAT or churn most.
//!
//! The analyst's question is "of everything that varies across respondents, what explains the
//! outcome?". Ordinary regression coefficients answer it badly when drivers are correlated (and
//! survey drivers always are), so [`analyse`] splits the model's R² among the drivers with one of
//! two relative-importance methods:
//!
//! - [`Method::ShapleyR2`]: the Shapley value of each driver in the cooperative game whose worth
//!   is the R² of a regression on a subset of drivers (Lipovetsky & Conklin 2001). It equals the
//!   general dominance weight of dominance analysis (Budescu 1993; Azen & Budescu 2003) and the
//!   LMG measure (Lindeman, Merenda & Gold 1980). Exact over all 2^k subsets, so k ≤ 15.
//! - [`Method::RelativeWeights`]: Johnson's (2000) relative weights, which regress the outcome
//!   on the closest orthogonal counterparts of the drivers; a close, cheap approximation of the
//!   Shapley split that works for up to 200 drivers.
//!
//! Each driver is then placed on the importance × performance priority matrix (Martilla & James
//! 1977), see [`Quadrant`]. Pure and deterministic: no I/O, no randomness, no async.

mod analyse;
mod bootstrap;
mod error;
mod linalg;
mod ols;
mod prepare;
mod priority;
mod relative_weights;
mod shapley;

pub use analyse::{analyse, analyse_with, analyse_with_intervals};
pub use bootstrap::{MIN_RESAMPLES, RESAMPLES};
pub use error::DriverError;

use serde::{Deserialize, Serialize};

/// The most drivers [`Method::ShapleyR2`] accepts: it visits all 2^k subsets.
pub const SHAPLEY_MAX_DRIVERS: usize = 15;
/// The most drivers [`Method::RelativeWeights`] accepts: one k×k eigen-decomposition.
pub const RELATIVE_WEIGHTS_MAX_DRIVERS: usize = 200;
/// The fewest respondents any analysis accepts, whatever k (see [`rows_needed`]).
pub const MIN_ROWS: usize = 30;
/// Respondents needed per driver (see [`rows_needed`]).
pub const ROWS_PER_DRIVER: usize = 5;

/// The respondents needed for `k` drivers: max(30, 5·k). Fewer and the R² split is mostly noise.
pub fn rows_needed(k: usize) -> usize {
    MIN_ROWS.max(ROWS_PER_DRIVER.saturating_mul(k))
}

/// The input: one row per respondent, one column per driver, and the outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriverData {
    /// Driver names, one per column.
    pub names: Vec<String>,
    /// One row per respondent: 0/1 for "mentioned theme X" or "had touchpoint Y", or a rating.
    pub rows: Vec<Vec<f64>>,
    /// The outcome per respondent, e.g. likelihood to recommend 0..10, CSAT, or churned 0/1.
    pub outcome: Vec<f64>,
}

/// How the explained R² is split among drivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Shapley value decomposition of R² (Lipovetsky & Conklin 2001), exact, k ≤ 15.
    ShapleyR2,
    /// Johnson's (2000) relative weights, k ≤ 200.
    RelativeWeights,
}

impl Method {
    /// A human-readable name with its citation, as shown next to the results.
    pub fn description(self) -> &'static str {
        match self {
            Method::ShapleyR2 => {
                "Shapley value decomposition of R² (Lipovetsky & Conklin 2001), \
                 equal to general dominance weights (Budescu 1993)"
            }
            Method::RelativeWeights => "relative weights (Johnson 2000)",
        }
    }

    /// The largest number of (non-constant) drivers the method accepts.
    pub fn max_drivers(self) -> usize {
        match self {
            Method::ShapleyR2 => SHAPLEY_MAX_DRIVERS,
            Method::RelativeWeights => RELATIVE_WEIGHTS_MAX_DRIVERS,
        }
    }
}

/// Which direction of the outcome is good: NPS and CSAT are higher-is-better, churn is not.
/// It decides whether a binary driver "hurts" (see [`Quadrant`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OutcomePolarity {
    #[default]
    HigherIsBetter,
    LowerIsBetter,
}

/// A driver's cell in the importance × performance priority matrix (Martilla & James 1977).
///
/// Importance is *high* when the driver's share of R² is above the mean share, 1/k.
/// Performance is *weak* when
/// - for a binary driver (every value 0 or 1): the mean outcome is worse among respondents with
///   the driver present than among those without it (worse = lower, or higher under
///   [`OutcomePolarity::LowerIsBetter`]); ties are not weak;
/// - for a rating (assumed higher-is-better): its mean rescaled to the range respondents used,
///   (mean − min) / (max − min), is below the average of that rescaled mean over all rating
///   drivers in the model (the data-centred crosshair); a lone rating has no peers, so its
///   crosshair is the middle of its range, 0.5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Quadrant {
    /// High importance, weak performance: the biggest lever, act on it first.
    FixFirst,
    /// High importance, good performance: a strength that carries the outcome; protect it.
    Maintain,
    /// Low importance, weak performance: a weakness that moves the outcome little today.
    Monitor,
    /// Low importance, good performance: little to gain from more effort here.
    LowerPriority,
}

/// One driver's importance, effect and place in the priority matrix.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DriverResult {
    pub name: String,
    /// Share of the explained R²; sums to 1 over drivers (all 0 when R² is 0).
    pub importance: f64,
    /// Importance in R² units; sums to [`DriverReport::r_squared`].
    pub raw_importance: f64,
    /// OLS coefficient in the full model, in outcome units per driver unit.
    pub coefficient: f64,
    /// Mean of the driver: for a 0/1 driver the share of respondents exposed.
    pub performance: f64,
    /// Mean outcome where a binary driver is 1; `None` for ratings.
    pub outcome_when_present: Option<f64>,
    /// Mean outcome where a binary driver is 0; `None` for ratings.
    pub outcome_when_absent: Option<f64>,
    /// Respondents with a binary driver present; for a rating, every respondent (n).
    pub n_present: u64,
    pub quadrant: Quadrant,
    /// 95% bootstrap percentile interval of `importance` (`analyse_with_intervals`);
    /// `None` when not asked for or too costly to compute.
    pub importance_ci: Option<[f64; 2]>,
}

impl DriverResult {
    /// For a binary driver, how much better the outcome is where it is present than where
    /// it is absent, in outcome units: positive helps, negative hurts, whichever way
    /// `polarity` points. `None` for a rating.
    pub fn benefit(&self, polarity: OutcomePolarity) -> Option<f64> {
        let gap = self.outcome_when_present? - self.outcome_when_absent?;
        Some(match polarity {
            OutcomePolarity::HigherIsBetter => gap,
            OutcomePolarity::LowerIsBetter => -gap,
        })
    }
}

/// Below this R², a model explains too little of the outcome for its importance shares to
/// rank drivers: shares of almost nothing move with a handful of respondents. Our rule, in
/// line with the usual advice for key-driver analysis of survey outcomes, where an R² of
/// 0.1–0.3 is typical.
pub const MIN_R_SQUARED_TO_RANK: f64 = 0.10;

impl DriverReport {
    /// Whether the model explains enough to rank its drivers ([`MIN_R_SQUARED_TO_RANK`]).
    pub fn ranks_drivers(&self) -> bool {
        self.r_squared >= MIN_R_SQUARED_TO_RANK
    }
}

/// The result of [`analyse`].
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DriverReport {
    /// The method's name with its citation ([`Method::description`]).
    pub method: &'static str,
    /// Respondents analysed.
    pub n: u64,
    /// R² of the OLS regression of the outcome on all analysed drivers.
    pub r_squared: f64,
    /// Whether a higher outcome is better (NPS) or worse (churn).
    pub polarity: OutcomePolarity,
    /// Analysed drivers, most important first (ties keep input order).
    pub drivers: Vec<DriverResult>,
    /// Drivers left out because every respondent had the same value (they explain nothing),
    /// in input order.
    pub dropped: Vec<String>,
    /// Bootstrap resamples behind `importance_ci`; 0 when there are no intervals.
    pub resamples: usize,
}
