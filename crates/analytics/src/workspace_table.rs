//! One workspace's `signals` (and `profiles`) as a single table over the hot
//! column cache and the tail, for when the cache is on.
//!
//! The general view (`session.rs`) is a plan: segments ∪ tail, the workspace
//! filter, the canonical-profile projection and a 40-column select, planned and
//! optimised again by every query; that cost more than running most dashboard
//! queries. Here the same rows come from one scan: zones pruned by the query's
//! filters and the workspace, rows of other workspaces removed exactly, merged
//! profiles mapped, only the projected columns built.
//!
//! Architecture invariant (as in `session.rs`): every row handed out is proven
//! the workspace's: a segment zone by its exact statistics (min = max = the
//! workspace, no nulls), any other row by `hot::own_rows` (the tail, and the
//! zones at a workspace's edges). A `kind = '…'` filter is proven the same way.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::{ArrayRef, AsArray, Int64Array, RecordBatch, RecordBatchOptions};
use datafusion::arrow::datatypes::{DataType, Field, Int64Type, Schema, SchemaRef};
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::DataFusionError;
use datafusion::common::ScalarValue;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::datasource::TableType;
use datafusion::logical_expr::{col, lit, BinaryExpr, Expr, Operator, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;

use crate::hot::{own_rows, HotSegment, Owner};
use crate::hot_table::{gather_hot, pruning_predicate, spread};
use crate::schema::{
    hot_schema, query_type, stored_schema, to_query_type, view_columns, KIND_COLUMN,
    PROFILE_COLUMN, WORKSPACE_COLUMN,
};
use crate::snapshot::CanonicalMap;

/// Which of the two views the table serves.
#[derive(Debug, Clone, Copy)]
pub(crate) enum View {
    /// The `signals` view: every column but the workspace, `profile_id` canonical.
    Signals,
    /// `(profile_id, canonical_id)` per row (made distinct by the session).
    Profiles,
}

#[derive(Debug)]
pub(crate) struct WorkspaceTable {
    workspace: i64,
    view: View,
    segments: Vec<Arc<HotSegment>>,
    tail: Arc<Vec<RecordBatch>>,
    canonical: Option<Arc<CanonicalMap>>,
    schema: SchemaRef,
}

impl WorkspaceTable {
    pub fn new(
        workspace: i64,
        view: View,
        segments: Vec<Arc<HotSegment>>,
        tail: Arc<Vec<RecordBatch>>,
        canonical: Option<Arc<CanonicalMap>>,
    ) -> Self {
        let schema = match view {
            View::Signals => signals_schema(),
            View::Profiles => Arc::new(Schema::new(vec![
                Field::new(PROFILE_COLUMN, DataType::Int64, false),
                Field::new("canonical_id", DataType::Int64, false),
            ])),
        };
        Self {
            workspace,
            view,
            segments,
            tail,
            canonical,
            schema,
        }
    }

    /// Stored-schema columns of the output columns `projection` names.
    fn stored_columns(&self, projection: &[usize]) -> Vec<usize> {
        match self.view {
            // The stored schema is the workspace column, then the view's columns.
            View::Signals => projection.iter().map(|&i| i + 1).collect(),
            View::Profiles => {
                let profile = stored_index(PROFILE_COLUMN);
                projection.iter().map(|_| profile).collect()
            }
        }
    }

    /// `batch` (stored columns: the workspace, the kind when the scan filters on
    /// it — `extra` columns in all — then `stored`) as output rows.
    fn output(
        &self,
        batch: &RecordBatch,
        extra: usize,
        projection: &[usize],
        schema: &SchemaRef,
    ) -> Result<RecordBatch, DataFusionError> {
        let profile = stored_index(PROFILE_COLUMN);
        let stored = self.stored_columns(projection);
        let columns: Vec<ArrayRef> = stored
            .iter()
            .zip(projection)
            .enumerate()
            .map(|(i, (&s, &p))| {
                let array = batch.column(i + extra);
                let canonical = match self.view {
                    View::Signals => s == profile,
                    View::Profiles => p == 1,
                };
                match (&self.canonical, canonical) {
                    (Some(map), true) => canonicalize(array, map),
                    _ => Arc::clone(array),
                }
            })
            .collect();
        let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
        Ok(RecordBatch::try_new_with_options(
            Arc::clone(schema),
            columns,
            &options,
        )?)
    }
}

#[async_trait]
impl TableProvider for WorkspaceTable {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    /// A single `kind = '…'` filter is applied exactly, in the scan (most zones are
    /// one kind's: their statistics prove it without comparing a row); every other
    /// filter only prunes, and applies above the scan.
    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> datafusion::error::Result<Vec<TableProviderFilterPushDown>> {
        let kinds: Vec<bool> = filters
            .iter()
            .map(|f| self.kind_filter(f).is_some())
            .collect();
        let single = kinds.iter().filter(|k| **k).count() == 1;
        Ok(kinds
            .into_iter()
            .map(|k| match k && single {
                true => TableProviderFilterPushDown::Exact,
                false => TableProviderFilterPushDown::Inexact,
            })
            .collect())
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        _limit: Option<usize>,
    ) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        let projection: Vec<usize> = match projection {
            Some(p) => p.clone(),
            None => (0..self.schema.fields().len()).collect(),
        };
        let projected = Arc::new(self.schema.project(&projection)?);
        // The kind filter `supports_filters_pushdown` made exact, if any.
        let kinds: Vec<String> = filters.iter().filter_map(|f| self.kind_filter(f)).collect();
        let owner = Owner {
            workspace: self.workspace,
            kind: (kinds.len() == 1).then(|| kinds[0].clone()),
        };
        // What is read: the workspace column (for the exact test), the kind column
        // when it is filtered on, then the outputs.
        let mut stored = vec![stored_index(WORKSPACE_COLUMN)];
        if owner.kind.is_some() {
            stored.push(stored_index(KIND_COLUMN));
        }
        let extra = stored.len();
        stored.extend(self.stored_columns(&projection));
        let read = Arc::new(hot_schema().project(&stored)?);
        let predicate = pruning_predicate(state, &self.pruning_filters(filters), &hot_schema());
        let segments = gather_hot(&self.segments, predicate, &read, stored.clone(), &owner).await?;
        let mut out = Vec::with_capacity(segments.len() + self.tail.len());
        for batch in &segments {
            out.push(self.output(batch, extra, &projection, &projected)?);
        }
        for batch in self.tail.iter() {
            // The tail is kept in the stored types; its text becomes views here.
            let picked = stored
                .iter()
                .map(|&c| to_query_type(batch.column(c)).map_err(DataFusionError::from))
                .collect::<Result<_, _>>()?;
            let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
            let batch = RecordBatch::try_new_with_options(Arc::clone(&read), picked, &options)?;
            if let Some(own) = own_rows(&batch, &owner)? {
                out.push(self.output(&own, extra, &projection, &projected)?);
            }
        }
        let partitions = spread(out, state.config().target_partitions().max(1));
        Ok(MemorySourceConfig::try_new_exec(
            &partitions,
            projected,
            None,
        )?)
    }
}

