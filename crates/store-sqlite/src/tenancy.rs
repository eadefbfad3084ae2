//! Workspaces and the API keys that open them.

use rusqlite::{params, Connection, ErrorCode, OptionalExtension};
use throughline_domain::WorkspaceId;
use throughline_store::{StoreError, Workspace};

pub(crate) fn ensure_workspace(conn: &Connection, name: &str) -> Result<Workspace, StoreError> {
    conn.execute(
        "INSERT INTO workspaces (name) VALUES (?1) ON CONFLICT (name) DO NOTHING",
        [name],
    )
    .map_err(StoreError::backend)?;
    workspace_by_name(conn, name)?
        .ok_or_else(|| StoreError::NotFound(format!("workspace {name:?}")))
}

pub(crate) fn workspaces(conn: &Connection) -> Result<Vec<Workspace>, StoreError> {
    let mut stmt = conn
        .prepare("SELECT id, name FROM workspaces ORDER BY name")
        .map_err(StoreError::backend)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Workspace {
                id: WorkspaceId(r.get(0)?),
                name: r.get(1)?,
            })
        })
        .map_err(StoreError::backend)?;
    rows.collect::<Result<Vec<_>, _>>()
        .map_err(StoreError::backend)
}

pub(crate) fn workspace_by_name(
    conn: &Connection,
    name: &str,
) -> Result<Option<Workspace>, StoreError> {
    conn.query_row(
        "SELECT id, name FROM workspaces WHERE name = ?1",
        [name],
        |r| {
            Ok(Workspace {
                id: WorkspaceId(r.get(0)?),
                name: r.get(1)?,
            })
        },
    )
    .optional()
    .map_err(StoreError::backend)
}

pub(crate) fn workspace(
    conn: &Connection,
    id: WorkspaceId,
) -> Result<Option<Workspace>, StoreError> {
    conn.query_row(
        "SELECT id, name FROM workspaces WHERE id = ?1",
        [id.0],
        |r| {
            Ok(Workspace {
                id: WorkspaceId(r.get(0)?),
                name: r.get(1)?,
            })
        },
    )
    .optional()
    .map_err(StoreError::backend)
}

pub(crate) fn add_api_key(
    conn: &Connection,
    workspace: WorkspaceId,
    digest: &str,
    prefix: &str,
) -> Result<(), StoreError> {
    if self::workspace(conn, workspace)?.is_none() {
        return Err(StoreError::NotFound(format!("workspace {workspace}")));
    }
    let inserted = conn.execute(
        "INSERT INTO api_keys (digest, workspace_id, prefix, created_at_us) VALUES (?1, ?2, ?3, ?4)",
        params![digest, workspace.0, prefix, crate::now_us()],
    );
    match inserted {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::ConstraintViolation => {
            Err(StoreError::Conflict(
                "an api key with this digest already exists".into(),
            ))
        }
        Err(e) => Err(StoreError::backend(e)),
    }
}

pub(crate) fn workspace_for_key(
    conn: &Connection,
    digest: &str,
) -> Result<Option<WorkspaceId>, StoreError> {
    conn.query_row(
        "SELECT workspace_id FROM api_keys WHERE digest = ?1",
        [digest],
        |r| r.get(0).map(WorkspaceId),
    )
    .optional()
    .map_err(StoreError::backend)
}
