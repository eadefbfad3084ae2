//! The write side of the copy, off the intake path: follow the store with
//! `signals_after`, keep new rows in the in-memory tail, write the tail out as a
//! Parquet segment when it grows (or on `flush`), merge small segments, and
//! rebuild everything from seq 0 on request.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};
use throughline_domain::Chain;

use datafusion::arrow::array::RecordBatch;
use serde::Serialize;
use throughline_domain::SignalSeq;
use tokio::task::JoinHandle;

use crate::batch;
use crate::copy::{AnalyticsCopy, WriterState};
use crate::error::{AnalyticsError, Result};
use crate::manifest::{Manifest, Segment};
use crate::segments;
use crate::snapshot::resolve_links;
use crate::text_columns;

/// What one refresh (or flush, or rebuild) did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RefreshStats {
    /// Signals pulled from the store.
    pub pulled: usize,
    /// Parquet segments written from the tail.
    pub segments_written: usize,
    /// Small segments merged away by compaction.
    pub segments_merged: usize,
    /// The highest seq the copy covers afterwards.
    pub high_water: i64,
}

/// The tail is re-concatenated once it holds this many batches, so frequent
/// small refreshes do not leave thousands of one-row batches to scan.
const TAIL_MAX_BATCHES: usize = 32;

impl AnalyticsCopy {
    /// Pulls every signal newer than the copy into the tail, refreshes the
    /// profile links, and writes a segment if the tail grew past its limit.
    pub async fn refresh(&self) -> Result<RefreshStats> {
        let mut w = self.writer.lock().await;
        let stats = self.refresh_locked(&mut w).await?;
        self.mark_refreshed();
        Ok(stats)
    }

    /// Writes the tail out as a segment now (a no-op when it is empty).
    pub async fn flush(&self) -> Result<RefreshStats> {
        let mut w = self.writer.lock().await;
        let segments_written = self.flush_locked(&mut w).await?;
        let segments_merged = self.compact_locked(&mut w).await?;
        Ok(RefreshStats {
            segments_written,
            segments_merged,
            high_water: w.high_water,
            pulled: 0,
        })
    }

    /// Drops every segment and rebuilds the copy from seq 0, then flushes.
    /// Queries keep seeing the old copy until the new one is complete.
    pub async fn rebuild(&self) -> Result<RefreshStats> {
        let mut w = self.writer.lock().await;
        let old = std::mem::take(&mut w.manifest.segments);
        w.hold_publish = true;
        let result = self.rebuild_locked(&mut w).await;
        w.hold_publish = false;
        // Even a failed rebuild publishes what it has: later refreshes go on from there.
        let published = self.publish(&w);
        // Only now are the old files out of the published snapshot; queries planned
        // against it still get `retire_grace` to finish.
        self.retire(&mut w, &old);
        published?;
        result
    }

    async fn rebuild_locked(&self, w: &mut WriterState) -> Result<RefreshStats> {
        let next_segment = w.manifest.next_segment;
        w.manifest = Manifest {
            next_segment,
            analyzer: self.config.text.fingerprint().to_string(),
            ..Manifest::default()
        };
        w.clear_tail();
        w.high_water = 0;
        self.pulled_high_water
            .store(0, std::sync::atomic::Ordering::Relaxed);
        self.save_manifest(&w.manifest).await?;
        let mut stats = self.refresh_locked(w).await?;
        stats.segments_written += self.flush_locked(w).await?;
        stats.segments_merged += self.compact_locked(w).await?;
        stats.high_water = w.high_water;
        self.mark_refreshed();
        Ok(stats)
    }

