//! A full sort whose leading keys are integers or times, sorted on one packed
//! 128-bit key per row.
//!
//! DataFusion's `SortExec` sorts each 8 Ki-row batch apart and then merges the
//! runs row by row in its row format; ordering 5 M events by profile and time
//! (for `LEAD … OVER (PARTITION BY profile_id ORDER BY occurred_at)`), that merge
//! was half the query's CPU. Here the first one or two keys are encoded as
//! order-preserving 64-bit integers and packed into one `u128` per row, the rows'
//! indices are sorted on it (any further keys break its ties), and the rows are
//! gathered from the input batches in that order.
//!
//! The rule replaces a `SortExec` without a `fetch` (a top-k stays DataFusion's)
//! whose first key is a signed or unsigned integer, a date or a timestamp.
//! Nothing spills: past the query's memory budget the sort fails with the
//! budget's error, as a hash join does.

use std::cmp::Ordering;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::whole_input::{evaluated, joined, only_child, over_whole_input};
use datafusion::arrow::array::{
    make_comparator, Array, ArrayRef, AsArray, DynComparator, RecordBatch, UInt32Array,
};
use datafusion::arrow::compute::kernels::sort::SortColumn;
use datafusion::arrow::compute::{cast, concat, interleave, take, LexicographicalComparator};
use datafusion::arrow::datatypes::{DataType, Int64Type, SchemaRef, UInt64Type};
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{internal_err, Result};
use datafusion::execution::memory_pool::MemoryReservation;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::{LexOrdering, PhysicalExpr};
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::metrics::{BaselineMetrics, ExecutionPlanMetricsSet, MetricsSet};
use datafusion::physical_plan::sorts::sort::SortExec;
use datafusion::physical_plan::{
    apply_expression_roots, ChildrenPropertiesMode, DisplayAs, DisplayFormatType, ExecutionPlan,
    InputDistributionRequirements, PlanProperties, ReplaceChildrenOptions,
};

/// The optimizer rule: runs after sorts are in place.
#[derive(Debug, Default)]
pub(crate) struct KeySorts;

impl PhysicalOptimizerRule for KeySorts {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            let Some(sort) = node.downcast_ref::<SortExec>() else {
                return Ok(Transformed::no(node));
            };
            Ok(match KeySortExec::replacing(sort) {
                Some(exec) => Transformed::yes(Arc::new(exec) as Arc<dyn ExecutionPlan>),
                None => Transformed::no(node),
            })
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "key_sorts"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// How a key column becomes an order-preserving `u64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    /// Signed integers, dates and times: as `i64`, sign bit flipped.
    Signed,
    /// Unsigned integers: as `u64`.
    Unsigned,
}

fn encoding(data_type: &DataType) -> Option<Encoding> {
    use DataType::*;
    match data_type {
        Int8
        | Int16
        | Int32
        | Int64
        | Date32
        | Date64
        | Timestamp(_, _)
        | Time32(_)
        | Time64(_)
        | Duration(_) => Some(Encoding::Signed),
        UInt8 | UInt16 | UInt32 | UInt64 => Some(Encoding::Unsigned),
        _ => None,
    }
}

#[derive(Debug, Clone)]
struct KeySortExec {
    input: Arc<dyn ExecutionPlan>,
    ordering: LexOrdering,
    /// How many leading keys are packed (1 or 2).
    packed: usize,
    required_distribution: InputDistributionRequirements,
    properties: Arc<PlanProperties>,
    metrics: ExecutionPlanMetricsSet,
}

impl KeySortExec {
    fn replacing(sort: &SortExec) -> Option<Self> {
        if sort.fetch().is_some() {
            return None;
        }
        let schema = sort.input().schema();
        let packed = sort
            .expr()
            .iter()
            .take(2)
            .take_while(|key| {
                key.expr
                    .data_type(&schema)
                    .ok()
                    .and_then(|t| encoding(&t))
                    .is_some()
            })
            .count();
        if packed == 0 {
            return None;
        }
        Some(Self {
            input: Arc::clone(sort.input()),
            ordering: sort.expr().clone(),
            packed,
            required_distribution: sort.input_distribution_requirements(),
            properties: Arc::clone(sort.properties()),
            metrics: ExecutionPlanMetricsSet::new(),
        })
    }
}

