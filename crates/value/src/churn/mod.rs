//! Churn: retention curves (Kaplan–Meier, shifted-beta-geometric) for contractual settings and
//! a per-customer churn-risk score (logistic regression on behaviour + experience signals).

pub mod logistic;
pub mod metrics;
pub mod risk;
pub mod sbg;
pub mod survival;

pub use logistic::{fit_logistic, LogisticModel};
pub use metrics::{auc, reliability, ReliabilityBucket};
pub use risk::{
    train_churn_model, ChurnExample, ChurnFeatures, ChurnModel, ChurnOptions, ChurnScore, Factor,
};
pub use sbg::{fit_sbg, sbg_from_survivors, SbgFit, SbgParams};
pub use survival::{kaplan_meier, kaplan_meier_by_cohort, Duration, SurvivalPoint};
