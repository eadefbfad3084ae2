//! `throughline api-key create`: a new workspace key, shown once, stored as a digest.

use anyhow::Context;
use rand::TryRngCore;
use std::process::ExitCode;
use throughline_domain::apikey;

use crate::args::ApiKeyCommand;
use crate::settings::Settings;
use crate::wiring;

pub async fn run(settings: &Settings, cmd: ApiKeyCommand) -> anyhow::Result<ExitCode> {
    let ApiKeyCommand::Create { workspace } = cmd;
    let store = wiring::open_store(settings).await?;
    let key = create(store.as_ref(), &workspace).await?;
    eprintln!("workspace {workspace:?}: new API key (shown once; only its digest is stored):");
    println!("{key}");
    Ok(ExitCode::SUCCESS)
}

/// Creates the workspace if needed and a fresh key for it; returns the key.
pub async fn create(
    store: &dyn throughline_store::Store,
    workspace: &str,
) -> anyhow::Result<String> {
    let ws = store.ensure_workspace(workspace).await?;
    let mut random = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut random)
        .context("the operating system gave no random bytes for the key")?;
    let key = apikey::format_key(random);
    store
        .add_api_key(ws.id, &apikey::digest(&key), &apikey::display_prefix(&key))
        .await?;
    Ok(key)
}
