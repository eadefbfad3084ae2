//! The hot column cache: segment columns decoded from Parquet once and kept in
//! memory, so a query pays for filtering and aggregating, not for decoding the
//! same pages again. Dashboard queries read about twenty columns over and over;
//! decoding them was most of a query's time.
//!
//! Segments are immutable, so a decoded column stays right until its file is
//! retired. A column is loaded on first use, for the whole segment, row group
//! by row group; a segment just written by a flush or a compaction comes with the
//! columns other segments keep (`seed`), taken from the rows it was written from; row groups are pruned with the Parquet file's own min/max
//! statistics, as the Parquet reader would. Past `budget` bytes a column is
//! decoded for the query that asked and not kept.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use datafusion::arrow::array::{ArrayRef, BooleanArray, RecordBatch, RecordBatchOptions};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::pruning::PruningStatistics;
use datafusion::common::{Column, ScalarValue};
use datafusion::parquet::arrow::arrow_reader::statistics::StatisticsConverter;
use datafusion::parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use datafusion::parquet::arrow::ProjectionMask;

use crate::error::{AnalyticsError, Result};
use crate::manifest::Segment;
use crate::schema::stored_schema;

/// Decoded columns of every live segment, within a memory budget.
pub(crate) struct HotCache {
    budget: usize,
    used: Arc<AtomicUsize>,
    segments: Mutex<HashMap<String, Arc<HotSegment>>>,
}

impl HotCache {
    pub fn new(budget: usize) -> Self {
        Self {
            budget,
            used: Arc::new(AtomicUsize::new(0)),
            segments: Mutex::new(HashMap::new()),
        }
    }

    /// Bytes of decoded columns held now.
    pub fn used_bytes(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// The cache entries of `files` (opened on first sight). Entries of files no
    /// longer listed are dropped; a query still reading one keeps it alive.
    pub fn segments(&self, dir: &Path, files: &[Segment]) -> Result<Vec<Arc<HotSegment>>> {
        let mut known = self.segments.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out = Vec::with_capacity(files.len());
        for segment in files {
            let entry = match known.get(&segment.file) {
                Some(entry) => Arc::clone(entry),
                None => Arc::new(HotSegment::open(
                    dir.join(&segment.file),
                    self.budget,
                    Arc::clone(&self.used),
                )?),
            };
            out.push(entry);
        }
        known.clear();
        for (segment, entry) in files.iter().zip(&out) {
            known.insert(segment.file.clone(), Arc::clone(entry));
        }
        Ok(out)
    }

    /// Keeps `rows`, the rows of the segment `file` just written, for the columns some
    /// other segment keeps decoded (what queries have been reading), as if decoded.
    pub fn seed(&self, dir: &Path, file: &str, rows: &RecordBatch) -> Result<()> {
        let mut known = self.segments.lock().unwrap_or_else(PoisonError::into_inner);
        let width = rows.num_columns();
        let hot: Vec<usize> = (0..width)
            .filter(|&c| known.values().any(|s| s.is_kept(c)))
            .collect();
        if hot.is_empty() {
            return Ok(());
        }
        let segment = HotSegment::open(dir.join(file), self.budget, Arc::clone(&self.used))?;
        let sizes: Vec<usize> = (0..segment.row_groups())
            .map(|g| segment.rows_in(g))
            .collect();
        if sizes.iter().sum::<usize>() != rows.num_rows() {
            return Ok(());
        }
        for column in hot {
            let array = rows.column(column);
            let mut offset = 0;
            let parts = sizes
                .iter()
                .map(|&n| {
                    offset += n;
                    array.slice(offset - n, n)
                })
                .collect();
            // The slices share the column's buffers: counted once, whole.
            segment.keep(column, Arc::new(parts), array.get_array_memory_size());
        }
        known.insert(file.to_string(), Arc::new(segment));
        Ok(())
    }
}

/// One segment file: its Parquet metadata (for pruning) and the columns decoded so far.
pub(crate) struct HotSegment {
    path: PathBuf,
    metadata: ArrowReaderMetadata,
    budget: usize,
    used: Arc<AtomicUsize>,
    /// Per stored-schema column: its arrays, one per row group, once loaded.
    columns: Mutex<Vec<Option<Arc<Vec<ArrayRef>>>>>,
    /// Bytes this segment's kept columns count against the budget.
    held: AtomicUsize,
    /// Per column name: its row-group statistics (`None`: the file has none).
    stats: Mutex<HashMap<String, Option<Arc<ColumnStats>>>>,
}

struct ColumnStats {
    min: ArrayRef,
    max: ArrayRef,
    nulls: ArrayRef,
}

impl HotSegment {
    fn open(path: PathBuf, budget: usize, used: Arc<AtomicUsize>) -> Result<Self> {
        let file = File::open(&path).map_err(AnalyticsError::io(&path))?;
        let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new())
            .map_err(|e| AnalyticsError::Engine(e.into()))?;
        let width = stored_schema().fields().len();
        Ok(Self {
            path,
            metadata,
            budget,
            used,
            columns: Mutex::new(vec![None; width]),
            held: AtomicUsize::new(0),
            stats: Mutex::new(HashMap::new()),
        })
    }