impl DisplayAs for KeySortExec {
    fn fmt_as(&self, _: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "KeySortExec: expr=[{}], packed={}",
            self.ordering, self.packed
        )
    }
}

impl ExecutionPlan for KeySortExec {
    fn name(&self) -> &str {
        "KeySortExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn input_distribution_requirements(&self) -> InputDistributionRequirements {
        self.required_distribution.clone()
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![false]
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        apply_expression_roots(self.ordering.iter().map(|key| &key.expr), f)
    }

    fn replace_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
        _: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(Arc::new(Self {
            input: only_child(children, "KeySortExec")?,
            metrics: ExecutionPlanMetricsSet::new(),
            ..Self::clone(&self)
        }))
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let keep = ReplaceChildrenOptions::new(ChildrenPropertiesMode::Keep);
        self.replace_children(children, keep)
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let input = self.input.execute(partition, Arc::clone(&context))?;
        let metrics = BaselineMetrics::new(&self.metrics, partition);
        let batch_size = context.session_config().batch_size();
        let this = self.clone();
        Ok(over_whole_input(
            input,
            &context,
            format!("KeySortExec[{partition}]"),
            metrics,
            self.schema(),
            move |inputs, reservation| this.sort(inputs, batch_size, reservation),
        ))
    }

    fn metrics(&self) -> Option<MetricsSet> {
        Some(self.metrics.clone_inner())
    }
}

impl KeySortExec {
    /// `inputs`' rows in order, in batches of `batch_size` rows.
    fn sort(
        &self,
        inputs: &[RecordBatch],
        batch_size: usize,
        reservation: &MemoryReservation,
    ) -> Result<Vec<RecordBatch>> {
        let rows: usize = inputs.iter().map(RecordBatch::num_rows).sum();
        if rows == 0 {
            return Ok(Vec::new());
        }
        // Each key per input batch; the packed ones are joined into one array.
        let parts = self
            .ordering
            .iter()
            .map(|key| evaluated(&key.expr, inputs))
            .collect::<Result<Vec<_>>>()?;
        // Each row is (input batch, row in it).
        let mut location = Vec::with_capacity(rows);
        for (b, batch) in inputs.iter().enumerate() {
            location.extend((0..batch.num_rows()).map(|r| (b, r)));
        }
        reservation.try_grow(rows * std::mem::size_of::<(u128, u32)>() * 2)?;
        let order = sorted_rows(&self.ordering, &parts, self.packed, &location)?;
        let schema: SchemaRef = self.schema();
        let columns = (0..schema.fields().len())
            .map(|c| Gather::of(inputs, c, reservation))
            .collect::<Result<Vec<_>>>()?;
        let mut out = Vec::with_capacity(rows.div_ceil(batch_size.max(1)));
        for chunk in order.chunks(batch_size.max(1)) {
            let picks: Vec<(usize, usize)> = chunk.iter().map(|&i| location[i as usize]).collect();
            let rows = UInt32Array::from(chunk.to_vec());
            let arrays = columns
                .iter()
                .map(|column| column.pick(&picks, &rows))
                .collect::<Result<Vec<ArrayRef>>>()?;
            out.push(RecordBatch::try_new(Arc::clone(&schema), arrays)?);
        }
        Ok(out)
    }
}

/// How one column's rows are picked in sorted order.
enum Gather<'a> {
    /// From the input batches where they are.
    Interleave(Vec<&'a dyn Array>),
    /// String views, joined once and taken by row, each output batch then compacted:
    /// joining copies only the 16-byte views, where interleaving every output batch
    /// from hundreds of inputs gathered their buffer lists again each time.
    Take(ArrayRef),
}

impl<'a> Gather<'a> {
    fn of(
        inputs: &'a [RecordBatch],
        column: usize,
        reservation: &MemoryReservation,
    ) -> Result<Self> {
        let parts: Vec<&dyn Array> = inputs.iter().map(|b| b.column(column).as_ref()).collect();
        match parts.first().map(|a| a.data_type()) {
            Some(DataType::Utf8View | DataType::BinaryView) => {
                let rows: usize = parts.iter().map(|a| a.len()).sum();
                reservation.try_grow(rows * std::mem::size_of::<u128>())?;
                Ok(Gather::Take(concat(&parts)?))
            }
            _ => Ok(Gather::Interleave(parts)),
        }
    }

