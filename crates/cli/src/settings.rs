//! Layered settings: defaults < config file < `THROUGHLINE_*` env < flags.
//! Clap already folds env under flags; this module folds the file under both.
//! Only the composition root reads configuration.

use anyhow::Context;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::args::GlobalArgs;

/// The config file's shape. Every field is optional: absent means "default".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<SocketAddr>,
    #[serde(default)]
    pub identity: IdentitySettings,
    #[serde(default)]
    pub intake: IntakeSettings,
    #[serde(default)]
    pub ui: UiSettings,
    #[serde(default)]
    pub text: TextSettings,
    #[serde(default)]
    pub dashboard: DashboardFileSettings,
    #[serde(default)]
    pub value: ValueFileSettings,
    #[serde(default)]
    pub analytics: AnalyticsFileSettings,
}

/// `[analytics]`: the columnar copy and its query engine.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsFileSettings {
    /// MiB of segment columns kept decoded in memory between queries (default 4096;
    /// 0 reads every query from the Parquet files).
    pub hot_cache_mib: Option<usize>,
    /// MiB of dashboard answers kept folded per segment prefix, so a recomputation
    /// after new signals reads only the new rows (default 512; 0 keeps none).
    pub fold_memo_mib: Option<usize>,
    /// Seconds a query may run before it is stopped (default 30).
    pub query_timeout_secs: Option<u64>,
    /// Ad-hoc queries running at once on the server (default 4)…
    pub max_queries: Option<usize>,
    /// …and per workspace (default 2).
    pub max_queries_per_workspace: Option<usize>,
    /// MiB all running queries' joins, sorts and aggregates may hold together (default 1024).
    pub query_memory_mib: Option<usize>,
}

/// `[value]`: how customer value is computed (defaults in brackets).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueFileSettings {
    /// CLV horizon in weeks [156].
    pub horizon_weeks: Option<f64>,
    /// Discount rate per month [0.01].
    pub monthly_discount: Option<f64>,
    /// Share of revenue that is margin, 0–1 [1: CLV as revenue].
    pub margin: Option<f64>,
    /// Churn probability at and above which a customer is "at high risk" [0.15].
    pub high_risk: Option<f64>,
    /// Days after the training cutoff in which a cancellation counts as churn [182].
    pub churn_window_days: Option<u32>,
}

impl ValueFileSettings {
    /// The dashboard's value settings with these overrides, each checked for range.
    pub fn apply(
        &self,
        mut v: throughline_dashboard::ValueSettings,
    ) -> anyhow::Result<throughline_dashboard::ValueSettings> {
        let check = |name: &str, value: f64, ok: bool| -> anyhow::Result<f64> {
            anyhow::ensure!(
                ok && value.is_finite(),
                "[value] {name} = {value} is out of range"
            );
            Ok(value)
        };
        if let Some(h) = self.horizon_weeks {
            v.horizon_weeks = check("horizon_weeks", h, h > 0.0 && h <= 520.0)?;
        }
        if let Some(d) = self.monthly_discount {
            v.monthly_discount = check("monthly_discount", d, (0.0..1.0).contains(&d))?;
        }
        if let Some(m) = self.margin {
            v.margin = check("margin", m, m > 0.0 && m <= 1.0)?;
        }
        if let Some(r) = self.high_risk {
            v.high_risk = check("high_risk", r, r > 0.0 && r < 1.0)?;
        }
        if let Some(w) = self.churn_window_days {
            anyhow::ensure!(
                (30..=730).contains(&w),
                "[value] churn_window_days = {w} is out of range (30–730)"
            );
            v.churn_window_days = w;
        }
        Ok(v)
    }
}

/// `[ui]`: the dashboard pages.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiSettings {
    /// Serve the pages to other machines too. They have no login yet: off by default.
    #[serde(default)]
    pub open: bool,
    /// The workspace `/` shows (default `demo`).
    pub workspace: Option<String>,
}

/// `[text]`: the text analyser.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextSettings {
    /// A taxonomy TOML file replacing the shipped default (see crates/text/README.md).
    pub taxonomy: Option<PathBuf>,
    /// Workspaces (names, or `"*"` for all) whose texts have PII redacted at intake,
    /// so the original text is never stored.
    #[serde(default)]
    pub redact_pii: Vec<String>,
}