impl WorkspaceTable {
    /// The kind `filter` asks for, when it is `kind = '…'` on the `signals` view.
    fn kind_filter(&self, filter: &Expr) -> Option<String> {
        if !matches!(self.view, View::Signals) {
            return None;
        }
        let Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::Eq,
            right,
        }) = filter
        else {
            return None;
        };
        match (left.as_ref(), right.as_ref()) {
            (Expr::Column(c), Expr::Literal(v, _)) | (Expr::Literal(v, _), Expr::Column(c))
                if c.name == KIND_COLUMN =>
            {
                match v {
                    ScalarValue::Utf8(Some(k))
                    | ScalarValue::Utf8View(Some(k))
                    | ScalarValue::LargeUtf8(Some(k)) => Some(k.clone()),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The query's filters that can prune, plus the workspace. Filters on
    /// `profile_id` are left out: the view's value is the canonical profile, the
    /// statistics are of the profile attached at intake. (All filters still apply
    /// above the scan.)
    fn pruning_filters(&self, filters: &[Expr]) -> Vec<Expr> {
        let mut out = vec![col(WORKSPACE_COLUMN).eq(lit(self.workspace))];
        if matches!(self.view, View::Signals) {
            out.extend(
                filters
                    .iter()
                    .filter(|f| !f.column_refs().iter().any(|c| c.name == PROFILE_COLUMN))
                    .cloned(),
            );
        }
        out
    }
}

/// Each profile replaced by the one it was merged into.
fn canonicalize(array: &ArrayRef, map: &CanonicalMap) -> ArrayRef {
    let profiles = array.as_primitive::<Int64Type>();
    let mapped: Int64Array = profiles.unary(|p| map.get(&p).copied().unwrap_or(p));
    Arc::new(mapped)
}

fn stored_index(name: &str) -> usize {
    stored_schema()
        .index_of(name)
        .expect("the stored schema has the column")
}

/// The `signals` view's schema: the stored schema without the workspace.
pub(crate) fn signals_schema() -> SchemaRef {
    let fields = view_columns()
        .into_iter()
        .map(|(name, data_type, nullable)| Field::new(name, query_type(&data_type), nullable));
    Arc::new(Schema::new(fields.collect::<Vec<_>>()))
}
