//! The read context at the bottom of the engine: one handle on the analytics copy,
//! the settings that define the figures, and the SQL helpers every figure reads
//! through. Features are free functions of a [`Reader`]; the caches sit above them
//! (`facade.rs`), so a feature never knows whether its answer is kept.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate};
use throughline_analytics::{AnalyticsCopy, Partial, QueryBatches};
use throughline_domain::WorkspaceId;

use crate::error::Result;
use crate::folds::Latest;
use crate::memo::GenerationMemo;
use crate::settings::DashboardSettings;
use crate::transactions::TxBuffers;

/// The newest signal's time per (workspace, filters SQL).
type LatestMemo = GenerationMemo<(WorkspaceId, String), Option<i64>>;
/// Most newest-signal times kept.
const LATEST_ENTRIES: usize = 64;

pub(crate) struct Reader {
    pub(crate) analytics: Arc<AnalyticsCopy>,
    pub(crate) settings: DashboardSettings,
    /// Every page starts from the newest signal's time: kept per generation of the
    /// copy as part of reading, not as a feature's cache.
    latest: LatestMemo,
    /// Row buffers reused by the transaction reads (`transactions.rs`).
    pub(crate) tx_buffers: TxBuffers,
}

impl Reader {
    pub(crate) fn new(analytics: Arc<AnalyticsCopy>, settings: DashboardSettings) -> Self {
        Self {
            analytics,
            settings,
            latest: GenerationMemo::new(LATEST_ENTRIES),
            tx_buffers: TxBuffers::default(),
        }
    }

    /// The copy's generation: it moves whenever new signals are pulled.
    pub(crate) fn generation(&self) -> u64 {
        self.analytics.generation()
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

    /// The time of the newest signal (with `filters` applied), in microseconds.
    pub(crate) async fn latest_micros(
        &self,
        ws: WorkspaceId,
        filters_sql: &str,
    ) -> Result<Option<i64>> {
        let generation = self.generation();
        let key = (ws, filters_sql.to_string());
        if let Some(latest) = self.latest.get(&key, generation) {
            return Ok(latest);
        }
        let sql = format!("SELECT max(occurred_at) AS t FROM signals WHERE true{filters_sql}");
        let latest = self
            .folded(ws, &sql, |a| {
                Ok(Latest(a.i64s("t")?.first().copied().flatten()))
            })
            .await?
            .0;
        self.latest.put(key, generation, latest);
        Ok(latest)
    }
}

pub(crate) fn micros_to_date(micros: i64) -> Option<NaiveDate> {
    DateTime::from_timestamp_micros(micros).map(|t| t.date_naive())
}
