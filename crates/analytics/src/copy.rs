//! `AnalyticsCopy`: the columnar copy of every signal, its state on disk and in
//! memory, and the read side (queries, lag). The write side (following the
//! store, flushing, compacting, rebuilding) lives in `refresh.rs`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Instant;
use throughline_domain::Chain;

use datafusion::arrow::array::RecordBatch;
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::logical_expr::LogicalPlan;
use serde::Serialize;
use throughline_domain::WorkspaceId;
use throughline_store::Store;

use crate::capped::ValueLimits;
use crate::config::AnalyticsConfig;
use crate::error::{AnalyticsError, Result};
use crate::folded::{rows_from, FoldMemo, Partial, TailFold};
use crate::hot::HotCache;
use crate::manifest::Manifest;
use crate::pool::QueryPool;
use crate::query::{self, QueryBatches, QueryResult};
use crate::segments;
use crate::session::{canonical_map, workspace_session_in, PARTITIONS};
use crate::snapshot::{Links, Rows, Snapshot};

/// Fewer new rows than this are read in one partition by `query_folded`.
const FEW_ROWS: usize = 1 << 16;

/// How far the copy is behind the system of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Lag {
    pub store_high_water: i64,
    pub copy_high_water: i64,
    /// `store_high_water - copy_high_water`: exact when seqs have no gaps, an
    /// upper bound otherwise.
    pub behind_signals: u64,
    /// Milliseconds since the last successful refresh; `None` before the first.
    pub last_refresh_age_ms: Option<u64>,
}

/// The columnar copy of the signals and its SQL engine. Cheap to share behind
/// an `Arc`; queries run concurrently with each other and with a refresh.
pub struct AnalyticsCopy {
    pub(crate) dir: PathBuf,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) config: AnalyticsConfig,
    runtime: Arc<RuntimeEnv>,
    /// Serialises the write side: one refresh, flush or rebuild at a time.
    pub(crate) writer: tokio::sync::Mutex<WriterState>,
    /// What queries read; replaced whole after every change.
    snapshot: RwLock<Arc<Snapshot>>,
    last_refresh: Mutex<Option<Instant>>,
    /// The writer's high water, visible during a rebuild (which publishes only at
    /// the end): what a progress bar shows.
    pub(crate) pulled_high_water: std::sync::atomic::AtomicI64,
    /// Bumped every time a new snapshot is published: equal generations read equal
    /// data, so results computed at one can be cached until it moves.
    generation: std::sync::atomic::AtomicU64,
    /// Decoded segment columns shared by every snapshot; `None` when disabled.
    pub(crate) hot: Option<Arc<HotCache>>,
    /// Answers folded per segment prefix (`query_folded`).
    folds: FoldMemo,
    /// The threads queries run on, apart from request handling and refresh.
    pool: QueryPool,
    /// The hot columns last recorded for the next start's warm-up (`warmup.rs`).
    pub(crate) remembered_hot: Mutex<Vec<String>>,
    /// A record is there and not warmed up yet: it is not to be rewritten.
    pub(crate) warm_pending: std::sync::atomic::AtomicBool,
}

/// One query, ready to run on the query threads.
struct Job {
    snapshot: Arc<Snapshot>,
    runtime: Arc<RuntimeEnv>,
    workspace: WorkspaceId,
    partitions: usize,
    values: ValueLimits,
    sql: String,
    /// For JSON answers: run to one row past this, to tell whether there was more.
    row_limit: Option<usize>,
    max_bytes: usize,
}

impl Job {
    /// The answer, and whether it is an EXPLAIN (whose text names files).
    async fn run(self) -> Result<(QueryBatches, bool)> {
        let ctx = workspace_session_in(
            &self.snapshot,
            self.runtime,
            self.workspace,
            self.partitions,
            self.values,
        )?;
        if self.row_limit.is_some() {
            hide_server_wide_columns(&ctx).await?;
        }
        let frame = query::plan_read_only(&ctx, &self.sql).await?;
        // Without the hot cache a scan reads every workspace's rows of a segment and
        // filters after, so its measured counts would tell of other tenants' data.
        let reads_all = matches!(self.snapshot.rows, Rows::Tables { .. });
        if reads_all && matches!(frame.logical_plan(), LogicalPlan::Analyze(_)) {
            return Err(AnalyticsError::Forbidden(
                "EXPLAIN ANALYZE needs the hot column cache ([analytics] hot_cache_mib > 0); \
                 without it the scan's counts include other workspaces' rows"
                    .into(),
            ));
        }
        // EXPLAIN must stay the root of its plan, and is short anyway.
        let explain = matches!(
            frame.logical_plan(),
            LogicalPlan::Explain(_) | LogicalPlan::Analyze(_)
        );
        let frame = match self.row_limit {
            Some(limit) if !explain => frame.limit(0, Some(limit + 1))?,
            _ => frame,
        };
        Ok((query::collect(frame, self.max_bytes).await?, explain))
    }
}

