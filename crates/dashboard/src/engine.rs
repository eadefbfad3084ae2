//! The dashboard engine: one handle on the analytics copy, the settings that
//! define service KPIs, and the small SQL helpers every page shares.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate};
use serde::Serialize;
use throughline_analytics::{AnalyticsCopy, Partial, QueryBatches};
use throughline_domain::{Dimension, WorkspaceId};

use crate::error::Result;
use crate::folds::Latest;
use crate::memo::GenerationMemo;
use crate::overview_cache::OverviewCache;
use crate::transactions::TxBuffers;
use crate::value::{ValueCache, ValueSettings};

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

/// Cheap to clone; every page method takes the workspace it answers for.
#[derive(Clone)]
pub struct Dashboard {
    pub(crate) analytics: Arc<AnalyticsCopy>,
    pub(crate) settings: DashboardSettings,
    pub(crate) value_cache: Arc<ValueCache>,
    pub(crate) overview_cache: Arc<OverviewCache>,
    pub(crate) menu_cache: Arc<MenuCache>,
    pub(crate) latest_cache: Arc<LatestCache>,
    pub(crate) tx_buffers: Arc<TxBuffers>,
}

impl Dashboard {
    pub fn new(analytics: Arc<AnalyticsCopy>, settings: DashboardSettings) -> Self {
        Self {
            analytics,
            settings,
            value_cache: Arc::default(),
            overview_cache: Arc::default(),
            menu_cache: Arc::new(GenerationMemo::new(MEMO_ENTRIES)),
            latest_cache: Arc::new(GenerationMemo::new(MEMO_ENTRIES)),
            tx_buffers: Arc::default(),
        }
    }

    pub fn settings(&self) -> &DashboardSettings {
        &self.settings
    }

    /// Runs `sql` on the copy; each query's time is logged at trace level
    /// (`THROUGHLINE_LOG=throughline_dashboard=trace`) to find the slow ones.
    pub(crate) async fn sql(&self, ws: WorkspaceId, sql: &str) -> Result<QueryBatches> {
        let started = std::time::Instant::now();
        let answer = self.analytics.query_batches(ws, sql).await?;
        tracing::trace!(
            ms = started.elapsed().as_secs_f64() * 1000.0,
            rows = answer.num_rows(),
            sql,
            "dashboard query"
        );
        Ok(answer)
    }

    /// Runs `sql` and folds its answer with `fold`, kept per segment prefix by the
    /// copy (`query_folded`): after new signals, only the new rows are read and
    /// folded. `A` must merge exactly (`folds.rs`). The answer is shared with the
    /// copy's memo: large ones (transactions, contacts) are read in place, small
    /// ones taken with `Arc::unwrap_or_clone`.
    pub(crate) async fn folded<A: Partial>(
        &self,
        ws: WorkspaceId,
        sql: &str,
        fold: impl Fn(&QueryBatches) -> Result<A>,
    ) -> Result<Arc<A>> {
        let started = std::time::Instant::now();
        let answer = self.analytics.query_folded(ws, sql, fold).await?;
        tracing::trace!(
            ms = started.elapsed().as_secs_f64() * 1000.0,
            sql,
            "dashboard query, folded"
        );
        Ok(answer)
    }

    /// The day of the newest signal (with `filters` applied); `None` for an empty workspace.
    pub(crate) async fn as_of(
        &self,
        ws: WorkspaceId,
        filters_sql: &str,
    ) -> Result<Option<NaiveDate>> {
        Ok(self
            .latest_micros(ws, filters_sql)
            .await?
            .and_then(micros_to_date))
    }

    /// The time of the newest signal (with `filters` applied), in microseconds; kept
    /// until the copy moves on, as every page starts from it.
    pub(crate) async fn latest_micros(
        &self,
        ws: WorkspaceId,
        filters_sql: &str,
    ) -> Result<Option<i64>> {
        let generation = self.analytics.generation();
        let key = (ws, filters_sql.to_string());
        if let Some(latest) = self.latest_cache.get(&key, generation) {
            return Ok(latest);
        }
        let sql = format!("SELECT max(occurred_at) AS t FROM signals WHERE true{filters_sql}");
        let latest = self
            .folded(ws, &sql, |a| {
                Ok(Latest(a.i64s("t")?.first().copied().flatten()))
            })
            .await?
            .0;
        self.latest_cache.put(key, generation, latest);
        Ok(latest)
    }
}

pub(crate) fn micros_to_date(micros: i64) -> Option<NaiveDate> {
    DateTime::from_timestamp_micros(micros).map(|t| t.date_naive())
}

/// Most values listed per dimension in a filter menu.
const MAX_MENU_VALUES: usize = 60;

/// Each dimension with the values it takes, for filter menus.
pub type MenuValues = Vec<(&'static str, Vec<String>)>;

/// Filter menus per (workspace, dimensions).
pub(crate) type MenuCache = GenerationMemo<(WorkspaceId, Vec<Dimension>), MenuValues>;
/// The newest signal's time per (workspace, filters SQL).
pub(crate) type LatestCache = GenerationMemo<(WorkspaceId, String), Option<i64>>;
/// Most memoised answers of each kind.
const MEMO_ENTRIES: usize = 64;

impl Dashboard {
    /// The values each of `dims` (filterable dimensions) takes in this workspace,
    /// for filter menus.
    /// Kept until the copy's generation moves: every page shows the menus, and a
    /// `DISTINCT` per dimension scans the whole workspace.
    pub async fn dimension_values(
        &self,
        ws: WorkspaceId,
        dims: &[Dimension],
    ) -> Result<MenuValues> {
        let generation = self.analytics.generation();
        let key = (ws, dims.to_vec());
        if let Some(values) = self.menu_cache.get(&key, generation) {
            return Ok(values);
        }
        let values = self.menu_values(ws, dims).await?;
        self.menu_cache.put(key, generation, values.clone());
        Ok(values)
    }

    async fn menu_values(&self, ws: WorkspaceId, dims: &[Dimension]) -> Result<MenuValues> {
        let mut out = Vec::new();
        for dim in dims.iter().map(|d| d.as_str()) {
            let sql = format!(
                "SELECT DISTINCT {dim} AS v FROM signals WHERE {dim} IS NOT NULL ORDER BY 1 LIMIT {MAX_MENU_VALUES}"
            );
            let values = self
                .sql(ws, &sql)
                .await?
                .strings("v")?
                .into_iter()
                .flatten()
                .collect();
            out.push((dim, values));
        }
        Ok(out)
    }
}
