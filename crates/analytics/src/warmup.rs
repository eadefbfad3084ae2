//! Warming the hot column cache after a start.
//!
//! A column is decoded from Parquet the first time a query reads it, so the first
//! queries after a restart paid for decoding: 5–11× a warm call over 7 M rows.
//! The copy records which columns the cache keeps (`hot-columns.json`, rewritten
//! when that set changes) and, after a start, decodes those columns of every
//! segment again in the background, within the cache's budget. Queries answer
//! meanwhile; one that needs a column being decoded waits for it rather than
//! decoding it twice (`HotSegment::column`).

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::PoisonError;
use std::time::{Duration, Instant};
use throughline_domain::Chain;

use serde::{Deserialize, Serialize};

use crate::copy::AnalyticsCopy;
use crate::error::{AnalyticsError, Result};
use crate::manifest::replace_file;
use crate::schema::stored_schema;
use crate::snapshot::Rows;

/// Where the hot set is kept, in the copy's directory.
pub const HOT_COLUMNS_FILE: &str = "hot-columns.json";

#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
struct HotColumns {
    /// Stored-schema column names, in schema order.
    columns: Vec<String>,
}

/// What a warm-up did.
#[derive(Debug, Clone, Copy, Default)]
pub struct WarmStats {
    /// Columns of the hot set decoded (per segment, counted once).
    pub columns: usize,
    /// Bytes the hot cache holds afterwards.
    pub cache_bytes: usize,
    pub took: Duration,
}

impl AnalyticsCopy {
    /// Records the columns the hot cache keeps now, when they differ from those
    /// recorded. Cheap when nothing changed; the refresher calls it each cycle.
    /// Until a recorded set has been warmed up, nothing is written: the few columns
    /// kept in the first seconds after a start would replace the record.
    pub fn remember_hot_columns(&self) -> Result<()> {
        let Some(hot) = &self.hot else {
            return Ok(());
        };
        if self.warm_pending.load(Ordering::Acquire) {
            return Ok(());
        }
        let schema = stored_schema();
        let now = HotColumns {
            columns: hot
                .kept_columns()
                .into_iter()
                .map(|c| schema.field(c).name().clone())
                .collect(),
        };
        let mut remembered = self
            .remembered_hot
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if now.columns.is_empty() || *remembered == now.columns {
            return Ok(());
        }
        let bytes = serde_json::to_vec_pretty(&now).expect("a list of names serialises");
        let tmp = self.dir.join(format!("{HOT_COLUMNS_FILE}.tmp"));
        replace_file(&self.dir, HOT_COLUMNS_FILE, &tmp, &bytes)?;
        *remembered = now.columns;
        Ok(())
    }

    /// Decodes the recorded hot columns of every live segment, in the blocking
    /// pool, until the cache's budget is reached. A column not in today's schema
    /// is skipped; a missing or unreadable record warms nothing.
    pub async fn warm(&self) -> Result<WarmStats> {
        let started = Instant::now();
        // However it ends, the record may be rewritten afterwards.
        let _done = Cleared(&self.warm_pending);
        let (Some(hot), Rows::Hot { segments, .. }) = (&self.hot, &self.snapshot().rows) else {
            return Ok(WarmStats::default());
        };
        let recorded = read_hot_columns(&self.dir);
        let schema = stored_schema();
        let columns: Vec<usize> = recorded
            .columns
            .iter()
            .filter_map(|name| schema.index_of(name).ok())
            .collect();
        *self
            .remembered_hot
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = recorded.columns;
        let (hot, segments) = (std::sync::Arc::clone(hot), segments.clone());
        let decoded = tokio::task::spawn_blocking(move || -> Result<usize> {
            let mut decoded = 0;
            for &column in &columns {
                for segment in &segments {
                    if hot.is_full() {
                        return Ok(decoded);
                    }
                    segment.column(column)?;
                    decoded += 1;
                }
            }
            Ok(decoded)
        })
        .await
        .map_err(|e| AnalyticsError::Task(format!("warm-up: {e}")))??;
        let stats = WarmStats {
            columns: decoded,
            cache_bytes: self.hot.as_ref().map_or(0, |h| h.used_bytes()),
            took: started.elapsed(),
        };
        tracing::info!(
            columns = stats.columns,
            cache_mib = stats.cache_bytes >> 20,
            took_ms = stats.took.as_millis() as u64,
            "hot column cache warmed"
        );
        Ok(stats)
    }
}

/// Clears its flag when dropped.
struct Cleared<'a>(&'a AtomicBool);

impl Drop for Cleared<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Whether `dir` holds a hot-column record for a warm-up to read.
pub(crate) fn has_record(dir: &Path) -> bool {
    dir.join(HOT_COLUMNS_FILE).exists()
}

fn read_hot_columns(dir: &Path) -> HotColumns {
    let path = dir.join(HOT_COLUMNS_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!(file = %path.display(), error = %Chain(&e), "hot column record unreadable; not warming");
            HotColumns::default()
        }),
        Err(_) => HotColumns::default(),
    }
}
