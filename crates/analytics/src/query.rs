//! Running one user's SQL against one workspace: only read-only statements get
//! planned, the plan is checked again by DataFusion's `SQLOptions`, and the run
//! is bounded in time (and, for JSON output, in rows).

use std::sync::Arc;
use std::time::Duration;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::execution::context::SQLOptions;
use datafusion::prelude::{DataFrame, SessionContext};
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::Statement as SqlStatement;
use serde::Serialize;

use crate::error::{AnalyticsError, Result};

/// A query's answer as plain JSON values, ready for an API or a template.
#[derive(Debug, Clone, PartialEq, Serialize)]
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

/// Runs `frame` to completion within `timeout`. Logs (at trace level) how the time
/// split between physical planning and running.
pub async fn collect(frame: DataFrame, timeout: Duration) -> Result<QueryBatches> {
    let schema: SchemaRef = Arc::new(frame.schema().as_arrow().clone());
    let task = Arc::new(frame.task_ctx());
    let started = std::time::Instant::now();
    let work = async {
        let plan = frame.create_physical_plan().await?;
        let planned = started.elapsed();
        let batches = datafusion::physical_plan::collect(plan, task).await?;
        tracing::trace!(
            plan_ms = planned.as_secs_f64() * 1e3,
            run_ms = (started.elapsed() - planned).as_secs_f64() * 1e3,
            "query executed"
        );
        Ok::<_, datafusion::error::DataFusionError>(batches)
    };
    match tokio::time::timeout(timeout, work).await {
        Err(_) => Err(AnalyticsError::Timeout(timeout)),
        Ok(Err(e)) => Err(AnalyticsError::execution(e)),
        Ok(Ok(batches)) => Ok(QueryBatches { schema, batches }),
    }
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