    /// The rows `picks` (batch, row) name, which are `rows` of all the input in order.
    fn pick(&self, picks: &[(usize, usize)], rows: &UInt32Array) -> Result<ArrayRef> {
        match self {
            Gather::Interleave(parts) => Ok(interleave(parts, picks)?),
            Gather::Take(all) => compact(take(all.as_ref(), rows, None)?),
        }
    }
}

/// `array` with its own text buffers when it is a string view: a batch taken from
/// the joined input points into every input's buffers, and every operator above
/// would pay for that list per batch (cloning, counting, dropping it).
fn compact(array: ArrayRef) -> Result<ArrayRef> {
    Ok(match array.data_type() {
        DataType::Utf8View => Arc::new(array.as_string_view().gc()),
        DataType::BinaryView => Arc::new(array.as_binary_view().gc()),
        _ => array,
    })
}

/// Row indices in `ordering`, whose keys are `parts` (per key, per input batch;
/// `location` maps a row to its batch and row there). The first `packed` keys are
/// encoded; the others only break ties, compared where they are (a string key
/// joined into one array was a fifth of the sort's copying, for a few ties).
fn sorted_rows(
    ordering: &LexOrdering,
    parts: &[Vec<ArrayRef>],
    packed: usize,
    location: &[(usize, usize)],
) -> Result<Vec<u32>> {
    let rows = location.len();
    let Ok(_) = u32::try_from(rows) else {
        return internal_err!("KeySortExec sorts at most 2^32 rows at once");
    };
    let column = |k: usize| -> Result<SortColumn> {
        Ok(SortColumn {
            values: joined(&parts[k])?,
            options: Some(ordering[k].options),
        })
    };
    let encoded = (0..packed)
        .map(|k| encode(&column(k)?))
        .collect::<Result<Option<Vec<_>>>>()?;
    let Some(codes) = encoded else {
        // A null and the key's extreme value share a code: compare everything.
        let keys = (0..parts.len()).map(column).collect::<Result<Vec<_>>>()?;
        let all = LexicographicalComparator::try_new(&keys)?;
        let mut order: Vec<u32> = (0..rows as u32).collect();
        order.sort_unstable_by(|&a, &b| all.compare(a as usize, b as usize));
        return Ok(order);
    };
    let mut pairs: Vec<(u128, u32)> = (0..rows)
        .map(|r| {
            let high = u128::from(codes[0][r]) << 64;
            let low = codes.get(1).map_or(0, |c| u128::from(c[r]));
            (high | low, r as u32)
        })
        .collect();
    drop(codes);
    if packed == parts.len() {
        pairs.sort_unstable_by_key(|p| p.0);
    } else {
        let mut ties = Ties::new(ordering, parts, packed, location);
        pairs.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| ties.compare(a.1 as usize, b.1 as usize))
        });
        if let Some(e) = ties.error {
            return Err(e.into());
        }
    }
    Ok(pairs.into_iter().map(|(_, r)| r).collect())
}

/// The keys after the packed ones, compared where they are, with a comparator per
/// pair of input batches made when two of their rows first tie.
struct Ties<'a> {
    ordering: &'a LexOrdering,
    parts: &'a [Vec<ArrayRef>],
    from: usize,
    location: &'a [(usize, usize)],
    made: HashMap<(usize, usize, usize), DynComparator>,
    error: Option<datafusion::arrow::error::ArrowError>,
}

impl<'a> Ties<'a> {
    fn new(
        ordering: &'a LexOrdering,
        parts: &'a [Vec<ArrayRef>],
        from: usize,
        location: &'a [(usize, usize)],
    ) -> Self {
        Self {
            ordering,
            parts,
            from,
            location,
            made: HashMap::new(),
            error: None,
        }
    }

