//! `profile_id` as queries see it: the profile a signal's profile was merged
//! into, looked up per row in the workspace's merge map.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{AsArray, Int64Array};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use crate::snapshot::CanonicalMap;

#[derive(Debug)]
pub(crate) struct CanonicalProfile {
    map: Arc<CanonicalMap>,
    signature: Signature,
}

impl CanonicalProfile {
    pub fn udf(map: Arc<CanonicalMap>) -> ScalarUDF {
        ScalarUDF::new_from_impl(Self {
            map,
            signature: Signature::exact(vec![DataType::Int64], Volatility::Immutable),
        })
    }

    fn lookup(&self, profile: i64) -> i64 {
        self.map.get(&profile).copied().unwrap_or(profile)
    }
}

// One map per snapshot: two instances are the same function when they share it.
impl PartialEq for CanonicalProfile {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.map, &other.map)
    }
}

impl Eq for CanonicalProfile {}

impl Hash for CanonicalProfile {
    fn hash<H: Hasher>(&self, state: &mut H) {
        Arc::as_ptr(&self.map).hash(state);
    }
}

impl ScalarUDFImpl for CanonicalProfile {
    fn name(&self) -> &str {
        "__canonical_profile"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Ok(match &args.args[0] {
            ColumnarValue::Array(array) => {
                let profiles = array.as_primitive::<Int64Type>();
                let canonical: Int64Array = profiles.unary(|p| self.lookup(p));
                ColumnarValue::Array(Arc::new(canonical))
            }
            ColumnarValue::Scalar(ScalarValue::Int64(p)) => {
                ColumnarValue::Scalar(ScalarValue::Int64(p.map(|p| self.lookup(p))))
            }
            ColumnarValue::Scalar(other) => ColumnarValue::Scalar(other.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Array;
    use datafusion::prelude::{col, SessionContext};

    #[tokio::test]
    async fn merged_profiles_map_to_their_survivor_and_others_stay() {
        let map = Arc::new(CanonicalMap::from_iter([(2, 1), (3, 1), (7, 5)]));
        let ctx = SessionContext::new();
        let frame = ctx
            .sql("SELECT * FROM (VALUES (1), (2), (3), (4), (7), (NULL)) AS t(p)")
            .await
            .unwrap()
            .select(vec![CanonicalProfile::udf(map).call(vec![col("p")])])
            .unwrap();
        let batches = frame.collect().await.unwrap();
        let got = batches[0].column(0).as_primitive::<Int64Type>();
        let values: Vec<Option<i64>> = (0..got.len())
            .map(|i| got.is_valid(i).then(|| got.value(i)))
            .collect();
        assert_eq!(values, [Some(1), Some(1), Some(1), Some(4), Some(5), None]);
    }
}
