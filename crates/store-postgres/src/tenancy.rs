//! Workspaces and the API keys that open them.

use throughline_domain::WorkspaceId;
use throughline_store::{StoreError, Workspace};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

pub(crate) async fn ensure_workspace(client: &Client, name: &str) -> Result<Workspace, StoreError> {
    client
        .execute(
            "INSERT INTO workspaces (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
            &[&name],
        )
        .await
        .map_err(StoreError::backend)?;
    workspace_by_name(client, name)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("workspace {name:?}")))
}

pub(crate) async fn workspace_by_name(
    client: &Client,
    name: &str,
) -> Result<Option<Workspace>, StoreError> {
    let row = client
        .query_opt("SELECT id, name FROM workspaces WHERE name = $1", &[&name])
        .await
        .map_err(StoreError::backend)?;
    Ok(row.map(|r| Workspace {
        id: WorkspaceId(r.get(0)),
        name: r.get(1),
    }))
}

pub(crate) async fn workspaces(client: &Client) -> Result<Vec<Workspace>, StoreError> {
    let rows = client
        .query("SELECT id, name FROM workspaces ORDER BY name", &[])
        .await
        .map_err(StoreError::backend)?;
    Ok(rows
        .iter()
        .map(|r| Workspace {
            id: WorkspaceId(r.get(0)),
            name: r.get(1),
        })
        .collect())
}

pub(crate) async fn workspace(
    client: &Client,
    id: WorkspaceId,
) -> Result<Option<Workspace>, StoreError> {
    let row = client
        .query_opt("SELECT id, name FROM workspaces WHERE id = $1", &[&id.0])
        .await
        .map_err(StoreError::backend)?;
    Ok(row.map(|r| Workspace {
        id: WorkspaceId(r.get(0)),
        name: r.get(1),
    }))
}

pub(crate) async fn add_api_key(
    client: &Client,
    workspace: WorkspaceId,
    digest: &str,
    prefix: &str,
) -> Result<(), StoreError> {
    let inserted = client
        .execute(
            "INSERT INTO api_keys (digest, workspace_id, prefix, created_at_us) \
             VALUES ($1, $2, $3, $4)",
            &[&digest, &workspace.0, &prefix, &crate::now_us()],
        )
        .await;
    match inserted {
        Ok(_) => Ok(()),
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => Err(StoreError::Conflict(
            "an api key with this digest already exists".into(),
        )),
        Err(e) if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
            Err(StoreError::NotFound(format!("workspace {workspace}")))
        }
        Err(e) => Err(StoreError::backend(e)),
    }
}

pub(crate) async fn workspace_for_key(
    client: &Client,
    digest: &str,
) -> Result<Option<WorkspaceId>, StoreError> {
    let row = client
        .query_opt(
            "SELECT workspace_id FROM api_keys WHERE digest = $1",
            &[&digest],
        )
        .await
        .map_err(StoreError::backend)?;
    Ok(row.map(|r| WorkspaceId(r.get(0))))
}
