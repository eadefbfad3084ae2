//! Every call of a value-building function made a capped one (`capped.rs`),
//! whatever route planned it.
//!
//! The caps replace functions in the session's registry, but two routes build
//! values without asking the registry: the `||` operator on strings is a binary
//! operator, not a function, and the SQL planner turns `||` on lists into the
//! built-in `array_concat` / `array_append` / `array_prepend` directly. Nested
//! `x || x` through subqueries doubled a value per level, unchecked. This
//! rewrite runs before type coercion and sends both routes through the capped
//! functions; the output column keeps its name (`a || b`). Each call gets an
//! instance of its own (`Capped::at_new_site`).

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::compute::kernels::concat_elements::concat_elements_utf8;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::Transformed;
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::expr_rewriter::FunctionRewrite;
use datafusion::logical_expr::{
    BinaryExpr, ColumnarValue, Expr, ExprSchemable, Operator, ScalarFunctionArgs, ScalarUDFImpl,
    Signature, Volatility,
};

use crate::capped::Capped;

/// `a || b` on strings as a function: null when either side is null (unlike
/// `concat`, which skips nulls), both sides as `Utf8`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct StringConcat {
    signature: Signature,
}

impl StringConcat {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for StringConcat {
    fn name(&self) -> &str {
        "||"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        Ok(vec![DataType::Utf8; arg_types.len()])
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalars = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if scalars { 1 } else { args.number_rows };
        let mut arrays = args.args.iter().map(|a| -> Result<ArrayRef> {
            let array = a.to_array(rows)?;
            Ok(cast(&array, &DataType::Utf8)?)
        });
        let Some(first) = arrays.next() else {
            return Ok(ColumnarValue::Array(cast(
                &datafusion::arrow::array::new_null_array(&DataType::Null, rows),
                &DataType::Utf8,
            )?));
        };
        let mut joined = first?;
        for next in arrays {
            let next = next?;
            let both = concat_elements_utf8(joined.as_string::<i32>(), next.as_string::<i32>())?;
            joined = Arc::new(both);
        }
        if scalars {
            let value = datafusion::common::ScalarValue::try_from_array(&joined, 0)?;
            return Ok(ColumnarValue::Scalar(value));
        }
        Ok(ColumnarValue::Array(joined))
    }
}

/// Sends `||` and built-in calls of capped functions to the capped ones.
#[derive(Debug)]
pub(crate) struct CappedRewrite {
    /// The capped functions by name; `||` names the capped `StringConcat`.
    capped: HashMap<String, Capped>,
}

impl CappedRewrite {
    pub fn new(capped: HashMap<String, Capped>) -> Self {
        Self { capped }
    }
}

impl FunctionRewrite for CappedRewrite {
    fn name(&self) -> &str {
        "capped_value_builders"
    }

    fn rewrite(
        &self,
        expr: Expr,
        schema: &DFSchema,
        _: &ConfigOptions,
    ) -> Result<Transformed<Expr>> {
        match expr {
            Expr::BinaryExpr(BinaryExpr {
                left,
                op: Operator::StringConcat,
                right,
            }) if !is_list(&left.get_type(schema)?) && !is_list(&right.get_type(schema)?) => {
                let udf = Arc::new(self.capped["||"].at_new_site());
                let call = ScalarFunction::new_udf(udf, vec![*left, *right]);
                Ok(Transformed::yes(Expr::ScalarFunction(call)))
            }
            Expr::ScalarFunction(call) => match self.capped.get(call.func.name()) {
                Some(capped) => {
                    let udf = Arc::new(capped.at_new_site());
                    let call = ScalarFunction::new_udf(udf, call.args);
                    Ok(Transformed::yes(Expr::ScalarFunction(call)))
                }
                None => Ok(Transformed::no(Expr::ScalarFunction(call))),
            },
            other => Ok(Transformed::no(other)),
        }
    }
}

fn is_list(t: &DataType) -> bool {
    matches!(
        t,
        DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(_, _)
    )
}
