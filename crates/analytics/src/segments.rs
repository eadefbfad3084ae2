//! Parquet segment files: writing the tail out as one, and merging small ones.
//! Everything here is blocking file I/O; callers run it on the blocking pool.

use std::fs::File;
use std::path::Path;

use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::arrow::compute::{concat, interleave_record_batch, lexsort_to_indices, SortColumn};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::WriterProperties;

use crate::error::{AnalyticsError, Result};
use crate::manifest::{sync_dir, Segment};
use crate::schema::stored_schema;

/// Rows per Parquet row group. Small enough that a workspace's rows of one kind,
/// sorted together, let the reader skip most groups by their min/max statistics.
const ROW_GROUP_ROWS: usize = 64 * 1024;

/// Writes `batches` as the segment `file` in `dir`, sorted by (workspace, kind, action,
/// occurred_at, seq): almost every dashboard query names a kind (transactions, survey
/// responses, contacts …), often an action (purchases, surveys sent …), and a period; with
/// each kind's and action's rows together in time order, the row groups and zones outside
/// them are skipped by their statistics.
/// The file appears under its name only once complete (written as `.tmp`, renamed).
/// Returns the segment and its rows in file order (for the hot column cache).
pub fn write_segment(
    dir: &Path,
    file: &str,
    batches: &[RecordBatch],
) -> Result<(Segment, RecordBatch)> {
    let sorted = sort_by_workspace_kind_action_and_time(batches)?;
    let tmp = dir.join(format!("{file}.tmp"));
    let out = File::create(&tmp).map_err(AnalyticsError::io(&tmp))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .build();
    let mut writer = ArrowWriter::try_new(out, stored_schema(), Some(props))
        .map_err(|e| AnalyticsError::Engine(e.into()))?;
    writer
        .write(&sorted)
        .map_err(|e| AnalyticsError::Engine(e.into()))?;
    let out = writer
        .into_inner()
        .map_err(|e| AnalyticsError::Engine(e.into()))?;
    out.sync_all().map_err(AnalyticsError::io(&tmp))?;
    drop(out);
    let path = dir.join(file);
    std::fs::rename(&tmp, &path).map_err(AnalyticsError::io(&path))?;
    sync_dir(dir);
    let bytes = std::fs::metadata(&path)
        .map_err(AnalyticsError::io(&path))?
        .len();
    let seqs = seq_range(&sorted);
    let segment = Segment {
        file: file.to_string(),
        rows: sorted.num_rows() as u64,
        bytes,
        min_seq: seqs.0,
        max_seq: seqs.1,
    };
    Ok((segment, sorted))
}

/// All rows of the segment files, as read back from disk.
pub fn read_segments(dir: &Path, segments: &[Segment]) -> Result<Vec<RecordBatch>> {
    let mut out = Vec::new();
    for segment in segments {
        let path = dir.join(&segment.file);
        let file = File::open(&path).map_err(AnalyticsError::io(&path))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|b| b.build())
            .map_err(|e| AnalyticsError::Engine(e.into()))?;
        for batch in reader {
            let batch = batch?;
            // Re-attach the stored schema so the batch matches the tail exactly
            // (Parquet round-trips types but not always field metadata).
            out.push(RecordBatch::try_new(
                stored_schema(),
                batch.columns().to_vec(),
            )?);
        }
    }
    Ok(out)
}

/// Merges `segments` into one new segment `file` (returned with its rows, as `write_segment`).
pub fn merge_segments(
    dir: &Path,
    segments: &[Segment],
    file: &str,
) -> Result<(Segment, RecordBatch)> {
    let batches = read_segments(dir, segments)?;
    write_segment(dir, file, &batches)
}

