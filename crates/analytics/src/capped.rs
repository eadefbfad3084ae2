//! Size caps on the functions that build values bigger than their inputs.
//!
//! DataFusion's memory pool counts what joins, sorts and aggregates hold, not
//! what a scalar function allocates: `repeat('x', 2000000000)` asked for 2 GB in
//! one call, and three at once took the server to 15 GB. Each function here is
//! the built-in one behind a check that runs *before* it allocates: from its
//! arguments it predicts the bytes (or the work) of its answer and refuses a
//! value, a call (one batch) or a query total past the limits. What a call
//! builds beyond the distinct inputs it was handed is counted against the
//! query's total, so doubling through nested calls (`repeat(repeat(…))`,
//! `concat(x, x, …)`) is bounded too.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, FieldRef, Int64Type};
use datafusion::common::{DataFusionError, Result as DfResult, ScalarValue};
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::udf_eq::UdfEq;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, Expr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF,
    ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::SessionContext;

use crate::capped_calls::{CappedRewrite, StringConcat};

/// The limits one query's value-building functions keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueLimits {
    /// Largest single value (a string or a list) a function may build.
    pub value_bytes: usize,
    /// Most a function may build in one call (one batch of rows).
    pub call_bytes: usize,
    /// Most all calls of one query may build beyond their inputs, in all.
    pub query_bytes: usize,
    /// Most character comparisons one `levenshtein` call may make.
    pub call_work: usize,
}

impl Default for ValueLimits {
    fn default() -> Self {
        Self {
            value_bytes: 4 << 20,
            call_bytes: 128 << 20,
            query_bytes: 1 << 30,
            call_work: 1 << 30,
        }
    }
}

/// How a function's answer grows with its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Growth {
    /// `repeat(s, n)`: |s| × n.
    Repeat,
    /// `lpad(s, n, fill)` / `rpad`: n characters, up to 4 bytes each.
    Pad,
    /// `replace(s, from, to)`: every match of `from` (between every character if
    /// `from` is empty) becomes `to`.
    Replace,
    /// `regexp_replace(s, pattern, to, flags)`: up to |s| + 1 matches (empty ones
    /// too), each replaced by `to`, whose group references add at most |s| each.
    RegexReplace,
    /// `concat(…)`, `concat_ws(…)`, `array_concat(…)`: the sum of the arguments.
    Sum,
    /// `array_repeat(x, n)`: n copies of x.
    ArrayRepeat,
    /// `array_resize(list, n, fill)`: n elements.
    Resize,
    /// `range(start, stop, step)` / `generate_series`: (stop − start) / step elements.
    Range,
    /// `levenshtein(a, b)`: |a| × |b| comparisons (time, not memory).
    Quadratic,
}

const CAPPED: &[(&str, Growth)] = &[
    ("repeat", Growth::Repeat),
    ("lpad", Growth::Pad),
    ("rpad", Growth::Pad),
    ("replace", Growth::Replace),
    ("regexp_replace", Growth::RegexReplace),
    ("concat", Growth::Sum),
    ("concat_ws", Growth::Sum),
    ("array_concat", Growth::Sum),
    ("array_append", Growth::Sum),
    ("array_prepend", Growth::Sum),
    ("array_repeat", Growth::ArrayRepeat),
    ("array_resize", Growth::Resize),
    ("range", Growth::Range),
    ("generate_series", Growth::Range),
    ("levenshtein", Growth::Quadratic),
];

