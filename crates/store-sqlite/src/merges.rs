//! Merge history and undoing a merge. A merge is a pointer plus a row that explains
//! it, so undoing one clears the pointer and stamps the row; no signal moves.

use rusqlite::{params, Connection, OptionalExtension, Row};
use throughline_domain::{Identity, IdentityKind, MergeId, ProfileId, SignalSeq, WorkspaceId};
use throughline_store::{MergeRecord, StoreError};

use crate::cache::ResolveCache;
use crate::read::{canonical, FAMILY};

const MERGE_COLUMNS: &str =
    "id, survivor, absorbed, identity_kind, identity_value, signal_seq, merged_at_us, undone_at_us";

fn decode(row: &Row<'_>) -> rusqlite::Result<MergeRecord> {
    let kind: String = row.get(3)?;
    let kind = IdentityKind::parse(&kind).ok_or_else(|| {
        let message = format!("stored identity kind {kind:?} is not valid");
        rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, message.into())
    })?;
    Ok(MergeRecord {
        id: MergeId(row.get(0)?),
        survivor: ProfileId(row.get(1)?),
        absorbed: ProfileId(row.get(2)?),
        identity: Identity {
            kind,
            value: row.get(4)?,
        },
        signal: SignalSeq(row.get(5)?),
        merged_at_us: row.get(6)?,
        undone_at_us: row.get(7)?,
    })
}

/// Every merge, done or undone, that touched the profile `id` lives in (or any
/// profile merged into it), newest first.
pub(crate) fn history(
    conn: &Connection,
    workspace: WorkspaceId,
    id: ProfileId,
) -> Result<Vec<MergeRecord>, StoreError> {
    let root = canonical(conn, workspace, id)
        .map_err(StoreError::backend)?
        .ok_or_else(|| StoreError::NotFound(format!("profile {id}")))?;
    let run = || -> rusqlite::Result<Vec<MergeRecord>> {
        let mut stmt = conn.prepare_cached(&format!(
            "{FAMILY} SELECT {MERGE_COLUMNS} FROM merges WHERE workspace_id = ?1 \
             AND (survivor IN family OR absorbed IN family) ORDER BY id DESC"
        ))?;
        let rows = stmt.query_map(params![workspace.0, root.0], decode)?;
        rows.collect()
    };
    run().map_err(StoreError::backend)
}

/// Undoes merge `id`. The absorbed profile gets its own identities and the signals
/// attached to it at intake back; the signal that linked the two stays with the
/// survivor, because that is where it was attached.
pub(crate) fn unmerge(
    conn: &mut Connection,
    cache: &mut ResolveCache,
    workspace: WorkspaceId,
    id: MergeId,
) -> Result<MergeRecord, StoreError> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(StoreError::backend)?;
    let found = tx
        .query_row(
            &format!("SELECT {MERGE_COLUMNS} FROM merges WHERE id = ?1 AND workspace_id = ?2"),
            params![id.0, workspace.0],
            decode,
        )
        .optional()
        .map_err(StoreError::backend)?;
    let mut merge = found.ok_or_else(|| StoreError::NotFound(format!("merge {id}")))?;
    if merge.undone_at_us.is_some() {
        return Err(StoreError::Conflict(format!(
            "merge {id} was already undone"
        )));
    }
    let now = crate::now_us();
    let write = || -> rusqlite::Result<()> {
        tx.execute(
            "UPDATE profiles SET merged_into = NULL WHERE id = ?1 AND merged_into = ?2",
            params![merge.absorbed.0, merge.survivor.0],
        )?;
        tx.execute(
            "UPDATE merges SET undone_at_us = ?1 WHERE id = ?2",
            params![now, id.0],
        )?;
        Ok(())
    };
    write().map_err(StoreError::backend)?;
    tx.commit().map_err(StoreError::backend)?;
    cache.unlink(merge.absorbed);
    merge.undone_at_us = Some(now);
    Ok(merge)
}
