//! What our own operators share (`key_sort.rs`, `positional_window.rs`): each
//! needs every row of its input partition before it emits one, within the
//! query's memory budget, and each keeps its input's properties when its child is
//! replaced (their rules run after DataFusion's, so nothing changes below them).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, RecordBatch};
use datafusion::arrow::compute::concat;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::{internal_err, Result};
use datafusion::execution::memory_pool::{MemoryConsumer, MemoryReservation};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::metrics::BaselineMetrics;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::ExecutionPlan;
use futures::{stream, TryStreamExt};

/// Collects `input` (empty batches left out), each batch counted against the
/// memory pool as `consumer`, then emits what `work` makes of all of it.
pub(crate) fn over_whole_input<F>(
    input: SendableRecordBatchStream,
    context: &TaskContext,
    consumer: String,
    metrics: BaselineMetrics,
    schema: SchemaRef,
    work: F,
) -> SendableRecordBatchStream
where
    F: FnOnce(&[RecordBatch], &MemoryReservation) -> Result<Vec<RecordBatch>> + Send + 'static,
{
    let reservation = MemoryConsumer::new(consumer).register(context.memory_pool());
    let out = stream::once(async move {
        let reservation = reservation;
        let inputs: Vec<RecordBatch> = input
            .try_filter(|b| futures::future::ready(b.num_rows() > 0))
            .and_then(|batch| {
                let grown = reservation.try_grow(batch.get_array_memory_size());
                async move { grown.map(|_| batch) }
            })
            .try_collect()
            .await?;
        let timer = metrics.elapsed_compute().timer();
        let out = work(&inputs, &reservation)?;
        timer.done();
        metrics.record_output(out.iter().map(RecordBatch::num_rows).sum());
        Ok::<_, datafusion::error::DataFusionError>(stream::iter(out.into_iter().map(Ok)))
    })
    .try_flatten();
    Box::pin(RecordBatchStreamAdapter::new(schema, out))
}

/// `expr` over each of `inputs`.
pub(crate) fn evaluated(
    expr: &Arc<dyn PhysicalExpr>,
    inputs: &[RecordBatch],
) -> Result<Vec<ArrayRef>> {
    inputs
        .iter()
        .map(|b| expr.evaluate(b)?.into_array(b.num_rows()))
        .collect()
}

/// `parts` as one array.
pub(crate) fn joined(parts: &[ArrayRef]) -> Result<ArrayRef> {
    let refs: Vec<&dyn Array> = parts.iter().map(|a| a.as_ref()).collect();
    Ok(concat(&refs)?)
}

/// The one child of a node of `name`, or an internal error.
pub(crate) fn only_child(
    mut children: Vec<Arc<dyn ExecutionPlan>>,
    name: &str,
) -> Result<Arc<dyn ExecutionPlan>> {
    match children.len() {
        1 => Ok(children.swap_remove(0)),
        n => internal_err!("{name} has one input, not {n}"),
    }
}