/// Replaces `ctx`'s value-building functions with capped ones that share one
/// query-wide total, and sends `||` and planner-built calls through them.
pub(crate) fn install(ctx: &mut SessionContext, limits: ValueLimits) -> DfResult<()> {
    let spent = Arc::new(AtomicUsize::new(0));
    // One copy of the state for all lookups: `state()` clones every registry.
    let builtins = ctx.state().scalar_functions().clone();
    let string_concat: Arc<dyn ScalarUDFImpl> = Arc::new(StringConcat::new());
    let inners = CAPPED
        .iter()
        .filter_map(|(name, growth)| Some((Arc::clone(builtins.get(*name)?.inner()), *growth)))
        .chain([(string_concat, Growth::Sum)]);
    let mut capped = HashMap::new();
    for (inner, growth) in inners {
        // Volatile, so that planning does not fold a call on constants into one
        // literal: a literal is copied into every row of every batch unchecked,
        // while a call is checked for the rows it is asked to fill.
        let mut signature = inner.signature().clone();
        signature.volatility = Volatility::Volatile;
        let function = Capped {
            inner: UdfEq::from(inner),
            signature,
            growth,
            limits,
            spent: Arc::clone(&spent),
            site: 0,
        };
        let name = function.inner.name().to_string();
        if name != "||" {
            let udf = Arc::new(ScalarUDF::new_from_impl(function.clone()));
            FunctionRegistry::register_udf(ctx, udf)?;
        }
        capped.insert(name, function);
    }
    ctx.register_function_rewrite(Arc::new(CappedRewrite::new(capped)))
}

#[derive(Debug, Clone)]
pub(crate) struct Capped {
    inner: UdfEq<Arc<dyn ScalarUDFImpl>>,
    signature: Signature,
    growth: Growth,
    limits: ValueLimits,
    spent: Arc<AtomicUsize>,
    /// Which call in the query this is (see `at_new_site`); 0 in the registry.
    site: usize,
}

impl Capped {
    /// This function for one call of the query, unequal to every other call.
    ///
    /// A capped function is volatile, and DataFusion's projection pruning drops a
    /// projection whose expressions equal its input's: `SELECT concat(s, s) AS s
    /// FROM (SELECT concat(s, s) AS s …)` lost a level and answered 12 characters
    /// for 24. Calls that never compare equal are never taken for one another.
    pub fn at_new_site(&self) -> ScalarUDF {
        static SITES: AtomicUsize = AtomicUsize::new(1);
        ScalarUDF::new_from_impl(Self {
            site: SITES.fetch_add(1, Ordering::Relaxed),
            ..self.clone()
        })
    }
}

// Equal when they wrap the same function at the same call: plans compare
// functions by this.
impl PartialEq for Capped {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner && self.growth == other.growth && self.site == other.site
    }
}
impl Eq for Capped {}
impl std::hash::Hash for Capped {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.inner.hash(state);
        self.growth.hash(state);
        self.site.hash(state);
    }
}

/// Everything but the call delegates to the built-in function.
impl ScalarUDFImpl for Capped {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }
    fn schema_name(&self, args: &[Expr]) -> DfResult<String> {
        self.inner.schema_name(args)
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, arg_types: &[DataType]) -> DfResult<DataType> {
        self.inner.return_type(arg_types)
    }
    fn return_field_from_args(&self, args: ReturnFieldArgs) -> DfResult<FieldRef> {
        self.inner.return_field_from_args(args)
    }
    fn is_strict(&self) -> bool {
        self.inner.is_strict()
    }
    fn simplify(&self, args: Vec<Expr>, _: &SimplifyContext) -> DfResult<ExprSimplifyResult> {
        // `concat`'s own simplification joins literals at planning time, unchecked.
        Ok(ExprSimplifyResult::Original(args))
    }
    fn short_circuits(&self) -> bool {
        self.inner.short_circuits()
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> DfResult<Vec<DataType>> {
        self.inner.coerce_types(arg_types)
    }
    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        self.check(&args.args, args.number_rows)?;
        self.inner.invoke_with_args(args)
    }
}

