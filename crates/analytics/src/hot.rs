//! The hot column cache: segment columns decoded from Parquet once and kept in
//! memory, so a query pays for filtering and aggregating, not for decoding the
//! same pages again. Dashboard queries read about twenty columns over and over;
//! decoding them was most of a query's time.
//!
//! Segments are immutable, so a decoded column stays right until its file is
//! retired. A column is loaded on first use, for the whole segment, row group
//! by row group; a segment just written by a flush or a compaction comes with the
//! columns other segments keep (`seed`), taken from the rows it was written from.
//! Past `budget` bytes a column is decoded for the query that asked and not kept.
//!
//! Pruning is finer than the Parquet reader's: a kept column also keeps its
//! min/max/null count per *zone* (`zone_rows` rows of a row group), so a query
//! for one kind and period is handed the few zones that hold it rather than whole
//! 64 Ki-row groups. A column not kept prunes by its row group's footer statistics.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use datafusion::arrow::array::{Array, AsArray, Int64Array, Scalar, StringArray};
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, RecordBatch, RecordBatchOptions, UInt32Array, UInt64Array,
};
use datafusion::arrow::compute::kernels::cmp::eq;
use datafusion::arrow::compute::{and, cast};
use datafusion::arrow::compute::{filter_record_batch, max, min, take};
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::arrow::datatypes::{Int64Type, UInt64Type};
use datafusion::common::pruning::PruningStatistics;
use datafusion::common::{Column, ScalarValue};
use datafusion::functions_aggregate::min_max::{MaxAccumulator, MinAccumulator};
use datafusion::logical_expr::Accumulator;
use datafusion::parquet::arrow::arrow_reader::statistics::StatisticsConverter;
use datafusion::parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use datafusion::parquet::arrow::ProjectionMask;

use crate::error::{AnalyticsError, Result};
use crate::manifest::Segment;
use crate::schema::{stored_schema, to_query_type, KIND_COLUMN, WORKSPACE_COLUMN};

/// Decoded columns of every live segment, within a memory budget.
pub(crate) struct HotCache {
    budget: usize,
    zone_rows: usize,
    used: Arc<AtomicUsize>,
    segments: Mutex<HashMap<String, Arc<HotSegment>>>,
}

impl HotCache {
    pub fn new(budget: usize, zone_rows: usize) -> Self {
        Self {
            budget,
            zone_rows: zone_rows.max(1),
            used: Arc::new(AtomicUsize::new(0)),
            segments: Mutex::new(HashMap::new()),
        }
    }