    pub fn row_groups(&self) -> usize {
        self.metadata.metadata().num_row_groups()
    }

    pub fn rows_in(&self, row_group: usize) -> usize {
        self.metadata.metadata().row_group(row_group).num_rows() as usize
    }

    /// The arrays of `column` (a stored-schema index), one per row group.
    /// Blocking: decodes the column on first use.
    pub fn column(&self, column: usize) -> Result<Arc<Vec<ArrayRef>>> {
        // Held across the decode, so two queries never decode the same column twice.
        let mut columns = self.columns.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(arrays) = &columns[column] {
            return Ok(Arc::clone(arrays));
        }
        let arrays = Arc::new(self.decode(column)?);
        let bytes: usize = arrays.iter().map(|a| a.get_array_memory_size()).sum();
        self.keep_locked(&mut columns, column, Arc::clone(&arrays), bytes);
        Ok(arrays)
    }

    fn is_kept(&self, column: usize) -> bool {
        let kept = self.columns.lock().unwrap_or_else(PoisonError::into_inner);
        kept.get(column).is_some_and(Option::is_some)
    }

    fn keep(&self, column: usize, arrays: Arc<Vec<ArrayRef>>, bytes: usize) {
        let mut columns = self.columns.lock().unwrap_or_else(PoisonError::into_inner);
        self.keep_locked(&mut columns, column, arrays, bytes);
    }

    /// Keeps `arrays` as `column` if the budget allows.
    fn keep_locked(
        &self,
        columns: &mut [Option<Arc<Vec<ArrayRef>>>],
        column: usize,
        arrays: Arc<Vec<ArrayRef>>,
        bytes: usize,
    ) {
        let used = self.used.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if used <= self.budget {
            columns[column] = Some(arrays);
            self.held.fetch_add(bytes, Ordering::Relaxed);
        } else {
            self.used.fetch_sub(bytes, Ordering::Relaxed);
            tracing::debug!(file = %self.path.display(), column, bytes,
                "hot column cache full; column not kept");
        }
    }

    fn decode(&self, column: usize) -> Result<Vec<ArrayRef>> {
        let file = File::open(&self.path).map_err(AnalyticsError::io(&self.path))?;
        let mask = ProjectionMask::roots(self.metadata.parquet_schema(), [column]);
        let engine =
            |e: datafusion::parquet::errors::ParquetError| AnalyticsError::Engine(e.into());
        let mut out = Vec::with_capacity(self.row_groups());
        for row_group in 0..self.row_groups() {
            let rows = self.rows_in(row_group);
            let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(
                file.try_clone().map_err(AnalyticsError::io(&self.path))?,
                self.metadata.clone(),
            )
            .with_projection(mask.clone())
            .with_row_groups(vec![row_group])
            .with_batch_size(rows.max(1))
            .build()
            .map_err(engine)?;
            let mut parts = Vec::new();
            for batch in reader {
                parts.push(Arc::clone(batch?.column(0)));
            }
            out.push(concat_arrays(&parts)?);
        }
        Ok(out)
    }