impl Capped {
    /// Refuses the call if its answer would pass a limit; counts what it adds.
    fn check(&self, args: &[ColumnarValue], rows: usize) -> DfResult<()> {
        let name = self.inner.name();
        let limits = &self.limits;
        // A call on constants answers one value, which is then copied into each of
        // the batch's rows: it is counted for all of them.
        let rows_in = rows.max(1);
        let (largest, total) = match self.growth {
            Growth::Sum => {
                let total = args.iter().map(|a| value_bytes(a, rows_in)).sum::<usize>();
                (0, total)
            }
            growth => per_row(growth, args, rows_in)?,
        };
        if self.growth == Growth::Quadratic {
            return if total > limits.call_work {
                Err(refuse(format!(
                    "{name} would compare {total} pairs of characters in one batch; \
                     the limit is {}",
                    limits.call_work
                )))
            } else {
                Ok(())
            };
        }
        if largest > limits.value_bytes {
            return Err(refuse(format!(
                "{name} would build a value of {} bytes; the limit is {} bytes",
                largest, limits.value_bytes
            )));
        }
        if total > limits.call_bytes {
            return Err(refuse(format!(
                "{name} would build {} MiB in one batch; the limit is {} MiB",
                total >> 20,
                limits.call_bytes >> 20
            )));
        }
        let added = total.saturating_sub(distinct_input_bytes(args));
        let spent = self.spent.fetch_add(added, Ordering::Relaxed) + added;
        if spent > limits.query_bytes {
            return Err(refuse(format!(
                "this query's functions would build more than {} MiB of values; \
                 aggregate or filter before building strings",
                limits.query_bytes >> 20
            )));
        }
        Ok(())
    }
}

fn refuse(message: String) -> DataFusionError {
    DataFusionError::ResourcesExhausted(message)
}

/// The largest value and the total, in bytes (or comparisons), of a per-row growth.
fn per_row(growth: Growth, args: &[ColumnarValue], rows: usize) -> DfResult<(usize, usize)> {
    let arg = |i: usize| args.get(i);
    let lens = |i| arg(i).map_or(Ok(PerRow::Const(0)), |a| lengths(a, rows));
    let ints = |i| arg(i).map_or(Ok(PerRow::Const(1)), |a| integers(a, rows));
    let (a, b, c) = match growth {
        Growth::Repeat | Growth::Pad | Growth::ArrayRepeat | Growth::Resize => {
            (lens(0)?, ints(1)?, PerRow::Const(0))
        }
        Growth::Replace => (lens(0)?, lens(1)?, lens(2)?),
        Growth::RegexReplace => (lens(0)?, lens(2)?, references(arg(2))),
        Growth::Quadratic => (lens(0)?, lens(1)?, PerRow::Const(0)),
        Growth::Range => return range_sizes(args, rows),
        Growth::Sum => unreachable!("summed, not per row"),
    };
    let element = args
        .first()
        .map_or(8, |x| (value_bytes(x, rows) / rows.max(1)).max(8));
    let mut largest = 0usize;
    let mut total = 0usize;
    for row in 0..rows {
        let size_of = |v: i64| usize::try_from(v).unwrap_or(0);
        let (a, b, c) = (
            size_of(a.get(row)),
            size_of(b.get(row)),
            size_of(c.get(row)),
        );
        let n = b;
        let size = match growth {
            Growth::Repeat | Growth::Quadratic => a.saturating_mul(n),
            Growth::Pad => n.saturating_mul(4),
            Growth::ArrayRepeat => n.saturating_mul(element),
            Growth::Resize => n.saturating_mul(16),
            Growth::Replace => {
                let matches = a.checked_div(b).unwrap_or(a + 1);
                a.saturating_add(matches.saturating_mul(c))
            }
            Growth::RegexReplace => a
                .saturating_add((a + 1).saturating_mul(b))
                .saturating_add(c.saturating_mul(a)),
            Growth::Range | Growth::Sum => 0,
        };
        largest = largest.max(size);
        total = total.saturating_add(size);
    }
    Ok((largest, total))
}

/// `range(stop)`, `range(start, stop)`, `range(start, stop, step)`: 8 bytes an
/// element. Dates and times count their span in days or nanoseconds, the step in
/// the same unit (a month as 28 days, so never fewer elements than it builds).
fn range_sizes(args: &[ColumnarValue], rows: usize) -> DfResult<(usize, usize)> {
    let (start, stop, step) = match args.len() {
        1 => (PerRow::Const(0), ordinal(&args[0], rows)?, PerRow::Const(1)),
        2 => (
            ordinal(&args[0], rows)?,
            ordinal(&args[1], rows)?,
            PerRow::Const(1),
        ),
        _ => (
            ordinal(&args[0], rows)?,
            ordinal(&args[1], rows)?,
            step_size(&args[2], &args[0], rows)?,
        ),
    };
    let mut largest = 0usize;
    let mut total = 0usize;
    for row in 0..rows {
        let span = (i128::from(stop.get(row)) - i128::from(start.get(row))).unsigned_abs();
        let step = i128::from(step.get(row)).unsigned_abs().max(1);
        let size = usize::try_from((span / step + 1).saturating_mul(8)).unwrap_or(usize::MAX);
        largest = largest.max(size);
        total = total.saturating_add(size);
    }
    Ok((largest, total))
}

