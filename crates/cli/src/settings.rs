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