    fn compare(&mut self, i: usize, j: usize) -> Ordering {
        let ((bi, ri), (bj, rj)) = (self.location[i], self.location[j]);
        for k in self.from..self.parts.len() {
            let comparator = match self.made.entry((k, bi, bj)) {
                Entry::Occupied(c) => c.into_mut(),
                Entry::Vacant(v) => {
                    let options = self.ordering[k].options;
                    let (left, right) = (&self.parts[k][bi], &self.parts[k][bj]);
                    match make_comparator(left.as_ref(), right.as_ref(), options) {
                        Ok(c) => v.insert(c),
                        Err(e) => {
                            self.error.get_or_insert(e);
                            return Ordering::Equal;
                        }
                    }
                }
            };
            match comparator(ri, rj) {
                Ordering::Equal => continue,
                other => return other,
            }
        }
        Ordering::Equal
    }
}

/// The key's order-preserving codes, or `None` when a null's code would equal a
/// value's (the column holds both nulls and its type's extreme value).
fn encode(key: &SortColumn) -> Result<Option<Vec<u64>>> {
    let options = key.options.unwrap_or_default();
    let values = &key.values;
    let Some(encoding) = encoding(values.data_type()) else {
        return internal_err!("KeySortExec cannot encode {}", values.data_type());
    };
    let mut codes: Vec<u64> = match encoding {
        Encoding::Signed => {
            let ints = cast(values, &DataType::Int64)?;
            let ints = ints.as_primitive::<Int64Type>();
            ints.values()
                .iter()
                .map(|&v| (v as u64) ^ (1 << 63))
                .collect()
        }
        Encoding::Unsigned => {
            let ints = cast(values, &DataType::UInt64)?;
            ints.as_primitive::<UInt64Type>().values().to_vec()
        }
    };
    if options.descending {
        codes.iter_mut().for_each(|c| *c = !*c);
    }
    if let Some(nulls) = values.nulls().filter(|n| n.null_count() > 0) {
        let null_code = if options.nulls_first { 0 } else { u64::MAX };
        if nulls
            .iter()
            .zip(&codes)
            .any(|(valid, &c)| valid && c == null_code)
        {
            return Ok(None);
        }
        for (code, valid) in codes.iter_mut().zip(nulls.iter()) {
            if !valid {
                *code = null_code;
            }
        }
    }
    Ok(Some(codes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{
        Int64Array, StringArray, TimestampMicrosecondArray, UInt32Array,
    };
    use datafusion::arrow::datatypes::{Field, Schema, TimeUnit};
    use datafusion::arrow::util::pretty::pretty_format_batches;
    use datafusion::datasource::MemTable;
    use datafusion::execution::SessionStateBuilder;
    use datafusion::prelude::{SessionConfig, SessionContext};

    /// 4,000 rows in 3 input partitions: small keys with many ties and nulls, the
    /// signed extremes among them, times, unsigned values and a unique text id.
    fn table() -> MemTable {
        let schema = Arc::new(Schema::new(vec![
            Field::new("k", DataType::Int64, true),
            Field::new(
                "t",
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                true,
            ),
            Field::new("u", DataType::UInt32, false),
            Field::new("id", DataType::Utf8, false),
            Field::new("s", DataType::Int32, false),
            Field::new("v", DataType::Utf8View, false),
        ]));
        let mut state = 11u64;
        let mut next = move |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        let mut id = 0;
        let mut batch = |n: usize| {
            let k: Int64Array = (0..n)
                .map(|_| match next(40) {
                    0 => None,
                    1 => Some(i64::MIN),
                    2 => Some(i64::MAX),
                    v => Some(v as i64 - 20),
                })
                .collect();
            let t: TimestampMicrosecondArray = (0..n)
                .map(|_| (next(9) != 0).then(|| next(30) as i64 * 3_600_000_000))
                .collect();
            let u: UInt32Array = (0..n).map(|_| Some(next(7) as u32)).collect();
            let ids: StringArray = (0..n)
                .map(|_| {
                    id += 1;
                    Some(format!("e{:05}", (id * 7919) % 10007))
                })
                .collect();
            // Negative and positive, no nulls (`t` has nulls and no extremes).
            let s: datafusion::arrow::array::Int32Array =
                (0..n).map(|_| Some(next(30) as i32 - 15)).collect();
            let t = t.with_timezone("UTC");
            // Longer than a view holds inline, so the text lives in buffers; a slice
            // of a column twice as long, as the hot cache hands out, so its buffers
            // also hold text of rows the table does not have.
            let v: datafusion::arrow::array::StringViewArray = ids
                .iter()
                .chain(ids.iter())
                .map(|id| id.map(|id| format!("a view of more than 12 bytes: {id}")))
                .collect();
            let v = v.slice(0, n);
            let columns: Vec<ArrayRef> = vec![
                Arc::new(k),
                Arc::new(t),
                Arc::new(u),
                Arc::new(ids),
                Arc::new(s),
                Arc::new(v),
            ];
            RecordBatch::try_new(Arc::clone(&schema), columns).unwrap()
        };
        let parts = vec![
            vec![batch(1000), batch(700)],
            vec![batch(1300)],
            vec![batch(1000)],
        ];
        MemTable::try_new(Arc::clone(&schema), parts).unwrap()
    }

    fn context(ours: bool) -> SessionContext {
        let config = SessionConfig::new()
            .with_target_partitions(2)
            .with_batch_size(300);
        let mut builder = SessionStateBuilder::new()
            .with_config(config)
            .with_default_features();
        if ours {
            builder = builder.with_physical_optimizer_rule(Arc::new(KeySorts));
        }
        let ctx = SessionContext::new_with_state(builder.build());
        ctx.register_table("e", Arc::new(table())).unwrap();
        ctx
    }

    async fn answer(ctx: &SessionContext, sql: &str) -> String {
        let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
        pretty_format_batches(&batches).unwrap().to_string()
    }

    #[tokio::test]
    async fn string_views_come_out_in_order_with_their_own_buffers() {
        let (ours, theirs) = (context(true), context(false));
        let sql = "SELECT k, v FROM e ORDER BY k, id";
        assert_eq!(answer(&ours, sql).await, answer(&theirs, sql).await);
        let batches = ours.sql(sql).await.unwrap().collect().await.unwrap();
        // Compacted: the answer's buffers hold the text of its own rows (what a view
        // cannot hold inline, over 12 bytes), not the input's buffers.
        let mut own = 0;
        let mut buffers = HashMap::new();
        for batch in &batches {
            let views = batch.column(1).as_string_view();
            own += views
                .iter()
                .flatten()
                .map(str::len)
                .filter(|&n| n > 12)
                .sum::<usize>();
            for b in views.data_buffers() {
                buffers.insert(b.as_ptr() as usize, b.len());
            }
        }
        assert_eq!(buffers.values().sum::<usize>(), own);
    }

    #[tokio::test]
    async fn sorts_as_datafusion_does() {
        let (ours, theirs) = (context(true), context(false));
        // Every order ends in the unique id, so the answer is one row order.
        let orders = [
            "k, id",
            "k DESC, id",
            "k NULLS FIRST, id",
            "k DESC NULLS LAST, id",
            "t, k, id",
            "t DESC NULLS FIRST, u, id",
            "u, t NULLS FIRST, k DESC, id",
            "k, t, id DESC",
            "s, id",
            "s DESC NULLS FIRST, t, id",
            "s NULLS FIRST, u DESC, id",
        ];
        for order in orders {
            let sql = format!("SELECT k, t, u, id, s FROM e ORDER BY {order}");
            let plan = answer(&ours, &format!("EXPLAIN {sql}")).await;
            assert!(plan.contains("KeySortExec"), "{order}: {plan}");
            assert_eq!(
                answer(&ours, &sql).await,
                answer(&theirs, &sql).await,
                "{order}"
            );
        }
        // Sorted within partitions, under a window.
        let sql = "SELECT id, lag(id) OVER (PARTITION BY k ORDER BY t, id) AS p FROM e ORDER BY id";
        assert_eq!(answer(&ours, sql).await, answer(&theirs, sql).await);
    }

    #[tokio::test]
    async fn text_first_and_top_k_stay_with_datafusion() {
        let ours = context(true);
        for sql in [
            "SELECT id FROM e ORDER BY id, k",
            "SELECT k FROM e ORDER BY k LIMIT 5",
        ] {
            let plan = answer(&ours, &format!("EXPLAIN {sql}")).await;
            assert!(!plan.contains("KeySortExec"), "{sql}: {plan}");
        }
    }
}