/// Per-row integers, or one for every row.
enum PerRow {
    Const(i64),
    Each(Vec<i64>),
}

impl PerRow {
    fn get(&self, row: usize) -> i64 {
        match self {
            PerRow::Const(v) => *v,
            PerRow::Each(v) => v.get(row).copied().unwrap_or(0),
        }
    }
}

/// How many group references (`\\1`, `${name}`) a literal replacement may hold:
/// every `\\` and `$` counts. A replacement that is a column counts as its length.
fn references(value: Option<&ColumnarValue>) -> PerRow {
    match value {
        Some(ColumnarValue::Scalar(s)) => {
            let text = s.to_string();
            PerRow::Const(text.chars().filter(|c| *c == '\\' || *c == '$').count() as i64)
        }
        Some(ColumnarValue::Array(a)) => PerRow::Each(lengths_of(a)),
        None => PerRow::Const(0),
    }
}

/// Byte length of a string / binary argument, or element count of a list.
fn lengths(value: &ColumnarValue, rows: usize) -> DfResult<PerRow> {
    let array = match value {
        ColumnarValue::Scalar(s) => {
            let one = s.to_array_of_size(1)?;
            return Ok(PerRow::Const(
                lengths_of(&one).first().copied().unwrap_or(0),
            ));
        }
        ColumnarValue::Array(a) => a,
    };
    let mut each = lengths_of(array);
    each.resize(rows, 0);
    Ok(PerRow::Each(each))
}

fn lengths_of(array: &ArrayRef) -> Vec<i64> {
    let len = |n: usize| n as i64;
    match array.data_type() {
        DataType::Utf8 => array
            .as_string::<i32>()
            .iter()
            .map(|s| len(s.map_or(0, str::len)))
            .collect(),
        DataType::LargeUtf8 => array
            .as_string::<i64>()
            .iter()
            .map(|s| len(s.map_or(0, str::len)))
            .collect(),
        DataType::Utf8View => array
            .as_string_view()
            .iter()
            .map(|s| len(s.map_or(0, str::len)))
            .collect(),
        DataType::List(_) => array
            .as_list::<i32>()
            .offsets()
            .windows(2)
            .map(|w| i64::from(w[1] - w[0]))
            .collect(),
        DataType::LargeList(_) => array
            .as_list::<i64>()
            .offsets()
            .windows(2)
            .map(|w| w[1] - w[0])
            .collect(),
        // Anything else is at most its own size per row.
        _ => vec![(array_bytes(array.as_ref()) / array.len().max(1)) as i64; array.len()],
    }
}

/// Integer arguments (counts, lengths); anything not castable counts as 0.
fn integers(value: &ColumnarValue, rows: usize) -> DfResult<PerRow> {
    match value {
        ColumnarValue::Scalar(s) => Ok(PerRow::Const(scalar_i64(s))),
        ColumnarValue::Array(a) => {
            let ints = cast(a, &DataType::Int64)?;
            let mut each: Vec<i64> = ints
                .as_primitive::<Int64Type>()
                .iter()
                .map(|v| v.unwrap_or(0))
                .collect();
            each.resize(rows, 0);
            Ok(PerRow::Each(each))
        }
    }
}

fn scalar_i64(s: &ScalarValue) -> i64 {
    match s.cast_to(&DataType::Int64) {
        Ok(ScalarValue::Int64(Some(v))) => v,
        _ => 0,
    }
}

