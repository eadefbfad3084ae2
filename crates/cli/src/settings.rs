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
