//! Running one user's SQL against one workspace: only read-only statements get
//! planned, the plan is checked again by DataFusion's `SQLOptions`, and the run
//! is bounded in time (and, for JSON output, in rows).

use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::execution::context::SQLOptions;
use datafusion::physical_plan::coop::CooperativeExec;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::{DataFrame, SessionContext};
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::Statement as SqlStatement;
use futures::StreamExt;
use serde::Serialize;

use crate::error::{AnalyticsError, Result};

/// A query's answer as plain JSON values, ready for an API or a template.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<serde_json::Value>>,
    /// Rows returned (`rows.len()`).
    pub row_count: usize,
    /// True when the query had more rows than the JSON row limit.
    pub truncated: bool,
}

/// A query's answer as Arrow data, for the analytics crates built on this one.
#[derive(Debug, Clone)]
pub struct QueryBatches {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
}

impl QueryBatches {
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// Plans `sql` in `ctx` if, and only if, it is a read-only query.
pub async fn plan_read_only(ctx: &SessionContext, sql: &str) -> Result<DataFrame> {
    let state = ctx.state();
    let dialect = state.config().options().sql_parser.dialect;
    let statement = state
        .sql_to_statement(sql, &dialect)
        .map_err(AnalyticsError::planning)?;
    check_read_only(&statement)?;
    check_expression_size(&statement)?;
    let plan = state
        .statement_to_plan(statement)
        .await
        .map_err(AnalyticsError::planning)?;
    // Defence in depth: `SELECT … INTO t` parses as a query but plans as DDL.
    let options = SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false);
    options.verify_plan(&plan).map_err(|e| {
        AnalyticsError::Forbidden(format!("{}; only read-only queries may run", e.find_root()))
    })?;
    ctx.execute_logical_plan(plan)
        .await
        .map_err(AnalyticsError::planning)
}

/// Deepest expression nesting accepted (`a OR b OR …` nests one level a term).
/// DataFusion plans a chain of n terms in time that grows faster than n²
/// (`1+1+…+1`: 400 terms 1.3 s, 800 terms 8.5 s in a debug build), so depth is
/// bounded here, before planning, where a refusal costs nothing.
pub const MAX_EXPRESSION_DEPTH: usize = 1_100;
/// Most expression nodes in one statement, all expressions together.
pub const MAX_EXPRESSION_NODES: usize = 20_000;

