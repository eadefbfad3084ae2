//! `date_trunc` for UTC timestamps without the per-value time-zone arithmetic.
//!
//! Every time in the copy is `Timestamp(µs, "UTC")`. DataFusion's own
//! `date_trunc` truncates a timestamp that names a zone to months, quarters and
//! years through chrono's zone conversion, value by value (about 80 ns each); a
//! zoneless timestamp takes its integer calendar path instead. In UTC the two are
//! the same instant, so this wrapper relabels a UTC argument as zoneless, calls
//! the built-in function and labels the result UTC again. Any other argument
//! goes to the built-in unchanged.

use std::sync::Arc;

use datafusion::arrow::array::{make_array, ArrayRef};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::sort_properties::{ExprProperties, SortProperties};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature,
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct UtcDateTrunc {
    name: String,
    aliases: Vec<String>,
    signature: Signature,
}

impl UtcDateTrunc {
    pub fn udf() -> ScalarUDF {
        let inner = builtin();
        ScalarUDF::new_from_impl(Self {
            name: inner.name().to_string(),
            aliases: inner.aliases().to_vec(),
            signature: inner.signature().clone(),
        })
    }
}

fn builtin() -> Arc<ScalarUDF> {
    datafusion::functions::datetime::date_trunc()
}

fn is_utc(tz: &str) -> bool {
    matches!(tz, "UTC" | "utc" | "+00:00" | "Z")
}

/// The same type with its UTC zone dropped, or `None` when it is not a UTC timestamp.
fn zoneless(data_type: &DataType) -> Option<DataType> {
    match data_type {
        DataType::Timestamp(unit, Some(tz)) if is_utc(tz) => Some(DataType::Timestamp(*unit, None)),
        _ => None,
    }
}

/// Relabels `value` as `to` (same unit, other zone): the stored integers do not change.
fn relabel(value: ColumnarValue, to: &DataType) -> Result<ColumnarValue> {
    Ok(match value {
        ColumnarValue::Array(array) => {
            let data = array
                .to_data()
                .into_builder()
                .data_type(to.clone())
                .build()?;
            ColumnarValue::Array(make_array(data) as ArrayRef)
        }
        ColumnarValue::Scalar(scalar) => {
            let array = scalar.to_array()?;
            let data = array
                .to_data()
                .into_builder()
                .data_type(to.clone())
                .build()?;
            ColumnarValue::Scalar(ScalarValue::try_from_array(&make_array(data), 0)?)
        }
    })
}

impl ScalarUDFImpl for UtcDateTrunc {
    fn name(&self) -> &str {
        &self.name
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        builtin().inner().return_type(arg_types)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        builtin().inner().return_field_from_args(args)
    }

    fn invoke_with_args(&self, mut args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let inner = builtin();
        let Some(plain) = args.args.get(1).and_then(|a| zoneless(&a.data_type())) else {
            return inner.invoke_with_args(args);
        };
        let utc = args.return_field.data_type().clone();
        let Some(plain_return) = zoneless(&utc) else {
            return inner.invoke_with_args(args);
        };
        let value = std::mem::replace(&mut args.args[1], ColumnarValue::Scalar(ScalarValue::Null));
        args.args[1] = relabel(value, &plain)?;
        args.arg_fields[1] = Arc::new(args.arg_fields[1].as_ref().clone().with_data_type(plain));
        args.return_field = Arc::new(Field::clone(&args.return_field).with_data_type(plain_return));
        relabel(inner.invoke_with_args(args)?, &utc)
    }

    fn output_ordering(&self, input: &[ExprProperties]) -> Result<SortProperties> {
        builtin().inner().output_ordering(input)
    }

    fn documentation(&self) -> Option<&Documentation> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{RecordBatch, TimestampMicrosecondArray};
    use datafusion::arrow::datatypes::{Schema, TimeUnit};
    use datafusion::arrow::util::pretty::pretty_format_batches;
    use datafusion::datasource::MemTable;
    use datafusion::execution::FunctionRegistry;
    use datafusion::prelude::SessionContext;

    /// Times from 1700 to 2250 (the built-in's range: nanoseconds since 1970) (a fixed pseudo-random walk), plus edges of months and years.
    fn times() -> Vec<i64> {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let span = 550 * 365 * 86_400_000_000_i64;
        let mut out: Vec<i64> = (0..5_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % span as u64) as i64 - 270 * 365 * 86_400_000_000
            })
            .collect();
        // 2024-02-29T23:59:59.999999Z, 2024-03-01T00:00:00Z, 1970-01-01T00:00:00Z, one µs before it.
        out.extend([1_709_251_199_999_999, 1_709_251_200_000_000, 0, -1]);
        out
    }

    fn context(tz: &str, ours: bool) -> SessionContext {
        let field = Field::new(
            "t",
            DataType::Timestamp(TimeUnit::Microsecond, Some(tz.into())),
            true,
        );
        let schema = Arc::new(Schema::new(vec![field]));
        let values = TimestampMicrosecondArray::from(times()).with_timezone(tz);
        let batch = RecordBatch::try_new(Arc::clone(&schema), vec![Arc::new(values)]).unwrap();
        let ctx = SessionContext::new();
        if ours {
            ctx.register_udf(UtcDateTrunc::udf());
        }
        let table = MemTable::try_new(schema, vec![vec![batch]]).unwrap();
        ctx.register_table("t", Arc::new(table)).unwrap();
        ctx
    }

    async fn run(ctx: &SessionContext, sql: &str) -> String {
        let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
        pretty_format_batches(&batches).unwrap().to_string()
    }

    #[tokio::test]
    async fn same_answers_as_the_built_in_for_every_granularity() {
        for tz in ["UTC", "+00:00", "Europe/Berlin"] {
            let (ours, builtin) = (context(tz, true), context(tz, false));
            let registered = ours.udf("date_trunc").unwrap();
            let registered: &dyn std::any::Any = registered.inner().as_ref();
            assert!(registered.downcast_ref::<UtcDateTrunc>().is_some());
            for unit in [
                "year", "quarter", "month", "week", "day", "hour", "minute", "second",
            ] {
                let sql = format!(
                    "SELECT t, date_trunc('{unit}', t) AS d, arrow_typeof(date_trunc('{unit}', t)) AS ty, \
                     date_trunc('{unit}', TIMESTAMP '2024-02-29T13:14:15Z') AS s FROM t ORDER BY t"
                );
                assert_eq!(
                    run(&ours, &sql).await,
                    run(&builtin, &sql).await,
                    "{tz} {unit}"
                );
            }
        }
    }

    #[tokio::test]
    async fn a_utc_month_starts_on_the_first_at_midnight() {
        let ctx = context("UTC", true);
        let got = run(
            &ctx,
            "SELECT date_trunc('month', t) AS m FROM t WHERE CAST(t AS BIGINT) = 1709251199999999",
        )
        .await;
        assert!(got.contains("2024-02-01T00:00:00Z"), "{got}");
    }
}
