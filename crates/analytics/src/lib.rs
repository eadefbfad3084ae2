//! Throughline's analytics copy: every signal as Apache Arrow columnar data,
//! kept in Parquet segments plus an in-memory tail, following the system of
//! record off the write path; and an embedded, read-only SQL engine
//! (DataFusion) that answers for one workspace at a time.
//!
//! API boundary: this is the only crate that depends on DataFusion, Arrow or
//! Parquet. Callers hand it an `Arc<dyn Store>` and get plain structs back
//! (`QueryResult`, `Lag`, `RefreshStats`), or Arrow batches (`query_batches`)
//! for the analytics crates built on top.
//!
//! Architecture invariant: the copy is derived state. Deleting
//! `<data-dir>/analytics/` loses nothing; it is rebuilt from `signals_after(0)`.

mod batch;
mod canonical;
mod capped;
mod capped_calls;
mod columns;
mod config;
mod copy;
mod error;
mod folded;
mod hot;
mod hot_table;
mod json;
mod key_sort;
mod manifest;
mod pool;
mod positional_window;
mod property;
mod query;
mod refresh;
mod schema;
mod segments;
mod session;
mod snapshot;
mod text_columns;
mod utc_trunc;
mod warmup;
mod whole_input;
mod workspace_table;

pub use capped::ValueLimits;
pub use config::AnalyticsConfig;
pub use copy::{AnalyticsCopy, Lag};
pub use error::{AnalyticsError, Result};
pub use folded::Partial;
pub use manifest::{Manifest, Segment, MANIFEST_FILE};
pub use pool::Admission;
pub use query::{QueryBatches, QueryResult};
pub use refresh::RefreshStats;
pub use schema::{stored_schema, view_columns, SCHEMA_VERSION};
pub use text_columns::TextAnalyzer;
pub use warmup::{WarmStats, HOT_COLUMNS_FILE};

/// Arrow, re-exported so callers of `query_batches` use the same version.
pub use datafusion::arrow;