    /// Refreshes every `interval` until the copy is dropped. Never panics: an
    /// error (or even a panic inside one refresh) is logged and the loop goes on.
    pub fn spawn_refresher(self: Arc<Self>, interval: Duration) -> JoinHandle<()> {
        let weak: Weak<Self> = Arc::downgrade(&self);
        drop(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                let Some(copy) = weak.upgrade() else { break };
                // Its own task, so a panic surfaces as a JoinError instead of ending the loop.
                let refreshed = tokio::spawn(async move {
                    let stats = copy.refresh().await?;
                    // What queries read now is what a restart warms up again.
                    if let Err(e) = copy.remember_hot_columns() {
                        tracing::warn!(error = %Chain(&e), "could not record the hot columns");
                    }
                    Ok::<_, crate::AnalyticsError>(stats)
                });
                match refreshed.await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::warn!(error = %Chain(&e), "analytics refresh failed"),
                    Err(e) => tracing::error!(error = %Chain(&e), "analytics refresh panicked"),
                }
            }
        })
    }

    async fn refresh_locked(&self, w: &mut WriterState) -> Result<RefreshStats> {
        let chunk = self.config.pull_chunk.max(1);
        let mut stats = RefreshStats::default();
        loop {
            let mut rows = self
                .store
                .signals_after(SignalSeq(w.high_water), chunk)
                .await?;
            let fetched = rows.len();
            // The feed promises seq order; drop anything out of it rather than duplicate rows.
            rows.retain(|r| r.seq.0 > w.high_water);
            rows.sort_by_key(|r| r.seq);
            // Text analysis is CPU work: off the async threads, and published a
            // slice of bounded text at a time, so rows behind a run of long texts
            // (another workspace's, say) wait for one slice, not the whole chunk.
            while !rows.is_empty() {
                let rest = rows.split_off(text_columns::slice_len(&rows));
                let last = rows[rows.len() - 1].seq.0;
                // The batch first: if it fails, the high water must not have moved.
                let text = self.config.text.clone();
                let (batch, n) =
                    blocking(move || Ok((batch::to_batch(&rows, &text)?, rows.len()))).await?;
                w.tail.push(batch);
                w.high_water = last;
                self.pulled_high_water
                    .store(last, std::sync::atomic::Ordering::Relaxed);
                w.tail_rows += n;
                stats.pulled += n;
                rows = rest;
                if !rows.is_empty() {
                    self.publish(w)?;
                }
            }
            if w.tail_rows >= self.config.tail_max_rows {
                stats.segments_written += self.flush_locked(w).await?;
            }
            if fetched < chunk {
                break;
            }
            // Long catch-ups become visible chunk by chunk.
            self.publish(w)?;
        }
        let mut links = resolve_links(&self.store.profile_links().await?);
        // A workspace's map is kept when unchanged: answers folded with its merged
        // profiles stay valid while it is the same map (`folded.rs` compares pointers).
        for (ws, map) in links.iter_mut() {
            if let Some(old) = w.links.get(ws).filter(|old| *old == map) {
                *map = Arc::clone(old);
            }
        }
        let links_changed = links != *w.links;
        if links_changed {
            w.links = Arc::new(links);
        }
        if w.tail.len() > TAIL_MAX_BATCHES {
            w.tail = vec![batch::concat(&w.tail)?];
        }
        // An idle refresh (the usual case, every 250 ms) changes nothing queries see.
        if stats.pulled > 0 || links_changed {
            self.publish(w)?;
        }
        stats.segments_merged = self.compact_locked(w).await?;
        self.delete_retired(w);
        stats.high_water = w.high_water;
        Ok(stats)
    }

    /// Writes the tail as a segment and records it in the manifest. Returns 1 if written.
    async fn flush_locked(&self, w: &mut WriterState) -> Result<usize> {
        if w.tail_rows == 0 {
            return Ok(0);
        }
        let file = w.manifest.next_segment_file();
        let (dir, tail) = (self.dir.clone(), w.tail.clone());
        let (segment, rows) = blocking(move || segments::write_segment(&dir, &file, &tail)).await?;
        self.seed_hot_cache(&segment, rows).await;
        let mut manifest = w.manifest.clone();
        manifest.segments.push(segment);
        manifest.high_water = w.high_water;
        self.save_manifest(&manifest).await?;
        w.manifest = manifest;
        w.clear_tail();
        self.publish(w)?;
        Ok(1)
    }

    /// Merges the small segments into one once there are enough of them.
    async fn compact_locked(&self, w: &mut WriterState) -> Result<usize> {
        let limit = self.config.compact_below_rows;
        let small: Vec<Segment> = w
            .manifest
            .segments
            .iter()
            .filter(|s| s.rows < limit)
            .cloned()
            .collect();
        if small.len() < self.config.compact_min_segments.max(2) {
            return Ok(0);
        }
        let file = w.manifest.next_segment_file();
        let (dir, inputs) = (self.dir.clone(), small.clone());
        let (merged, rows) =
            blocking(move || segments::merge_segments(&dir, &inputs, &file)).await?;
        self.seed_hot_cache(&merged, rows).await;
        let mut manifest = w.manifest.clone();
        manifest.segments.retain(|s| !small.contains(s));
        manifest.segments.push(merged);
        self.save_manifest(&manifest).await?;
        w.manifest = manifest;
        self.publish(w)?;
        self.retire(w, &small);
        tracing::debug!(merged = small.len(), "compacted analytics segments");
        Ok(small.len())
    }

    /// Hands a just-written segment's rows to the hot column cache, so the next query
    /// does not decode from the file what was in memory a moment ago. Best effort: a
    /// failure only means the columns are decoded on first use.
    async fn seed_hot_cache(&self, segment: &Segment, rows: RecordBatch) {
        let Some(hot) = self.hot_cache() else { return };
        let (dir, file) = (self.dir.clone(), segment.file.clone());
        if let Err(e) = blocking(move || hot.seed(&dir, &file, &rows)).await {
            tracing::debug!(error = %Chain(&e), "could not seed the hot column cache");
        }
    }

    async fn save_manifest(&self, manifest: &Manifest) -> Result<()> {
        let (dir, manifest) = (self.dir.clone(), manifest.clone());
        blocking(move || manifest.save(&dir)).await
    }

    /// Schedules replaced segment files for deletion once running queries are done.
    fn retire(&self, w: &mut WriterState, old: &[Segment]) {
        let now = Instant::now();
        w.retired
            .extend(old.iter().map(|s| (self.dir.join(&s.file), now)));
    }

    fn delete_retired(&self, w: &mut WriterState) {
        let grace = self.config.retire_grace;
        w.retired.retain(|(path, at)| {
            if at.elapsed() < grace {
                return true;
            }
            if let Err(e) = std::fs::remove_file(path) {
                tracing::warn!(path = %path.display(), error = %Chain(&e), "could not remove a retired segment");
            }
            false
        });
    }
}

/// Runs blocking file work off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AnalyticsError::Task(e.to_string()))?
}