    /// Whether every one of `columns` is decoded and kept already. Never waits: while
    /// another query decodes a column of this segment, the answer is no.
    pub fn has_columns(&self, columns: &[usize]) -> bool {
        match self.columns.try_lock() {
            Ok(kept) => columns.iter().all(|&c| kept[c].is_some()),
            Err(_) => false,
        }
    }

    /// `columns`' rows of the row groups `keep` marks, one batch per row group.
    pub fn batches(
        &self,
        schema: &SchemaRef,
        columns: &[usize],
        keep: &[bool],
    ) -> Result<Vec<RecordBatch>> {
        let arrays = columns
            .iter()
            .map(|&c| self.column(c))
            .collect::<Result<Vec<_>>>()?;
        let mut out = Vec::new();
        for (row_group, _) in keep.iter().enumerate().filter(|(_, k)| **k) {
            let columns = arrays.iter().map(|a| Arc::clone(&a[row_group])).collect();
            let options = RecordBatchOptions::new().with_row_count(Some(self.rows_in(row_group)));
            out.push(RecordBatch::try_new_with_options(
                Arc::clone(schema),
                columns,
                &options,
            )?);
        }
        Ok(out)
    }

    /// The min, max and null-count arrays of `column` over the row groups, read from
    /// the footer once and kept (pruning asks for them on every query).
    fn stats(&self, column: &Column) -> Option<Arc<ColumnStats>> {
        let mut known = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(stats) = known.get(column.name()) {
            return stats.clone();
        }
        let groups = self.metadata.metadata().row_groups();
        let stats = self.converter(column).and_then(|c| {
            Some(Arc::new(ColumnStats {
                min: c.row_group_mins(groups).ok()?,
                max: c.row_group_maxes(groups).ok()?,
                nulls: Arc::new(c.row_group_null_counts(groups).ok()?),
            }))
        });
        known.insert(column.name().to_string(), stats.clone());
        stats
    }

    fn converter(&self, column: &Column) -> Option<StatisticsConverter<'_>> {
        StatisticsConverter::try_new(
            column.name(),
            self.metadata.schema(),
            self.metadata.parquet_schema(),
        )
        .ok()
    }
}

impl std::fmt::Debug for HotSegment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HotSegment")
            .field("path", &self.path)
            .field("row_groups", &self.row_groups())
            .finish()
    }
}

impl Drop for HotSegment {
    fn drop(&mut self) {
        self.used.fetch_sub(*self.held.get_mut(), Ordering::Relaxed);
    }
}

fn concat_arrays(parts: &[ArrayRef]) -> Result<ArrayRef> {
    match parts {
        [one] => Ok(Arc::clone(one)),
        _ => {
            let refs: Vec<&dyn datafusion::arrow::array::Array> =
                parts.iter().map(|a| a.as_ref()).collect();
            Ok(datafusion::arrow::compute::concat(&refs)?)
        }
    }
}

/// Row groups are the containers; their statistics come from the file's footer.
impl PruningStatistics for HotSegment {
    fn min_values(&self, column: &Column) -> Option<ArrayRef> {
        Some(Arc::clone(&self.stats(column)?.min))
    }

    fn max_values(&self, column: &Column) -> Option<ArrayRef> {
        Some(Arc::clone(&self.stats(column)?.max))
    }

    fn num_containers(&self) -> usize {
        self.row_groups()
    }

    fn null_counts(&self, column: &Column) -> Option<ArrayRef> {
        Some(Arc::clone(&self.stats(column)?.nulls))
    }

    fn row_counts(&self) -> Option<ArrayRef> {
        let counts: datafusion::arrow::array::UInt64Array = (0..self.row_groups())
            .map(|g| self.rows_in(g) as u64)
            .collect();
        Some(Arc::new(counts))
    }

    fn contained(
        &self,
        _column: &Column,
        _values: &std::collections::HashSet<ScalarValue>,
    ) -> Option<BooleanArray> {
        None
    }
}
