//! Throughline's KPIs with honest statistics. Every figure is an [`Estimate`]:
//! the value, its sample size, standard error and 95% confidence interval, and
//! whether the sample is too small to trust. Differences between periods or
//! segments come with a significance test; scans over many segments control the
//! false discovery rate.
//!
//! Architecture invariant: pure. No I/O, no async, deterministic. The analytics
//! engine loads columns and hands plain slices and counts to this crate.

pub mod anomaly;
pub mod compare;
pub mod correlation;
pub mod estimate;
pub mod nps;
pub mod proportion;
pub mod quantile;
pub mod retention;
pub mod service;

pub use anomaly::{detect, scan, Anomaly, CountSeries, Direction, Scan};
pub use compare::{
    benjamini_hochberg, mean_change, mean_difference, mean_segments_vs_rest, nps_change,
    nps_difference, nps_segments_vs_rest, proportion_change, proportion_difference,
    proportion_segments_vs_rest, Change, SegmentComparison, Test, ALPHA,
};
pub use correlation::{pearson, Correlation};
pub use estimate::{Estimate, SMALL_SAMPLE, Z95};
pub use nps::{nps, NpsCounts};
pub use proportion::{proportion, CesAcc, CsatAcc, MeanAcc};
pub use quantile::{median_p90, QuantileSummary};
pub use retention::{
    churn_rate, cohorts, retention_curve, revenue_retention, span_cohorts, Activity, CohortRow,
    CohortTable, RevenueRetention,
};
pub use service::{
    first_contact_resolution, first_contact_resolution_between, repeat_contact_rate,
    sla_compliance, Contact,
};