fn check_expression_size(statement: &DfStatement) -> Result<()> {
    use datafusion::sql::sqlparser::ast::{Expr, Visit, Visitor};
    use std::ops::ControlFlow;

    #[derive(Default)]
    struct Size {
        depth: usize,
        deepest: usize,
        nodes: usize,
    }
    impl Visitor for Size {
        type Break = ();
        fn pre_visit_expr(&mut self, _: &Expr) -> ControlFlow<()> {
            self.depth += 1;
            self.nodes += 1;
            self.deepest = self.deepest.max(self.depth);
            // Stop at once: the rest of a deep tree need not be walked.
            if self.deepest > MAX_EXPRESSION_DEPTH || self.nodes > MAX_EXPRESSION_NODES {
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
        fn post_visit_expr(&mut self, _: &Expr) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
    }
    let mut size = Size::default();
    let walked = match statement {
        DfStatement::Statement(s) => s.visit(&mut size),
        DfStatement::Explain(e) => match e.statement.as_ref() {
            DfStatement::Statement(s) => s.visit(&mut size),
            _ => ControlFlow::Continue(()),
        },
        _ => ControlFlow::Continue(()),
    };
    if walked.is_continue() {
        return Ok(());
    }
    Err(AnalyticsError::TooLarge(
        if size.deepest > MAX_EXPRESSION_DEPTH {
            format!(
                "an expression nests more than {MAX_EXPRESSION_DEPTH} levels deep (a chain of \
             that many terms); split it, or use IN (…) for a list of values"
            )
        } else {
            format!(
                "the query has more than {MAX_EXPRESSION_NODES} expression terms; split it into \
             smaller queries"
            )
        },
    ))
}

fn check_read_only(statement: &DfStatement) -> Result<()> {
    let refused = match statement {
        DfStatement::Statement(s) => match s.as_ref() {
            SqlStatement::Query(_) => return Ok(()),
            SqlStatement::Explain { statement, .. } => {
                return check_read_only(&DfStatement::Statement(statement.clone()))
            }
            other => leading_keyword(&other.to_string()),
        },
        DfStatement::Explain(explain) => return check_read_only(&explain.statement),
        DfStatement::CreateExternalTable(_) => "CREATE EXTERNAL TABLE".to_string(),
        DfStatement::CopyTo(_) => "COPY".to_string(),
        DfStatement::Reset(_) => "RESET".to_string(),
    };
    Err(AnalyticsError::Forbidden(format!(
        "{refused} is not a read-only query; only SELECT, WITH … SELECT and EXPLAIN may run here"
    )))
}

/// The statement's leading keyword (`CREATE`, `INSERT`, `SET`), for the message.
fn leading_keyword(sql: &str) -> String {
    match sql.split_whitespace().next() {
        Some(word) if word.chars().all(|c| c.is_ascii_alphabetic()) => word.to_ascii_uppercase(),
        _ => "this statement".to_string(),
    }
}

/// `plan` with every operator's output made cooperative: after a budget of batches
/// it yields to the runtime. DataFusion does this only above scans, but a cross
/// join emits billions of rows from one build without pulling from a scan again,
/// and a task that never yields can neither share its threads with other queries
/// nor be stopped at its deadline (`pool.rs` aborts it at its next yield).
fn yielding(plan: Arc<dyn ExecutionPlan>) -> Result<Arc<dyn ExecutionPlan>> {
    let wrapped = plan
        .transform_up(|node| {
            if node.name() == CooperativeExec::static_name() {
                return Ok(Transformed::no(node));
            }
            let node: Arc<dyn ExecutionPlan> = Arc::new(CooperativeExec::new(node));
            Ok(Transformed::yes(node))
        })
        .map_err(AnalyticsError::execution)?;
    Ok(wrapped.data)
}

/// Refuses SQL longer than `max_bytes` before it is parsed: the parser and the
/// planner take time and memory in proportion to it.
pub fn check_sql_size(sql: &str, max_bytes: usize) -> Result<()> {
    if sql.len() > max_bytes {
        return Err(AnalyticsError::TooLarge(format!(
            "the SQL text is {} bytes; the limit is {max_bytes}",
            sql.len()
        )));
    }
    Ok(())
}

/// Runs `frame` to completion, refusing an answer larger than `max_bytes` as
/// soon as it passes that (batches are counted as they arrive, not at the end).
/// The caller bounds the time (`pool.rs`). Logs (at trace level) how the time
/// split between physical planning and running.
pub async fn collect(frame: DataFrame, max_bytes: usize) -> Result<QueryBatches> {
    let schema: SchemaRef = Arc::new(frame.schema().as_arrow().clone());
    let task = Arc::new(frame.task_ctx());
    let started = std::time::Instant::now();
    let plan = frame
        .create_physical_plan()
        .await
        .map_err(AnalyticsError::execution)?;
    let plan = yielding(plan)?;
    let planned = started.elapsed();
    let mut stream =
        datafusion::physical_plan::execute_stream(plan, task).map_err(AnalyticsError::execution)?;
    let mut batches = Vec::new();
    let mut bytes = 0usize;
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(AnalyticsError::execution)?;
        bytes += batch
            .columns()
            .iter()
            .map(|c| crate::capped::array_bytes(c.as_ref()))
            .sum::<usize>();
        if bytes > max_bytes {
            return Err(AnalyticsError::TooLarge(format!(
                "the answer is larger than {} MiB; add a LIMIT, select fewer columns or aggregate",
                max_bytes >> 20
            )));
        }
        batches.push(batch);
    }
    tracing::trace!(
        plan_ms = planned.as_secs_f64() * 1e3,
        run_ms = (started.elapsed() - planned).as_secs_f64() * 1e3,
        "query executed"
    );
    Ok(QueryBatches { schema, batches })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_keyword_names_the_statement() {
        assert_eq!(leading_keyword("INSERT INTO signals VALUES (1)"), "INSERT");
        assert_eq!(leading_keyword("drop table x"), "DROP");
        assert_eq!(leading_keyword("SET x = 1"), "SET");
        assert_eq!(leading_keyword("(weird"), "this statement");
    }
}
