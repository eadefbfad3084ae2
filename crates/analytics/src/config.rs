//! The knobs of the analytics copy, with defaults sized for one modest machine.

use std::time::Duration;

use crate::capped::ValueLimits;
use crate::pool::Admission;
use crate::text_columns::TextAnalyzer;

#[derive(Debug, Clone)]
pub struct AnalyticsConfig {
    /// Rows asked of `Store::signals_after` per call.
    pub pull_chunk: usize,
    /// The in-memory tail is written out as a Parquet segment once it holds this many rows.
    pub tail_max_rows: usize,
    /// Segments with fewer rows than this are "small" and get merged together…
    pub compact_below_rows: u64,
    /// …once there are at least this many of them.
    pub compact_min_segments: usize,
    /// Most rows `query` returns as JSON; beyond this the result is `truncated`.
    pub max_json_rows: usize,
    /// A query running longer than this is cancelled.
    pub query_timeout: Duration,
    /// Longest SQL text accepted.
    pub max_sql_bytes: usize,
    /// Largest answer of an ad-hoc query (`query`), as Arrow data in memory.
    pub max_answer_bytes: usize,
    /// What functions that build values (`repeat`, `lpad`, `range` …) may build.
    pub value_limits: ValueLimits,
    /// Ad-hoc queries running at once, in all and per workspace.
    pub admission: Admission,
    /// Memory a query's operators (joins, sorts, aggregates) may hold at once.
    pub query_memory_bytes: usize,
    /// Memory for segment columns kept decoded between queries (the hot column
    /// cache); 0 reads every query straight from the Parquet files.
    pub hot_cache_bytes: usize,
    /// Memory for answers kept folded per segment prefix (`query_folded`), so
    /// that a recomputation after new signals reads only the new rows.
    pub fold_memo_bytes: usize,
    /// Rows per zone of a kept column: the hot cache keeps min/max/null counts per
    /// zone and hands a query only the zones its filters may match.
    pub zone_rows: usize,
    /// How long a segment replaced by compaction or a rebuild stays on disk, so
    /// that queries already planned against it can finish. Keep it above
    /// `query_timeout`.
    pub retire_grace: Duration,
    /// The text analyser (rules + taxonomy) whose results the copy keeps.
    pub text: TextAnalyzer,
}

impl Default for AnalyticsConfig {
    fn default() -> Self {
        Self {
            pull_chunk: 10_000,
            tail_max_rows: 256 * 1024,
            compact_below_rows: 64 * 1024,
            compact_min_segments: 4,
            max_json_rows: 10_000,
            query_timeout: Duration::from_secs(30),
            max_sql_bytes: 64 * 1024,
            max_answer_bytes: 64 << 20,
            value_limits: ValueLimits::default(),
            admission: Admission::default(),
            query_memory_bytes: 1 << 30,
            hot_cache_bytes: 4 << 30,
            fold_memo_bytes: 512 << 20,
            zone_rows: 4096,
            retire_grace: Duration::from_secs(120),
            text: TextAnalyzer::default(),
        }
    }
}
