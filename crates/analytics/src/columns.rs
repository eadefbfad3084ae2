//! Plain Rust vectors out of a query's Arrow answer, so the crates that compute
//! on the copy (metrics, drivers, the dashboard) never name an Arrow type.

use datafusion::arrow::array::{Array, Float64Array, Int64Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;

use crate::error::{AnalyticsError, Result};
use crate::query::QueryBatches;

impl QueryBatches {
    /// Column `name` as integers: any integer type, booleans (0/1) and timestamps
    /// (microseconds since the epoch).
    pub fn i64s(&self, name: &str) -> Result<Vec<Option<i64>>> {
        let mut out = Vec::with_capacity(self.num_rows());
        for array in self.cast_column(name, &DataType::Int64)? {
            let ints = downcast::<Int64Array>(&array, name)?;
            out.extend(ints.iter());
        }
        Ok(out)
    }

    /// Column `name` as floats (any numeric type).
    pub fn f64s(&self, name: &str) -> Result<Vec<Option<f64>>> {
        let mut out = Vec::with_capacity(self.num_rows());
        for array in self.cast_column(name, &DataType::Float64)? {
            let floats = downcast::<Float64Array>(&array, name)?;
            out.extend(floats.iter());
        }
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
