//! `throughline demo`: generate the demo company into the store (or an NDJSON file),
//! create a key for it, and serve it.

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use std::process::ExitCode;
use std::time::Instant;
use throughline_demo::DemoConfig;
use throughline_domain::Signal;

use crate::args::DemoArgs;
use crate::settings::Settings;
use crate::{commands, wiring};

/// The workspace the demo company lives in.
pub const DEMO_WORKSPACE: &str = "demo";
const BATCH: usize = 10_000;

pub async fn run(settings: &Settings, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let config = DemoConfig {
        seed: args.seed,
        customers: args.customers,
        ..DemoConfig::default()
    };
    if let Some(path) = &args.export {
        let started = Instant::now();
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        let n = throughline_demo::write_ndjson(&config, std::io::BufWriter::new(file))?;
        eprintln!(
            "wrote {n} signals to {} in {:.1?}",
            path.display(),
            started.elapsed()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let store = wiring::open_store(settings).await?;
    let ws = store.ensure_workspace(DEMO_WORKSPACE).await?;
    if store.high_water().await?.0 > 0 {
        eprintln!("the data dir already holds data; skipping generation (delete it to regenerate)");
    } else {
        generate_into(store.as_ref(), ws.id, &config).await?;
    }
    let key = commands::apikey::create(store.as_ref(), DEMO_WORKSPACE).await?;
    eprintln!("demo workspace {DEMO_WORKSPACE:?} API key:\n{key}");
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    commands::serve::serve_store(settings, store, Some(ws.id)).await?;
    Ok(ExitCode::SUCCESS)
}

/// Streams the generator into the store in batches; generation runs on its own
/// thread so it overlaps with writing.
pub async fn generate_into(
    store: &dyn throughline_store::Store,
    workspace: throughline_domain::WorkspaceId,
    config: &DemoConfig,
) -> anyhow::Result<u64> {
    let started = Instant::now();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Signal>>(4);
    let cfg = config.clone();
    let generator = std::thread::spawn(move || {
        let mut batch = Vec::with_capacity(BATCH);
        let mut tally = throughline_demo::AcquisitionTally::default();
        throughline_demo::generate(&cfg, |signal| {
            tally.observe(&signal);
            batch.push(signal);
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                let _ = tx.blocking_send(full);
            }
        });
        if !batch.is_empty() {
            let _ = tx.blocking_send(batch);
        }
        tally.spend(cfg.seed)
    });
    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template(
        "{spinner} {pos} signals {per_sec} {elapsed}",
    )?);
    let policy = throughline_domain::IdentityPolicy::default();
    let mut written = 0u64;
    while let Some(batch) = rx.recv().await {
        let outcome = store.ingest(workspace, &batch, &policy).await?;
        written += outcome.accepted as u64;
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    let spend = generator
        .join()
        .map_err(|_| anyhow::anyhow!("the demo generator panicked"))?;
    store.put_acquisition_spend(workspace, &spend).await?;
    eprintln!(
        "generated the demo company: {written} signals and {} months × channels of acquisition spend in {:.1?}",
        spend.len(),
        started.elapsed()
    );
    Ok(written)
}