impl WriterState {
    /// Empties the tail (flushed into a segment, or dropped by a rebuild).
    pub fn clear_tail(&mut self) {
        self.tail.clear();
        self.tail_rows = 0;
        self.tail_epoch += 1;
    }
}

/// The write side's state. Only touched with `AnalyticsCopy::writer` held.
pub(crate) struct WriterState {
    pub manifest: Manifest,
    /// Rows newer than the manifest's high water, not yet in a segment.
    pub tail: Vec<RecordBatch>,
    pub tail_rows: usize,
    /// Bumped whenever the tail is emptied: between two bumps it only grows at its
    /// end, so its first rows stay the same rows (what `query_folded` relies on).
    pub tail_epoch: u64,
    /// The highest seq in segments or tail.
    pub high_water: i64,
    pub links: Arc<Links>,
    /// Segment files replaced but maybe still read by a running query, and when.
    pub retired: Vec<(PathBuf, Instant)>,
    /// Set during a rebuild, so queries keep the old copy until the new one is whole.
    pub hold_publish: bool,
}

/// For ad-hoc SQL, `signals` without `seq`: the commit order is numbered across
/// all workspaces, so its gaps would tell one tenant how much the others send.
/// The dashboard's own queries keep it to order rows stably.
async fn hide_server_wide_columns(ctx: &datafusion::prelude::SessionContext) -> Result<()> {
    let signals = ctx.table("signals").await?;
    let keep: Vec<_> = signals
        .schema()
        .fields()
        .iter()
        .filter(|f| f.name() != "seq")
        .map(|f| datafusion::prelude::col(f.name()))
        .collect();
    let view = signals.select(keep)?.into_view();
    ctx.deregister_table("signals")?;
    ctx.register_table("signals", view)?;
    Ok(())
}

impl AnalyticsCopy {
    /// Opens the copy kept in `dir` (`<data-dir>/analytics`, created if missing)
    /// with default settings. Resumes from the manifest's high water; call
    /// `refresh` (or `spawn_refresher`) to catch up.
    pub fn open(dir: PathBuf, store: Arc<dyn Store>) -> Result<Self> {
        Self::open_with(dir, store, AnalyticsConfig::default())
    }

    pub fn open_with(dir: PathBuf, store: Arc<dyn Store>, config: AnalyticsConfig) -> Result<Self> {
        std::fs::create_dir_all(&dir).map_err(AnalyticsError::io(&dir))?;
        let mut manifest = match Manifest::load(&dir) {
            // Results of other text rules are re-analysed: the copy starts over.
            Ok(Some(m)) if m.analyzer != config.text.fingerprint() => {
                tracing::info!(found = %m.analyzer, want = %config.text.fingerprint(),
                    "text analyser changed; re-analysing the analytics copy");
                Manifest::default()
            }
            Ok(m) => m.unwrap_or_default(),
            // Derived state: a damaged manifest costs a rebuild, not an outage.
            Err(e) => {
                tracing::warn!(error = %Chain(&e), "analytics manifest unusable; rebuilding from the store");
                Manifest::default()
            }
        };
        manifest.analyzer = config.text.fingerprint().to_string();
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_limit(config.query_memory_bytes, 1.0)
            .build_arc()?;
        let links = Arc::new(Links::new());
        let hot = (config.hot_cache_bytes > 0)
            .then(|| Arc::new(HotCache::new(config.hot_cache_bytes, config.zone_rows)));
        let build = |manifest: &Manifest| {
            segments::remove_orphans(&dir, &manifest.segments)?;
            Snapshot::build(
                &dir,
                manifest,
                &[],
                Arc::clone(&links),
                manifest.high_water,
                hot.as_deref(),
            )
        };
        let snapshot = match build(&manifest) {
            Ok(snapshot) => snapshot,
            // A segment file missing or unreadable: like a damaged manifest, a rebuild.
            Err(e) => {
                tracing::warn!(error = %Chain(&e), "analytics segments unusable; rebuilding from the store");
                manifest = Manifest {
                    analyzer: manifest.analyzer,
                    ..Manifest::default()
                };
                build(&manifest)?
            }
        };
        let high_water = manifest.high_water;
        let warm_pending = crate::warmup::has_record(&dir);
        let state = WriterState {
            manifest,
            tail: Vec::new(),
            tail_rows: 0,
            tail_epoch: 0,
            high_water,
            links,
            retired: Vec::new(),
            hold_publish: false,
        };
        Ok(Self {
            dir,
            store,
            runtime,
            writer: tokio::sync::Mutex::new(state),
            snapshot: RwLock::new(Arc::new(snapshot)),
            last_refresh: Mutex::new(None),
            pulled_high_water: std::sync::atomic::AtomicI64::new(high_water),
            generation: std::sync::atomic::AtomicU64::new(0),
            hot,
            folds: FoldMemo::new(config.fold_memo_bytes),
            pool: QueryPool::new(config.admission)?,
            remembered_hot: Mutex::new(Vec::new()),
            warm_pending: std::sync::atomic::AtomicBool::new(warm_pending),
            config,
        })
    }

