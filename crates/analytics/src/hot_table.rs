//! The segments as one DataFusion table read from the hot column cache: filters
//! prune row groups by their statistics, the surviving rows of the projected
//! columns are handed to the plan as in-memory batches, and the filters are
//! applied again above (pushdown is inexact).

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::{DFSchema, DataFusionError};
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::datasource::TableType;
use datafusion::logical_expr::utils::conjunction;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_optimizer::pruning::{PruningPredicate, PruningPredicateBuilder};
use datafusion::physical_plan::ExecutionPlan;

use crate::hot::HotSegment;
use crate::schema::stored_schema;

#[derive(Debug)]
pub(crate) struct HotTable {
    segments: Vec<Arc<HotSegment>>,
}

impl HotTable {
    pub fn new(segments: Vec<Arc<HotSegment>>) -> Self {
        Self { segments }
    }
}

#[async_trait]
impl TableProvider for HotTable {
    fn schema(&self) -> SchemaRef {
        stored_schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> datafusion::error::Result<Vec<TableProviderFilterPushDown>> {
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        _limit: Option<usize>,
    ) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        let started = std::time::Instant::now();
        let schema = stored_schema();
        let columns: Vec<usize> = match projection {
            Some(p) => p.clone(),
            None => (0..schema.fields().len()).collect(),
        };
        let projected = Arc::new(schema.project(&columns)?);
        let predicate = pruning_predicate(state, filters, &schema);
        let segments = self.segments.clone();
        // Decoding a column is blocking work for the blocking pool; once every column
        // asked for is decoded, gathering the batches is cheap and stays here.
        let batches = if segments.iter().all(|s| s.has_columns(&columns)) {
            gather(&segments, predicate.as_deref(), &projected, &columns)?
        } else {
            let target = Arc::clone(&projected);
            tokio::task::spawn_blocking(move || {
                gather(&segments, predicate.as_deref(), &target, &columns)
            })
            .await
            .map_err(|e| DataFusionError::External(Box::new(e)))??
        };
        let partitions = spread(batches, state.config().target_partitions().max(1));
        let exec = MemorySourceConfig::try_new_exec(&partitions, projected, None)?;
        tracing::trace!(
            ms = started.elapsed().as_secs_f64() * 1e3,
            "hot segments scanned"
        );
        Ok(exec)
    }
}

/// The kept row groups of every segment, one batch each (they are already the size
/// of a few operator batches, and fewer batches plan faster).
fn gather(
    segments: &[Arc<HotSegment>],
    predicate: Option<&PruningPredicate>,
    schema: &SchemaRef,
    columns: &[usize],
) -> datafusion::error::Result<Vec<RecordBatch>> {
    let mut out = Vec::new();
    for segment in segments {
        let keep = match predicate {
            Some(p) => p.prune(segment.as_ref())?,
            None => vec![true; segment.row_groups()],
        };
        if keep.iter().any(|k| *k) {
            out.extend(
                segment
                    .batches(schema, columns, &keep)
                    .map_err(|e| DataFusionError::External(Box::new(e)))?,
            );
        }
    }
    Ok(out)
}

/// The filters as one predicate over row-group statistics, or `None` when they
/// cannot prune (then every row group is read and the filters still apply above).
fn pruning_predicate(
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
fn spread(batches: Vec<RecordBatch>, n: usize) -> Vec<Vec<RecordBatch>> {
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
