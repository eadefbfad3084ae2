//! One module per command; `run` dispatches.

pub mod apikey;
pub mod bench;
pub mod bench_dashboard;
pub mod demo;
pub mod import;
pub mod query;
pub mod serve;
pub mod spend;
pub mod understand;

use std::path::PathBuf;
use std::process::ExitCode;

use crate::args::{AnalyticsCommand, Cli, Command, ValueCommand};
use crate::settings::Settings;
use crate::{datadir, wiring};

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    datadir::private_umask();
    let listen = match &cli.command {
        Command::Serve(a) => a.listen,
        Command::Demo(a) => a.listen,
        _ => None,
    };
    let settings = Settings::resolve(&cli.global, listen)?;
    tracing::debug!(?settings, "settings resolved");
    // Held until the command returns: `serve` and `demo` keep it while they serve.
    let _lock = lock_data_dir(&cli.command, &settings)?;
    match cli.command {
        Command::Serve(_) => serve::run(&settings).await,
        Command::Demo(args) => demo::run(&settings, args).await,
        Command::Import(args) => import::run(&settings, args).await,
        Command::Query(args) => query::run(&settings, args).await,
        Command::ApiKey(cmd) => apikey::run(&settings, cmd).await,
        Command::Analytics(cmd) => analytics(&settings, cmd).await,
        Command::Reanalyze => reanalyze(&settings).await,
        Command::Bench(args) => bench::run(&settings, args).await,
        Command::Text(args) => understand::text(args),
        Command::Eval(cmd) => understand::eval(cmd),
        Command::Value(ValueCommand::Spend { file, workspace }) => {
            spend::run(&settings, &file, &workspace).await
        }
        Command::Value(cmd) => understand::value(cmd),
    }
}

/// Locks the data directory `command` opens, if it opens one.
fn lock_data_dir(
    command: &Command,
    settings: &Settings,
) -> anyhow::Result<Option<datadir::DataDirLock>> {
    let Some((dir, name)) = data_dir_use(command, settings) else {
        return Ok(None);
    };
    match datadir::lock(&dir, &name) {
        Ok(lock) => Ok(Some(lock)),
        Err(e) => match (command, e.downcast_ref::<datadir::Busy>()) {
            (Command::Query(_), Some(busy)) => Err(anyhow::anyhow!(
                "{busy}; to query a running server, use its POST /api/v1/query"
            )),
            _ => Err(e),
        },
    }
}

/// The data directory `command` opens, if any, and how the lock file names the command.
/// Commands that open the analytics copy always lock it (the copy lives in the data
/// dir whatever the backend); those that open only the store lock it when the store
/// is the SQLite file in it. `bench --dashboard|--sql --reuse DIR` opens DIR as a data dir.
fn data_dir_use(command: &Command, settings: &Settings) -> Option<(PathBuf, String)> {
    let sqlite = settings.database_url.is_none();
    let name = match command {
        Command::Serve(_) => "serve",
        Command::Demo(a) if a.export.is_none() => "demo",
        Command::Query(_) => "query",
        Command::Analytics(AnalyticsCommand::Rebuild) => "analytics rebuild",
        Command::Analytics(AnalyticsCommand::Refresh) => "analytics refresh",
        Command::Reanalyze => "reanalyze",
        Command::Import(_) if sqlite => "import",
        Command::ApiKey(_) if sqlite => "api-key create",
        Command::Value(ValueCommand::Spend { .. }) if sqlite => "value spend",
        Command::Bench(a) if a.dashboard || a.sql => {
            let dir = a.reuse.clone()?;
            let which = if a.sql { "--sql" } else { "--dashboard" };
            return Some((dir, format!("throughline bench {which} --reuse")));
        }
        _ => return None,
    };
    Some((settings.data_dir.clone(), format!("throughline {name}")))
}

async fn analytics(settings: &Settings, cmd: AnalyticsCommand) -> anyhow::Result<ExitCode> {
    let store = wiring::open_store(settings).await?;
    let copy = wiring::open_analytics(settings, store).await?;
    match cmd {
        AnalyticsCommand::Rebuild => {
            copy.rebuild().await?;
        }
        AnalyticsCommand::Refresh => {
            copy.refresh().await?;
            copy.flush().await?;
        }
    }
    let lag = copy.lag().await?;
    println!("{}", serde_json::to_string_pretty(&lag)?);
    Ok(ExitCode::SUCCESS)
}

/// Rebuilds the analytics copy (which re-analyses every text) with a progress bar.
async fn reanalyze(settings: &Settings) -> anyhow::Result<ExitCode> {
    let store = wiring::open_store(settings).await?;
    let total = store.high_water().await?.0.max(0) as u64;
    let copy = wiring::open_analytics(settings, store).await?;
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} signals {per_sec} eta {eta}")
    {
        bar.set_style(style);
    }
    let started = std::time::Instant::now();
    let work = tokio::spawn({
        let copy = copy.clone();
        async move { copy.rebuild().await }
    });
    while !work.is_finished() {
        bar.set_position(copy.pulled_high_water().max(0) as u64);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let stats = work.await??;
    bar.finish_and_clear();
    eprintln!(
        "re-analysed {} signals with {} in {:.1?}",
        stats.pulled,
        copy.text_analyzer().fingerprint(),
        started.elapsed()
    );
    Ok(ExitCode::SUCCESS)
}