    /// The text analyser whose results the copy keeps (its taxonomy names the themes).
    pub fn text_analyzer(&self) -> &crate::TextAnalyzer {
        &self.config.text
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Runs read-only `sql` against `workspace`'s `signals` and `profiles` and
    /// returns at most `max_json_rows` rows as JSON values. This is ad-hoc SQL: it
    /// is admitted under the per-workspace and total limits, and its answer is
    /// capped in bytes (`max_answer_bytes`) as well as rows.
    pub async fn query(&self, workspace: WorkspaceId, sql: &str) -> Result<QueryResult> {
        query::check_sql_size(sql, self.config.max_sql_bytes)?;
        let limit = self.config.max_json_rows;
        let job = Job {
            row_limit: Some(limit),
            max_bytes: self.config.max_answer_bytes,
            ..self.job(self.snapshot(), workspace, sql, PARTITIONS)
        };
        let work = async move {
            let (answer, explain) = job.run().await?;
            let rows = crate::json::rows(&answer.batches, limit)?;
            let rows = if explain {
                crate::json::redact_paths(rows)
            } else {
                rows
            };
            Ok(QueryResult {
                columns: answer
                    .schema
                    .fields()
                    .iter()
                    .map(|f| f.name().clone())
                    .collect(),
                row_count: rows.len(),
                truncated: answer.num_rows() > limit,
                rows,
            })
        };
        self.pool
            .run_admitted(workspace.0, self.config.query_timeout, work)
            .await
    }

    /// Runs read-only `sql` against `workspace`'s tables and returns every row as
    /// Arrow batches (no row limit; the time and memory limits still hold). For
    /// the dashboard's own queries: not admitted like ad-hoc SQL, but run on the
    /// query threads under the same deadline.
    pub async fn query_batches(&self, workspace: WorkspaceId, sql: &str) -> Result<QueryBatches> {
        self.query_on(self.snapshot(), workspace, sql, PARTITIONS)
            .await
    }

    /// A query of `sql` on `snapshot`, with the limits of the dashboard's own queries.
    fn job(
        &self,
        snapshot: Arc<Snapshot>,
        workspace: WorkspaceId,
        sql: &str,
        partitions: usize,
    ) -> Job {
        Job {
            snapshot,
            runtime: Arc::clone(&self.runtime),
            workspace,
            partitions,
            values: self.config.value_limits,
            sql: sql.to_string(),
            row_limit: None,
            max_bytes: self.config.query_memory_bytes,
        }
    }

    /// Runs `sql` like `query_batches` and folds its answer with `fold`, part by
    /// part (`folded.rs`): the value folded over the segments, and over them and the
    /// tail's rows so far, is kept, so a later call reads only the segments written
    /// since and the tail's newer rows. `A` must merge exactly (see [`Partial`]).
    /// The answer is shared with the memo (no copy when nothing new was folded in).
    /// With the hot column cache off, everything is read and folded at once.
    pub async fn query_folded<A, E>(
        &self,
        workspace: WorkspaceId,
        sql: &str,
        fold: impl Fn(&QueryBatches) -> std::result::Result<A, E>,
    ) -> std::result::Result<Arc<A>, E>
    where
        A: Partial,
        E: From<AnalyticsError>,
    {
        let snapshot = self.snapshot();
        let Rows::Hot { segments, tail } = &snapshot.rows else {
            let answer = self
                .query_on(Arc::clone(&snapshot), workspace, sql, PARTITIONS)
                .await?;
            return Ok(Arc::new(fold(&answer)?));
        };
        let canonical = canonical_map(&snapshot, workspace);
        let files: Vec<PathBuf> = segments.iter().map(|s| s.path().to_path_buf()).collect();
        let key = (workspace.0, sql.to_string(), std::any::TypeId::of::<A>());
        let kept = self.folds.get::<A>(&key, &files, &canonical);
        let part = |segments: Vec<_>, tail| Snapshot {
            rows: Rows::Hot { segments, tail },
            links: Arc::clone(&snapshot.links),
            high_water: snapshot.high_water,
            tail_rows: 0,
            tail_epoch: 0,
        };
        // The segments: as kept, or the kept prefix and the segments after it.
        let done = kept.as_ref().map_or(0, |k| k.segments_done);
        let folded_segments = match kept.as_ref() {
            Some(k) if done == segments.len() => Arc::clone(&k.segments),
            _ => {
                let rest = part(segments[done..].to_vec(), Arc::default());
                let value = fold(
                    &self
                        .query_on(Arc::new(rest), workspace, sql, PARTITIONS)
                        .await?,
                )?;
                Arc::new(match kept.as_ref() {
                    Some(k) => {
                        let mut a = (*k.segments).clone();
                        a.merge(value);
                        a
                    }
                    None => value,
                })
            }
        };
        // The tail: from the rows already folded when they are still its first rows.
        let (mut total, from) = match kept.and_then(|k| k.tail) {
            Some(t)
                if done == segments.len()
                    && t.epoch == snapshot.tail_epoch
                    && t.rows <= snapshot.tail_rows =>
            {
                (t.value, t.rows)
            }
            _ => (Arc::clone(&folded_segments), 0),
        };
        if from < snapshot.tail_rows {
            let new_rows = Arc::new(rows_from(tail, from));
            let partitions = if snapshot.tail_rows - from < FEW_ROWS {
                1
            } else {
                PARTITIONS
            };
            let new_part = part(Vec::new(), new_rows);
            let fresh = fold(
                &self
                    .query_on(Arc::new(new_part), workspace, sql, partitions)
                    .await?,
            )?;
            // Nothing to add (new rows this query does not count): share, not copy.
            if !fresh.is_empty() {
                // In place when the kept value is ours alone (the usual case), else a copy.
                let mut merged = Arc::try_unwrap(total).unwrap_or_else(|a| (*a).clone());
                merged.merge(fresh);
                total = Arc::new(merged);
            }
        }
        let tail_fold = TailFold {
            epoch: snapshot.tail_epoch,
            rows: snapshot.tail_rows,
            value: Arc::clone(&total),
        };
        self.folds
            .put(key, files, canonical, folded_segments, Some(tail_fold));
        Ok(total)
    }

    /// Bytes of folded answers `query_folded` keeps now.
    pub fn fold_memo_bytes(&self) -> usize {
        self.folds.used_bytes()
    }

    async fn query_on(
        &self,
        snapshot: Arc<Snapshot>,
        workspace: WorkspaceId,
        sql: &str,
        partitions: usize,
    ) -> Result<QueryBatches> {
        let job = self.job(snapshot, workspace, sql, partitions);
        let work = async move { job.run().await.map(|(answer, _)| answer) };
        self.pool.run(self.config.query_timeout, work).await
    }

    /// Ad-hoc queries whose work has not stopped yet (one past its deadline may
    /// still be unwinding to its next yield).
    pub fn queries_running(&self) -> usize {
        self.pool.running()
    }

    /// How far behind the store the copy is.
    pub async fn lag(&self) -> Result<Lag> {
        let store_high_water = self.store.high_water().await?.0;
        let copy_high_water = self.copy_high_water();
        let age = *self
            .last_refresh
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Ok(Lag {
            store_high_water,
            copy_high_water,
            behind_signals: u64::try_from(store_high_water - copy_high_water).unwrap_or(0),
            last_refresh_age_ms: age.map(|t| t.elapsed().as_millis() as u64),
        })
    }

    /// The highest seq a query can see now.
    /// How far the writer has pulled, including a rebuild not yet published.
    pub fn pulled_high_water(&self) -> i64 {
        self.pulled_high_water
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Which snapshot queries read now; it changes whenever what they read may have
    /// changed (new signals, a merge or unmerge, a rebuild).
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Bytes of segment columns the hot column cache holds decoded now.
    pub fn hot_cache_bytes(&self) -> usize {
        self.hot.as_deref().map_or(0, HotCache::used_bytes)
    }

    pub(crate) fn hot_cache(&self) -> Option<Arc<HotCache>> {
        self.hot.clone()
    }

    /// Rows queries read from the in-memory tail now (not yet in a segment).
    pub fn tail_rows(&self) -> usize {
        self.snapshot().tail_rows
    }

    pub fn copy_high_water(&self) -> i64 {
        self.snapshot().high_water
    }

    pub(crate) fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.snapshot.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Makes the writer's current state what queries see.
    pub(crate) fn publish(&self, w: &WriterState) -> Result<()> {
        if w.hold_publish {
            return Ok(());
        }
        let mut snapshot = Snapshot::build(
            &self.dir,
            &w.manifest,
            &w.tail,
            Arc::clone(&w.links),
            w.high_water,
            self.hot.as_deref(),
        )?;
        snapshot.tail_epoch = w.tail_epoch;
        *self
            .snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(snapshot);
        // After the swap: a reader that sees the new generation reads the new snapshot.
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    pub(crate) fn mark_refreshed(&self) {
        *self
            .last_refresh
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
    }
}