/// Removes files that belong to no manifest: leftovers of a crash mid-write or
/// of segments retired before a restart.
pub fn remove_orphans(dir: &Path, keep: &[Segment]) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(AnalyticsError::io(dir))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_segment = name.starts_with("segment-")
            && (name.ends_with(".parquet") || name.ends_with(".parquet.tmp"));
        if is_segment && !keep.iter().any(|s| s.file == name) {
            tracing::debug!(file = %name, "removing orphaned analytics segment");
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// The rows of `batches` as one batch in segment order. Only the sort keys are
/// concatenated; the rows are gathered from the batches themselves in one copy
/// (concatenating everything and then reordering copied each value twice, a
/// quarter of a segment write).
fn sort_by_workspace_kind_action_and_time(batches: &[RecordBatch]) -> Result<RecordBatch> {
    let Some(first) = batches.first() else {
        return Ok(RecordBatch::new_empty(stored_schema()));
    };
    let schema = first.schema();
    let column = |name: &str| {
        schema
            .index_of(name)
            .map_err(|e| AnalyticsError::Engine(e.into()))
    };
    let (kind, action, at) = (column("kind")?, column("action")?, column("occurred_at")?);
    let mut keys = Vec::new();
    for i in [0, kind, action, at, 1] {
        let parts: Vec<&dyn Array> = batches.iter().map(|b| b.column(i).as_ref()).collect();
        keys.push(SortColumn {
            values: concat(&parts)?,
            options: None,
        });
    }
    let order = lexsort_to_indices(&keys, None)?;
    // Row n of the concatenation is row n - starts[b] of batch b.
    let mut starts = Vec::with_capacity(batches.len());
    let mut total = 0;
    for b in batches {
        starts.push(total);
        total += b.num_rows();
    }
    let rows: Vec<(usize, usize)> = order
        .values()
        .iter()
        .map(|&n| {
            let n = n as usize;
            let b = starts.partition_point(|&start| start <= n) - 1;
            (b, n - starts[b])
        })
        .collect();
    let refs: Vec<&RecordBatch> = batches.iter().collect();
    Ok(interleave_record_batch(&refs, &rows)?)
}

fn seq_range(batch: &RecordBatch) -> (i64, i64) {
    use datafusion::arrow::array::{AsArray, Int64Array};
    use datafusion::arrow::compute::{max, min};
    use datafusion::arrow::datatypes::Int64Type;
    let seqs: &Int64Array = batch.column(1).as_primitive::<Int64Type>();
    (min(seqs).unwrap_or(0), max(seqs).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int64Array, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use std::sync::Arc;

    #[test]
    fn rows_are_grouped_by_workspace_then_kind_then_action_then_time() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("workspace_id", DataType::Int64, false),
            Field::new("seq", DataType::Int64, false),
            Field::new("kind", DataType::Utf8, false),
            Field::new("action", DataType::Utf8, true),
            Field::new("occurred_at", DataType::Int64, false),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from(vec![2, 1, 1, 1, 2, 1])),
                Arc::new(Int64Array::from(vec![1, 2, 3, 4, 5, 6])),
                Arc::new(StringArray::from(vec![
                    "event", "event", "ticket", "event", "ticket", "ticket",
                ])),
                Arc::new(StringArray::from(vec![
                    Some("view"),
                    Some("view"),
                    None,
                    Some("click"),
                    None,
                    None,
                ])),
                // Ticket 6 happened before ticket 3 (history imported late).
                Arc::new(Int64Array::from(vec![10, 20, 30, 40, 50, 5])),
            ],
        )
        .unwrap();
        // As the tail holds them: in several batches, gathered across them.
        let parts = [batch.slice(0, 4), batch.slice(4, 2)];
        let sorted = sort_by_workspace_kind_action_and_time(&parts).unwrap();
        let seqs: Vec<i64> = sorted
            .column(1)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap()
            .values()
            .to_vec();
        // Workspace 1: the click event 4, the view event 2, then tickets 6, 3 (by time);
        // workspace 2: event 1, ticket 5.
        assert_eq!(seqs, [4, 2, 6, 3, 1, 5]);
        assert_eq!(seq_range(&sorted), (1, 6));
    }
}
