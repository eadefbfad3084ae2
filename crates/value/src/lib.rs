//! Customer-value models: BG/NBD, Gamma-Gamma, CLV and churn risk (pure, deterministic).
//!
//! Model code does no I/O; the CSV helpers take any `impl Read`. See README.md for formulas.

pub mod bgnbd;
pub mod checks;
pub mod churn;
pub mod clv;
pub mod csvio;
pub mod date;
pub mod error;
pub mod gamma_gamma;
pub mod linalg;
mod optim;
pub mod report;
pub mod sim;
pub mod special;
pub mod summary;

pub use bgnbd::{fit_bgnbd, fit_bgnbd_data, BgNbdData, BgNbdFit, BgNbdParams};
pub use checks::{calibration_holdout_table, HoldoutRow};
pub use clv::{
    customer_lifetime_value, discounted_expected_purchases, score_customers, ClvOptions,
    CustomerValue,
};
pub use csvio::{read_input, read_purchases, read_summaries, Input};
pub use date::Date;
pub use error::{Result, ValueError};
pub use gamma_gamma::{
    fit_gamma_gamma, fit_gamma_gamma_data, GammaGammaData, GammaGammaFit, GammaGammaParams,
};
pub use report::{fit_from_csv, fit_summaries, FitOptions, FitReport, StandardErrors};
pub use summary::{
    summarize, summarize_with_holdout, CustomerRecord, CustomerSummary, Period, Purchase,
};
