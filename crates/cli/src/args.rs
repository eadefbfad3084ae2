//! The command line as clap parses it: flags only. `settings` turns it into a plan.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Throughline: experience management in one binary.
#[derive(Debug, Parser)]
#[command(name = "throughline", version)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Directory for the embedded SQLite database and the analytics copy.
    #[arg(long, global = true, env = "THROUGHLINE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Use PostgreSQL as the system of record instead of the embedded SQLite file.
    #[arg(
        long,
        global = true,
        env = "THROUGHLINE_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// A TOML config file (defaults < file < THROUGHLINE_* env < flags).
    #[arg(long, global = true, env = "THROUGHLINE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log as JSON lines instead of human-readable text.
    #[arg(long, global = true, env = "THROUGHLINE_LOG_JSON")]
    pub log_json: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API.
    Serve(ServeArgs),
    /// Generate the demo company into the data dir, then serve it.
    Demo(DemoArgs),
    /// Import signals from a CSV or NDJSON file.
    Import(ImportArgs),
    /// Run read-only SQL over a workspace's analytics copy.
    Query(QueryArgs),
    /// Manage API keys.
    #[command(subcommand)]
    ApiKey(ApiKeyCommand),
    /// Manage the analytics copy.
    #[command(subcommand)]
    Analytics(AnalyticsCommand),
    /// Re-run text analysis (sentiment, themes, …) over every stored signal, e.g.
    /// after changing the taxonomy (`[text] taxonomy` in the config file).
    Reanalyze,
    /// Measure intake throughput and demo generation (prints medians).
    Bench(BenchArgs),
    /// Analyse one text: sentiment, themes, emotion, effort, intent, language, PII.
    Text(TextArgs),
    /// Evaluate an analyser against labelled data.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Customer-value models.
    #[command(subcommand)]
    Value(ValueCommand),
}

#[derive(Debug, Args)]
pub struct TextArgs {
    /// The text to analyse.
    pub text: String,
    /// Print the full analysis as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Sentiment against a CSV with a header and columns `text` and `score` (any scale
    /// symmetric around 0) or `label` (negative / neutral / positive).
    Sentiment {
        file: PathBuf,
        /// Print n, pearson_r, accuracy_3class, macro_f1 as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ValueCommand {
    /// Fit BG/NBD and Gamma-Gamma on purchases (`customer_id,date,amount`) or
    /// per-customer summaries (`frequency,recency,T[,monetary_value]`).
    Fit {
        file: PathBuf,
        /// Last day of the calibration window (purchase files), YYYY-MM-DD.
        #[arg(long)]
        calibration_end: Option<String>,
        /// Unit of recency and T: week (the published CDNOW convention) or day.
        #[arg(long, default_value = "week")]
        period: String,
        /// Print r, alpha, a, b, log_likelihood, p, q, v and standard errors as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Import acquisition spend (CSV with a header: `channel,campaign,month,amount,currency`;
    /// `campaign` may be empty or absent, `month` is YYYY-MM). A row with the same channel,
    /// campaign, month and currency as a stored one replaces it. Bad rows are listed with
    /// their line and reason and the exit code is 2; good rows are kept.
    Spend {
        file: PathBuf,
        #[arg(long, default_value = "default")]
        workspace: String,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "THROUGHLINE_LISTEN")]
    pub listen: Option<SocketAddr>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[arg(long, default_value_t = 50_000)]
    pub customers: usize,
    /// Only generate; do not serve.
    #[arg(long)]
    pub no_serve: bool,
    /// Write the demo's signals to this NDJSON file instead of the store.
    #[arg(long)]
    pub export: Option<PathBuf>,
    #[arg(long, env = "THROUGHLINE_LISTEN")]
    pub listen: Option<SocketAddr>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FileFormatArg {
    Csv,
    Ndjson,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to import (.csv, .ndjson, .jsonl).
    pub file: PathBuf,
    /// The workspace to import into (created if missing).
    #[arg(long, default_value = "default")]
    pub workspace: String,
    /// Override the format guessed from the extension.
    #[arg(long, value_enum)]
    pub format: Option<FileFormatArg>,
    /// Map a wire field to a source column: --map customer.email=Email
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub maps: Vec<String>,
    /// Give a wire field a constant value: --set source=shop
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub sets: Vec<String>,
    /// A TOML mapping file with [columns] and [constants].
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Where rejected rows go (default: FILE.rejects.csv / .ndjson next to FILE).
    #[arg(long)]
    pub rejects: Option<PathBuf>,
    /// Records per write transaction (larger batches amortise each commit's index
    /// page writes; 1..=100000).
    #[arg(long, default_value_t = crate::commands::import::DEFAULT_BATCH)]
    pub batch_size: usize,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The SQL, e.g. "SELECT kind, count(*) FROM signals GROUP BY kind".
    pub sql: String,
    #[arg(long, default_value = "default")]
    pub workspace: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key for a workspace (created if missing); the key is the last line printed.
    Create {
        #[arg(long)]
        workspace: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AnalyticsCommand {
    /// Drop the analytics copy and rebuild it from the system of record.
    Rebuild,
    /// Bring the analytics copy up to date and write it to Parquet.
    Refresh,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Repetitions per figure (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Signals for the HTTP intake figure.
    #[arg(long, default_value_t = 1_000_000)]
    pub http_signals: usize,
    /// Customers in the generated company used for the file import figure.
    #[arg(long, default_value_t = 50_000)]
    pub customers: usize,
    /// Also measure PostgreSQL: a URL, or `temp` for a throw-away cluster started
    /// from the machine's binaries (`initdb`, `pg_ctl`), a fresh database per run.
    #[arg(long)]
    pub postgres: Option<String>,
    /// Measure the dashboard instead: the executive overview's server time and an
    /// NPS-by-month-by-channel query (beside DuckDB when Python's `duckdb` is installed).
    #[arg(long)]
    pub dashboard: bool,
    /// Measure ad-hoc SQL instead: six queries (NPS by month and channel, CSAT by
    /// brand, a 4-step funnel, directly-follows pairs, the README's two examples) through
    /// `POST /api/v1/query` on an in-process server, warm (median, p90), the first call
    /// after a start's warm-up and the first before it, beside DuckDB on the same rows
    /// (2 threads) when Python's `duckdb` is installed, with the ratio and whether the
    /// answers are identical.
    #[arg(long, conflicts_with = "dashboard")]
    pub sql: bool,
    /// Survey responses for `--dashboard` / `--sql`.
    #[arg(long, default_value_t = 2_000_000)]
    pub responses: usize,
    /// Web/app events for `--dashboard` (default 10 000 000) / `--sql` (default 5 000 000).
    #[arg(long)]
    pub events: Option<usize>,
    /// Timed repetitions per dashboard / SQL figure (percentiles are reported).
    #[arg(long, default_value_t = 50)]
    pub queries: usize,
    /// With `--dashboard` / `--sql`: load the demo company (`--customers` of them) instead of synthetic
    /// responses and events, so the figures are for real-looking data of every kind.
    #[arg(long)]
    pub demo: bool,
    /// With `--dashboard` / `--sql`: keep the generated data directory (printed at the end) instead
    /// of deleting it, to serve or query the same data afterwards (`--data-dir DIR`).
    #[arg(long)]
    pub keep: bool,
    /// With `--dashboard` / `--sql`: measure a data directory left by an earlier `--keep` run
    /// instead of generating one (its copy is refreshed, not rebuilt; the directory is kept).
    #[arg(long, value_name = "DIR")]
    pub reuse: Option<std::path::PathBuf>,
}
