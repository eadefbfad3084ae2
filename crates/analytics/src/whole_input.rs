//! What our own operators share (`key_sort.rs`, `positional_window.rs`): each
//! needs every row of its input partition before it emits one, within the
//! query's memory budget, and each keeps its input's properties when its child is
//! replaced (their rules run after DataFusion's, so nothing changes below them).

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayData, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::buffer::Buffer;
use datafusion::arrow::compute::concat;
use datafusion::arrow::datatypes::{DataType, SchemaRef};
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
        let mut held = Held::default();
        let inputs: Vec<RecordBatch> = input
            .try_filter(|b| futures::future::ready(b.num_rows() > 0))
            .and_then(|batch| {
                let grown = reservation.try_grow(held.add(&batch));
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

/// The buffers held so far, each counted once: a slice of a hot-cache column, or a
/// string-view array filtered or taken from one, shares its parent's buffers, and
/// counting them per batch would count the same bytes hundreds of times over.
#[derive(Default)]
pub(crate) struct Held {
    /// Per allocation (its start), how far into it has been counted.
    seen: HashMap<usize, usize>,
}

impl Held {
    /// Bytes of `batch`'s buffers not held before.
    pub fn add(&mut self, batch: &RecordBatch) -> usize {
        let mut bytes = 0;
        for column in batch.columns() {
            match column.data_type() {
                // Without `to_data`, which would copy a view array's buffer list.
                DataType::Utf8View => {
                    let views = column.as_string_view();
                    let nulls = views.nulls().map(|n| n.buffer());
                    let own = [views.views().inner()].into_iter().chain(nulls);
                    for buffer in own.chain(views.data_buffers()) {
                        bytes += self.count(buffer);
                    }
                }
                _ => self.walk(&column.to_data(), &mut bytes),
            }
        }
        bytes
    }

    /// The bytes of `buffer`'s allocation up to its end not counted before: slices of
    /// one allocation count it once, as far as any of them reaches. Lengths, not
    /// capacities: a string-view batch from a coalescer ends in a block of up to 1 MiB
    /// it barely began to fill, and pages never written to are never resident.
    fn count(&mut self, buffer: &Buffer) -> usize {
        let end = buffer.ptr_offset() + buffer.len();
        let counted = self
            .seen
            .entry(buffer.data_ptr().as_ptr() as usize)
            .or_insert(0);
        let more = end.saturating_sub(*counted);
        *counted = (*counted).max(end);
        more
    }

    fn walk(&mut self, data: &ArrayData, bytes: &mut usize) {
        let nulls = data.nulls().map(|n| n.buffer());
        for buffer in data.buffers().iter().chain(nulls) {
            *bytes += self.count(buffer);
        }
        for child in data.child_data() {
            self.walk(child, bytes);
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int64Array, StringViewArray};
    use datafusion::arrow::datatypes::{Field, Schema};

    #[test]
    fn shared_buffers_are_held_once() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, false),
            Field::new("s", DataType::Utf8View, false),
        ]));
        let n: Int64Array = (0..1000).collect();
        let s: StringViewArray = (0..1000)
            .map(|i| Some(format!("a string longer than twelve bytes {i}")))
            .collect();
        let whole = RecordBatch::try_new(schema, vec![Arc::new(n), Arc::new(s)]).unwrap();
        let text: usize = whole
            .column(1)
            .as_string_view()
            .data_buffers()
            .iter()
            .map(|b| b.len())
            .sum();
        let mut held = Held::default();
        // 10 ints, 10 views and all the text (every view points into its one buffer).
        assert_eq!(held.add(&whole.slice(0, 10)), 10 * 24 + text);
        assert_eq!(held.add(&whole.slice(10, 500)), 500 * 24);
        // Rows already counted count nothing; the rest, once.
        assert_eq!(held.add(&whole.slice(0, 300)), 0);
        assert_eq!(held.add(&whole), 490 * 24);
        assert_eq!(held.add(&whole), 0);
    }
}
