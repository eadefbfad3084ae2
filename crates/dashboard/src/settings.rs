//! What the company's figures mean: the windows, thresholds and menus the pages use.

use serde::Serialize;

use crate::value::ValueSettings;

/// What "first-contact resolution" and "within SLA" mean for this company.
#[derive(Debug, Clone, Serialize)]
pub struct DashboardSettings {
    /// A contact is resolved at first contact when the same customer does not
    /// contact again within this many days.
    pub fcr_window_days: u32,
    /// First response within this many hours counts as within SLA.
    pub first_response_sla_hours: f64,
    /// Months of history before the current month that anomaly tests compare with.
    pub alert_baseline_months: u32,
    /// Fewest complaints in a period (current or expected) for a series to be tested.
    pub alert_min_count: u64,
    /// Customer-value models: CLV horizon, discounting, churn window, high-risk threshold.
    pub value: ValueSettings,
    /// Profile properties offered in Explore's "by" menu (`properties.KEY`); any key works
    /// in the query string.
    pub segment_properties: Vec<String>,
    /// While the copy moves on, an overview at most this old is served (marked not
    /// fresh) as it is recomputed in the background; 0 always waits for fresh figures.
    pub overview_max_stale_secs: u64,
}

impl Default for DashboardSettings {
    fn default() -> Self {
        Self {
            fcr_window_days: 7,
            first_response_sla_hours: 24.0,
            alert_baseline_months: 6,
            alert_min_count: 10,
            value: ValueSettings::default(),
            segment_properties: vec!["segment".into(), "tier".into()],
            overview_max_stale_secs: 30,
        }
    }
}