    /// Bytes of decoded columns held now.
    pub fn used_bytes(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// Whether the budget is spent: a column decoded now would not be kept.
    pub fn is_full(&self) -> bool {
        self.used_bytes() >= self.budget
    }

    /// Stored-schema columns some live segment keeps decoded, in schema order.
    pub fn kept_columns(&self) -> Vec<usize> {
        let known = self.segments.lock().unwrap_or_else(PoisonError::into_inner);
        let width = stored_schema().fields().len();
        (0..width)
            .filter(|&c| known.values().any(|s| s.is_kept(c)))
            .collect()
    }

    /// The cache entries of `files` (opened on first sight). Entries of files no
    /// longer listed are dropped; a query still reading one keeps it alive.
    pub fn segments(&self, dir: &Path, files: &[Segment]) -> Result<Vec<Arc<HotSegment>>> {
        let mut known = self.segments.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out = Vec::with_capacity(files.len());
        for segment in files {
            let entry = match known.get(&segment.file) {
                Some(entry) => Arc::clone(entry),
                None => Arc::new(self.open(dir.join(&segment.file))?),
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
        let segment = self.open(dir.join(file))?;
        let sizes: Vec<usize> = (0..segment.row_groups())
            .map(|g| segment.rows_in(g))
            .collect();
        if sizes.iter().sum::<usize>() != rows.num_rows() {
            return Ok(());
        }
        for column in hot {
            let array = &to_query_type(rows.column(column))?;
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

    fn open(&self, path: PathBuf) -> Result<HotSegment> {
        HotSegment::open(path, self.budget, self.zone_rows, Arc::clone(&self.used))
    }
}

/// One segment file: its Parquet metadata (for pruning) and the columns decoded so far.
pub(crate) struct HotSegment {
    path: PathBuf,
    metadata: ArrowReaderMetadata,
    budget: usize,
    used: Arc<AtomicUsize>,
    /// The segment's zones, in file order.
    zones: Vec<Zone>,
    /// Per stored-schema column, once loaded: its arrays, one per row group, and
    /// its zones' statistics.
    columns: Mutex<Vec<Option<Kept>>>,
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

/// A run of rows inside one row group: the unit of the cache's pruning.
#[derive(Debug, Clone, Copy)]
struct Zone {
    group: usize,
    offset: usize,
    len: usize,
}

#[derive(Clone)]
struct Kept {
    arrays: Arc<Vec<ArrayRef>>,
    /// Per zone; `None` when the column's type has no min/max (none of ours).
    zones: Option<Arc<ColumnStats>>,
}

impl HotSegment {
    fn open(
        path: PathBuf,
        budget: usize,
        zone_rows: usize,
        used: Arc<AtomicUsize>,
    ) -> Result<Self> {
        let file = File::open(&path).map_err(AnalyticsError::io(&path))?;
        let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new())
            .map_err(|e| AnalyticsError::Engine(e.into()))?;
        let width = stored_schema().fields().len();
        let mut zones = Vec::new();
        for (group, meta) in metadata.metadata().row_groups().iter().enumerate() {
            let rows = meta.num_rows() as usize;
            for offset in (0..rows).step_by(zone_rows) {
                let len = zone_rows.min(rows - offset);
                zones.push(Zone { group, offset, len });
            }
        }
        Ok(Self {
            path,
            metadata,
            budget,
            zones,
            used,
            columns: Mutex::new(vec![None; width]),
            held: AtomicUsize::new(0),
            stats: Mutex::new(HashMap::new()),
        })
    }

    /// The segment file: its name is never reused, so it names these rows.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn row_groups(&self) -> usize {
        self.metadata.metadata().num_row_groups()
    }

    pub fn zone_count(&self) -> usize {
        self.zones.len()
    }

    pub fn rows_in(&self, row_group: usize) -> usize {
        self.metadata.metadata().row_group(row_group).num_rows() as usize
    }

    /// The arrays of `column` (a stored-schema index), one per row group.
    /// Blocking: decodes the column on first use.
    pub fn column(&self, column: usize) -> Result<Arc<Vec<ArrayRef>>> {
        // Held across the decode, so two queries never decode the same column twice.
        let mut columns = self.columns.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(kept) = &columns[column] {
            return Ok(Arc::clone(&kept.arrays));
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

    /// Keeps `arrays` as `column`, with its zones' statistics, if the budget allows.
    fn keep_locked(
        &self,
        columns: &mut [Option<Kept>],
        column: usize,
        arrays: Arc<Vec<ArrayRef>>,
        bytes: usize,
    ) {
        let used = self.used.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if used <= self.budget {
            let zones = zone_stats(&arrays, &self.zones).map(Arc::new);
            columns[column] = Some(Kept { arrays, zones });
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
            out.push(to_query_type(&concat_arrays(&parts)?)?);
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

    /// `columns`' rows of the zones `keep` marks that are `owner`'s, one batch per
    /// run of kept zones within a row group (slices of the kept arrays). `columns`
    /// start with the workspace column, then the kind column when `owner` names a
    /// kind. A run whose zones' statistics say every row is `owner`'s is handed out
    /// whole; any other run is filtered row by row (segments are sorted by
    /// workspace and kind, so that is only the zones at their edges).
    pub fn batches(
        &self,
        schema: &SchemaRef,
        columns: &[usize],
        keep: &[bool],
        owner: &Owner,
    ) -> Result<Vec<RecordBatch>> {
        let arrays = columns
            .iter()
            .map(|&c| self.column(c))
            .collect::<Result<Vec<_>>>()?;
        let pure = self.pure_zones(owner);
        let mut out = Vec::new();
        for (group, offset, len, whole) in runs(&self.zones, keep, &pure) {
            let columns = arrays.iter().map(|a| a[group].slice(offset, len)).collect();
            let options = RecordBatchOptions::new().with_row_count(Some(len));
            let batch = RecordBatch::try_new_with_options(Arc::clone(schema), columns, &options)?;
            if whole {
                out.push(batch);
            } else if let Some(own) = own_rows(&batch, owner)? {
                out.push(own);
            }
        }
        Ok(out)
    }

    /// Per zone: whether its statistics prove every row is `owner`'s.
    fn pure_zones(&self, owner: &Owner) -> Vec<bool> {
        let mut pure = self.pure_workspace(owner.workspace);
        if let Some(kind) = &owner.kind {
            let stats = self.zone_view(&Column::from_name(KIND_COLUMN));
            let strings = stats.as_ref().and_then(|s| {
                let as_str = |a: &ArrayRef| a.as_string_opt::<i32>().cloned();
                Some((as_str(&s.min)?, as_str(&s.max)?, s.nulls.clone()))
            });
            match strings {
                Some((min, max, nulls)) => {
                    let nulls = nulls.as_primitive::<UInt64Type>();
                    for (z, p) in pure.iter_mut().enumerate() {
                        *p = *p
                            && min.is_valid(z)
                            && max.is_valid(z)
                            && min.value(z) == kind
                            && max.value(z) == kind
                            && nulls.value(z) == 0;
                    }
                }
                None => pure.iter_mut().for_each(|p| *p = false),
            }
        }
        pure
    }

    fn pure_workspace(&self, workspace: i64) -> Vec<bool> {
        let stats = self.zone_view(&Column::from_name(WORKSPACE_COLUMN));
        let Some(stats) = stats else {
            return vec![false; self.zones.len()];
        };
        let (min, max) = (
            stats.min.as_primitive::<Int64Type>(),
            stats.max.as_primitive::<Int64Type>(),
        );
        let nulls = stats.nulls.as_primitive::<UInt64Type>();
        (0..self.zones.len())
            .map(|z| {
                min.is_valid(z)
                    && max.is_valid(z)
                    && min.value(z) == workspace
                    && max.value(z) == workspace
                    && nulls.value(z) == 0
            })
            .collect()
    }

    /// What pruning sees of `column`: per zone, its own statistics when the
    /// column is kept, else its row group's from the footer.
    fn zone_view(&self, column: &Column) -> Option<Arc<ColumnStats>> {
        if let Ok(index) = stored_schema().index_of(column.name()) {
            let kept = self.columns.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(zones) = kept[index].as_ref().and_then(|k| k.zones.clone()) {
                return Some(zones);
            }
        }
        let groups = self.stats(column)?;
        let of_zone: UInt32Array = self.zones.iter().map(|z| z.group as u32).collect();
        let spread = |a: &ArrayRef| take(a.as_ref(), &of_zone, None).ok();
        Some(Arc::new(ColumnStats {
            min: spread(&groups.min)?,
            max: spread(&groups.max)?,
            nulls: spread(&groups.nulls)?,
        }))
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

/// The rows of `batch` (first column: the workspace) that belong to `workspace`:
/// the batch itself when all do, `None` when none do. For the rows no zone
/// statistics vouch for: the tail, and zones at a workspace's edges.
pub(crate) fn own_rows(
    batch: &RecordBatch,
    owner: &Owner,
) -> datafusion::error::Result<Option<RecordBatch>> {
    let ids = batch.column(0).as_primitive::<Int64Type>();
    if batch.num_rows() == 0 {
        return Ok(None);
    }
    let own_workspace = ids.null_count() == 0
        && min(ids) == Some(owner.workspace)
        && max(ids) == Some(owner.workspace);
    let mut mask = match own_workspace {
        true => None,
        false => Some(eq(ids, &Int64Array::new_scalar(owner.workspace))?),
    };
    if let Some(kind) = &owner.kind {
        let kinds = batch.column(1);
        let wanted = cast(&StringArray::from(vec![kind.as_str()]), kinds.data_type())?;
        let same = eq(kinds, &Scalar::new(wanted))?;
        mask = Some(match mask {
            Some(m) => and(&m, &same)?,
            None => same,
        });
    }
    let Some(mask) = mask else {
        return Ok(Some(batch.clone()));
    };
    let own = filter_record_batch(batch, &mask)?;
    Ok((own.num_rows() > 0).then_some(own))
}

/// Whose rows a scan may hand out: the workspace's, and of one kind when a query's
/// `kind = '…'` filter is applied in the scan (`workspace_table.rs`).
#[derive(Debug, Clone)]
pub(crate) struct Owner {
    pub workspace: i64,
    pub kind: Option<String>,
}

/// Consecutive kept zones of one row group with the same `pure` mark, as (row
/// group, offset, rows, pure).
fn runs(zones: &[Zone], keep: &[bool], pure: &[bool]) -> Vec<(usize, usize, usize, bool)> {
    let mut out: Vec<(usize, usize, usize, bool)> = Vec::new();
    for ((zone, _), &p) in zones.iter().zip(keep).zip(pure).filter(|((_, k), _)| **k) {
        match out.last_mut() {
            Some((g, o, n, q)) if *g == zone.group && *o + *n == zone.offset && *q == p => {
                *n += zone.len
            }
            _ => out.push((zone.group, zone.offset, zone.len, p)),
        }
    }
    out
}

/// Min, max and null count of every zone of a column (`None` if its type has no
/// min/max accumulator).
fn zone_stats(arrays: &[ArrayRef], zones: &[Zone]) -> Option<ColumnStats> {
    let data_type = arrays.first()?.data_type().clone();
    let (mut mins, mut maxs, mut nulls) = (Vec::new(), Vec::new(), Vec::new());
    for zone in zones {
        let part = arrays.get(zone.group)?.slice(zone.offset, zone.len);
        let mut min = MinAccumulator::try_new(&data_type).ok()?;
        let mut max = MaxAccumulator::try_new(&data_type).ok()?;
        min.update_batch(std::slice::from_ref(&part)).ok()?;
        max.update_batch(std::slice::from_ref(&part)).ok()?;
        mins.push(min.evaluate().ok()?);
        maxs.push(max.evaluate().ok()?);
        nulls.push(part.null_count() as u64);
    }
    // In the stored type, as the footer's statistics are (pruning casts either).
    let stored = |values| {
        let array = ScalarValue::iter_to_array(values).ok()?;
        match array.data_type() {
            DataType::Utf8View => cast(&array, &DataType::Utf8).ok(),
            _ => Some(array),
        }
    };
    Some(ColumnStats {
        min: stored(mins)?,
        max: stored(maxs)?,
        nulls: Arc::new(UInt64Array::from(nulls)),
    })
}

/// A segment as pruning sees it: its zones are the containers.
pub(crate) struct ZoneView<'a>(pub &'a HotSegment);

impl PruningStatistics for ZoneView<'_> {
    fn min_values(&self, column: &Column) -> Option<ArrayRef> {
        Some(Arc::clone(&self.0.zone_view(column)?.min))
    }

    fn max_values(&self, column: &Column) -> Option<ArrayRef> {
        Some(Arc::clone(&self.0.zone_view(column)?.max))
    }

    fn num_containers(&self) -> usize {
        self.0.zones.len()
    }

    fn null_counts(&self, column: &Column) -> Option<ArrayRef> {
        Some(Arc::clone(&self.0.zone_view(column)?.nulls))
    }

    fn row_counts(&self) -> Option<ArrayRef> {
        let counts: UInt64Array = self.0.zones.iter().map(|z| z.len as u64).collect();
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
