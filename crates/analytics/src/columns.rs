//! Plain Rust vectors (or values lent one row at a time) out of a query's Arrow
//! answer, so the crates that compute on the copy (metrics, drivers, the
//! dashboard) never name an Arrow type.

use datafusion::arrow::array::{Array, ArrowPrimitiveType, PrimitiveArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type};

use crate::error::{AnalyticsError, Result};
use crate::query::QueryBatches;

impl QueryBatches {
    /// Column `name` as integers: any integer type, booleans (0/1) and timestamps
    /// (microseconds since the epoch).
    pub fn i64s(&self, name: &str) -> Result<Vec<Option<i64>>> {
        self.primitives::<Int64Type>(name, &DataType::Int64)
    }

    /// Column `name` as floats (any numeric type).
    pub fn f64s(&self, name: &str) -> Result<Vec<Option<f64>>> {
        self.primitives::<Float64Type>(name, &DataType::Float64)
    }

    fn primitives<T: ArrowPrimitiveType>(
        &self,
        name: &str,
        to: &DataType,
    ) -> Result<Vec<Option<T::Native>>> {
        let mut out = Vec::with_capacity(self.num_rows());
        self.for_each_primitive::<T>(name, to, |_, v| out.push(v))?;
        Ok(out)
    }

    /// Column `name` as text (any type Arrow can cast to text).
    pub fn strings(&self, name: &str) -> Result<Vec<Option<String>>> {
        let mut out = Vec::with_capacity(self.num_rows());
        for array in self.cast_column(name, &DataType::Utf8)? {
            let strings = downcast::<StringArray>(&array, name)?;
            out.extend(strings.iter().map(|s| s.map(str::to_string)));
        }
        Ok(out)
    }

    /// Calls `f(row, value)` for every row of integer column `name` in order (the types
    /// [`Self::i64s`] reads), without collecting them: for answers of many rows read
    /// straight into the caller's own structures.
    pub fn for_each_i64(&self, name: &str, f: impl FnMut(usize, Option<i64>)) -> Result<()> {
        self.for_each_primitive::<Int64Type>(name, &DataType::Int64, f)
    }

    /// [`Self::for_each_i64`] for floats (any numeric type).
    pub fn for_each_f64(&self, name: &str, f: impl FnMut(usize, Option<f64>)) -> Result<()> {
        self.for_each_primitive::<Float64Type>(name, &DataType::Float64, f)
    }

    fn for_each_primitive<T: ArrowPrimitiveType>(
        &self,
        name: &str,
        to: &DataType,
        mut f: impl FnMut(usize, Option<T::Native>),
    ) -> Result<()> {
        let mut row = 0;
        for array in self.cast_column(name, to)? {
            for value in downcast::<PrimitiveArray<T>>(&array, name)?.iter() {
                f(row, value);
                row += 1;
            }
        }
        Ok(())
    }

    /// Calls `f(row, value)` for every row of text column `name` in order, lending
    /// the text instead of copying it (for answers with many long strings).
    pub fn for_each_str(&self, name: &str, mut f: impl FnMut(usize, Option<&str>)) -> Result<()> {
        let mut row = 0;
        for array in self.cast_column(name, &DataType::Utf8)? {
            for value in downcast::<StringArray>(&array, name)?.iter() {
                f(row, value);
                row += 1;
            }
        }
        Ok(())
    }

    fn cast_column(&self, name: &str, to: &DataType) -> Result<Vec<std::sync::Arc<dyn Array>>> {
        let index = self.schema.index_of(name).map_err(|_| {
            AnalyticsError::QueryFailed(format!("no column `{name}` in the answer"))
        })?;
        let from = self.schema.field(index).data_type().clone();
        let to = match (&from, to) {
            // Timestamps (with a zone) and booleans reach Int64 in two steps.
            (DataType::Timestamp(..), DataType::Int64) => DataType::Int64,
            _ => to.clone(),
        };
        self.batches
            .iter()
            .map(|b| {
                let column = b.column(index);
                let column = match (&from, &to) {
                    (DataType::Boolean, DataType::Int64) => cast(column, &DataType::Int8)?,
                    _ => column.clone(),
                };
                Ok(cast(&column, &to)?)
            })
            .collect()
    }
}

fn downcast<'a, T: 'static>(array: &'a std::sync::Arc<dyn Array>, name: &str) -> Result<&'a T> {
    array.as_any().downcast_ref::<T>().ok_or_else(|| {
        AnalyticsError::QueryFailed(format!("column `{name}` has an unexpected type"))
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{BooleanArray, Float32Array, Int32Array, RecordBatch};
    use datafusion::arrow::datatypes::{Field, Schema};

    use super::*;

    /// Two batches, so row numbers must run on across them.
    fn answer() -> QueryBatches {
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int32, true),
            Field::new("b", DataType::Boolean, true),
            Field::new("x", DataType::Float32, true),
        ]));
        let batch = |n: Vec<Option<i32>>, b: Vec<Option<bool>>, x: Vec<Option<f32>>| {
            RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(Int32Array::from(n)),
                    Arc::new(BooleanArray::from(b)),
                    Arc::new(Float32Array::from(x)),
                ],
            )
            .unwrap()
        };
        QueryBatches {
            schema: schema.clone(),
            batches: vec![
                batch(
                    vec![Some(7), None],
                    vec![Some(true), Some(false)],
                    vec![Some(0.5), None],
                ),
                batch(vec![Some(-3)], vec![None], vec![Some(2.0)]),
            ],
        }
    }

    #[test]
    fn visitors_lend_the_same_values_as_the_collecting_readers_with_running_row_numbers() {
        let a = answer();
        let mut seen = Vec::new();
        a.for_each_i64("n", |i, v| seen.push((i, v))).unwrap();
        assert_eq!(seen, vec![(0, Some(7)), (1, None), (2, Some(-3))]);
        let mut flags = Vec::new();
        a.for_each_i64("b", |_, v| flags.push(v)).unwrap();
        assert_eq!(flags, vec![Some(1), Some(0), None]);
        assert_eq!(flags, a.i64s("b").unwrap());
        let mut floats = Vec::new();
        a.for_each_f64("x", |i, v| floats.push((i, v))).unwrap();
        assert_eq!(floats, vec![(0, Some(0.5)), (1, None), (2, Some(2.0))]);
        assert!(a.for_each_i64("missing", |_, _| {}).is_err());
    }
}