/// A range bound as an integer: itself, days for dates, nanoseconds for times.
fn ordinal(value: &ColumnarValue, rows: usize) -> DfResult<PerRow> {
    let to_nanos = |t: &DataType| match t {
        DataType::Timestamp(unit, _) => Some(match unit {
            datafusion::arrow::datatypes::TimeUnit::Second => 1_000_000_000,
            datafusion::arrow::datatypes::TimeUnit::Millisecond => 1_000_000,
            datafusion::arrow::datatypes::TimeUnit::Microsecond => 1_000,
            datafusion::arrow::datatypes::TimeUnit::Nanosecond => 1,
        }),
        _ => None,
    };
    let scale = to_nanos(&value.data_type()).unwrap_or(1);
    let scaled = |v: i64| v.saturating_mul(scale);
    let (array, one) = match value {
        ColumnarValue::Scalar(s) => (s.to_array_of_size(1)?, true),
        ColumnarValue::Array(a) => (Arc::clone(a), false),
    };
    // Dates count in days: Date64's milliseconds go through Date32.
    let ints = match array.data_type() {
        DataType::Date32 => cast(&array, &DataType::Int32)?,
        DataType::Date64 => cast(&cast(&array, &DataType::Date32)?, &DataType::Int32)?,
        _ => array,
    };
    let ints = cast(&ints, &DataType::Int64)?;
    let mut each: Vec<i64> = ints
        .as_primitive::<Int64Type>()
        .iter()
        .map(|v| scaled(v.unwrap_or(0)))
        .collect();
    if one {
        return Ok(PerRow::Const(each.first().copied().unwrap_or(0)));
    }
    each.resize(rows, 0);
    Ok(PerRow::Each(each))
}

/// A step in the unit of `start` (see `ordinal`): intervals in days for dates,
/// in nanoseconds for times.
fn step_size(step: &ColumnarValue, start: &ColumnarValue, rows: usize) -> DfResult<PerRow> {
    const DAY_NS: i64 = 86_400_000_000_000;
    let dates = matches!(start.data_type(), DataType::Date32 | DataType::Date64);
    let in_unit = |months: i64, days: i64, nanos: i64| {
        if dates {
            months * 28 + days + nanos / DAY_NS
        } else {
            (months * 28 + days)
                .saturating_mul(DAY_NS)
                .saturating_add(nanos)
        }
    };
    Ok(match step {
        ColumnarValue::Scalar(ScalarValue::IntervalMonthDayNano(Some(v))) => PerRow::Const(
            in_unit(i64::from(v.months), i64::from(v.days), v.nanoseconds),
        ),
        ColumnarValue::Scalar(ScalarValue::IntervalDayTime(Some(v))) => PerRow::Const(in_unit(
            0,
            i64::from(v.days),
            i64::from(v.milliseconds) * 1_000_000,
        )),
        ColumnarValue::Scalar(ScalarValue::IntervalYearMonth(Some(m))) => {
            PerRow::Const(in_unit(i64::from(*m), 0, 0))
        }
        other => integers(other, rows)?,
    })
}

/// Bytes a value takes for `rows` rows (a scalar counts once per row).
fn value_bytes(value: &ColumnarValue, rows: usize) -> usize {
    match value {
        ColumnarValue::Array(a) => array_bytes(a.as_ref()),
        ColumnarValue::Scalar(s) => s.size().saturating_mul(rows),
    }
}

/// Bytes of the rows an array holds: a slice of a larger array (the hot cache
/// hands out slices) counts only its own rows.
pub(crate) fn array_bytes(array: &dyn Array) -> usize {
    let data = array.to_data();
    data.get_slice_memory_size()
        .unwrap_or_else(|_| array.get_array_memory_size())
}

/// Bytes of the distinct arrays among the inputs (`concat(x, x)` hands the same
/// array twice: it exists once).
fn distinct_input_bytes(args: &[ColumnarValue]) -> usize {
    let mut seen: Vec<*const u8> = Vec::new();
    let mut bytes = 0;
    for arg in args {
        if let ColumnarValue::Array(a) = arg {
            let data = a.to_data();
            let key = data
                .buffers()
                .first()
                .map_or(std::ptr::null(), |b| b.as_ptr());
            if !seen.contains(&key) {
                seen.push(key);
                bytes += array_bytes(a.as_ref());
            }
        }
    }
    bytes
}
