//! Reading the hot column cache for a scan: filters prune zones (runs of rows)
//! by their statistics, and the surviving rows of the projected columns are
//! handed to the plan as in-memory batches (slices of the kept arrays). The
//! table that scans this way is `workspace_table.rs`; its filters still apply
//! above the scan (pushdown is inexact).

use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::Session;
use datafusion::common::{DFSchema, DataFusionError};
use datafusion::logical_expr::utils::conjunction;
use datafusion::logical_expr::Expr;
use datafusion::physical_optimizer::pruning::{PruningPredicate, PruningPredicateBuilder};

use crate::hot::{HotSegment, Owner, ZoneView};

/// `owner`'s rows of `columns` (stored-schema indices, the workspace column
/// first, then the kind column if `owner` names a kind; `schema` their projection) in the zones of `segments` that `predicate`
/// may match. Decoding a column is blocking work for the blocking pool; once every
/// column asked for is decoded, gathering the slices is cheap and stays on the
/// calling task.
pub(crate) async fn gather_hot(
    segments: &[Arc<HotSegment>],
    predicate: Option<Arc<PruningPredicate>>,
    schema: &SchemaRef,
    columns: Vec<usize>,
    owner: &Owner,
) -> datafusion::error::Result<Vec<RecordBatch>> {
    if segments.iter().all(|s| s.has_columns(&columns)) {
        return gather(segments, predicate.as_deref(), schema, &columns, owner);
    }
    let (segments, schema, owner) = (segments.to_vec(), Arc::clone(schema), owner.clone());
    tokio::task::spawn_blocking(move || {
        gather(&segments, predicate.as_deref(), &schema, &columns, &owner)
    })
    .await
    .map_err(|e| DataFusionError::External(Box::new(e)))?
}

/// The kept zones of every segment, one batch per run of them (fewer, larger
/// batches plan and run faster).
fn gather(
    segments: &[Arc<HotSegment>],
    predicate: Option<&PruningPredicate>,
    schema: &SchemaRef,
    columns: &[usize],
    owner: &Owner,
) -> datafusion::error::Result<Vec<RecordBatch>> {
    let mut out = Vec::new();
    for segment in segments {
        let keep = match predicate {
            Some(p) => p.prune(&ZoneView(segment))?,
            None => vec![true; segment.zone_count()],
        };
        if keep.iter().any(|k| *k) {
            out.extend(
                segment
                    .batches(schema, columns, &keep, owner)
                    .map_err(|e| DataFusionError::External(Box::new(e)))?,
            );
        }
    }
    Ok(out)
}

/// The filters as one predicate over row-group statistics, or `None` when they
/// cannot prune (then every row group is read and the filters still apply above).
pub(crate) fn pruning_predicate(
    state: &dyn Session,
    filters: &[Expr],
    schema: &SchemaRef,
) -> Option<Arc<PruningPredicate>> {
    let expr = conjunction(filters.iter().cloned())?;
    let df_schema = DFSchema::try_from(Arc::clone(schema)).ok()?;
    let physical = state.create_physical_expr(expr, &df_schema).ok()?;
    PruningPredicateBuilder::new()
        .with_file_schema(Arc::clone(schema))
        .build(physical)
}

/// Deals batches out to `n` partitions, each to the one with the fewest rows so far.
pub(crate) fn spread(batches: Vec<RecordBatch>, n: usize) -> Vec<Vec<RecordBatch>> {
    let mut partitions = vec![Vec::new(); n];
    let mut rows = vec![0usize; n];
    for batch in batches {
        let (i, _) = rows
            .iter()
            .enumerate()
            .min_by_key(|(_, r)| **r)
            .expect("at least one partition");
        rows[i] += batch.num_rows();
        partitions[i].push(batch);
    }
    partitions
}