/// `[dashboard]`: what the service KPIs mean here.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashboardFileSettings {
    /// Days within which a second contact means the first was not resolved (default 7).
    pub fcr_window_days: Option<u32>,
    /// First-response SLA in hours (default 24).
    pub first_response_sla_hours: Option<f64>,
    /// Profile properties offered in Explore's "by" menu (default `["segment", "tier"]`).
    pub segment_properties: Option<Vec<String>>,
    /// Seconds an overview may lag new signals while it is recomputed in the
    /// background (default 30; 0 always waits for fresh figures).
    pub overview_max_stale_secs: Option<u64>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentitySettings {
    /// Identities (normalised values) that must never link profiles.
    #[serde(default)]
    pub deny: Vec<String>,
    /// Extra shared mailbox local parts (`info`, `support`, … are built in).
    #[serde(default)]
    pub shared_local_parts: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeSettings {
    pub max_body_bytes: Option<usize>,
    pub max_records: Option<usize>,
}

/// The resolved settings every command runs with.
pub struct Settings {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub listen: SocketAddr,
    pub identity: IdentitySettings,
    pub intake: IntakeSettings,
    pub ui: UiSettings,
    pub text: TextSettings,
    pub dashboard: DashboardFileSettings,
    pub value: throughline_dashboard::ValueSettings,
    pub analytics: AnalyticsFileSettings,
}

impl std::fmt::Debug for Settings {
    // The database URL may hold a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "<redacted>"),
            )
            .field("listen", &self.listen)
            .field("identity", &self.identity)
            .field("intake", &self.intake)
            .field("ui", &self.ui)
            .field("text", &self.text)
            .field("dashboard", &self.dashboard)
            .field("value", &self.value)
            .field("analytics", &self.analytics)
            .finish()
    }
}

pub const DEFAULT_DATA_DIR: &str = "./throughline-data";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl Settings {
    pub fn resolve(global: &GlobalArgs, listen_flag: Option<SocketAddr>) -> anyhow::Result<Self> {
        let file = match &global.config {
            Some(path) => read_file(path)?,
            None => FileSettings::default(),
        };
        let default_listen: SocketAddr =
            DEFAULT_LISTEN.parse().context("default listen address")?;
        Ok(Settings {
            data_dir: global
                .data_dir
                .clone()
                .or(file.data_dir)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
            database_url: global.database_url.clone().or(file.database_url),
            listen: listen_flag.or(file.listen).unwrap_or(default_listen),
            identity: file.identity,
            intake: file.intake,
            ui: file.ui,
            text: file.text,
            dashboard: file.dashboard,
            value: file.value.apply(Default::default())?,
            analytics: file.analytics,
        })
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileSettings> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
}

pub fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("THROUGHLINE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_limits_come_from_the_analytics_section() {
        let file: FileSettings = toml::from_str(
            "[analytics]\nquery_timeout_secs = 5\nmax_queries = 8\nmax_queries_per_workspace = 1\n",
        )
        .unwrap();
        assert_eq!(file.analytics.query_timeout_secs, Some(5));
        assert_eq!(file.analytics.max_queries, Some(8));
        assert_eq!(file.analytics.max_queries_per_workspace, Some(1));
        assert!(toml::from_str::<FileSettings>("[analytics]\nmax_query = 1\n").is_err());
    }

    #[test]
    fn value_settings_override_defaults_and_reject_nonsense() {
        let file: FileSettings =
            toml::from_str("[value]\nmargin = 0.4\nhorizon_weeks = 104\nhigh_risk = 0.25\n")
                .unwrap();
        let v = file.value.apply(Default::default()).unwrap();
        assert_eq!((v.margin, v.horizon_weeks, v.high_risk), (0.4, 104.0, 0.25));
        assert_eq!(
            v.churn_window_days, 182,
            "untouched fields keep their default"
        );
        for bad in [
            "margin = 1.5",
            "high_risk = 0",
            "monthly_discount = -0.1",
            "churn_window_days = 5",
        ] {
            let file: FileSettings = toml::from_str(&format!("[value]\n{bad}\n")).unwrap();
            let err = file
                .value
                .apply(Default::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains("[value]"), "{bad}: {err}");
        }
        assert!(
            toml::from_str::<FileSettings>("[value]\nmargn = 0.4\n").is_err(),
            "typos are errors"
        );
    }
}
