//! Merge history and undoing a merge. A merge is a pointer plus a row that explains
//! it, so undoing one clears the pointer and stamps the row; no signal moves.

use throughline_domain::{Identity, IdentityKind, MergeId, ProfileId, SignalSeq, WorkspaceId};
use throughline_store::{MergeRecord, StoreError};
use tokio_postgres::{Client, Row};

use crate::ingest::INGEST_LOCK;
use crate::read::{canonical_or_not_found, FAMILY};

const MERGE_COLUMNS: &str =
    "id, survivor, absorbed, identity_kind, identity_value, signal_seq, merged_at_us, undone_at_us";

fn decode(row: &Row) -> Result<MergeRecord, StoreError> {
    let kind: String = row.get(3);
    let kind = IdentityKind::parse(&kind)
        .ok_or_else(|| StoreError::Backend(format!("stored identity kind {kind:?}").into()))?;
    Ok(MergeRecord {
        id: MergeId(row.get(0)),
        survivor: ProfileId(row.get(1)),
        absorbed: ProfileId(row.get(2)),
        identity: Identity {
            kind,
            value: row.get(4),
        },
        signal: SignalSeq(row.get(5)),
        merged_at_us: row.get(6),
        undone_at_us: row.get(7),
    })
}

/// Every merge, done or undone, that touched the profile `id` lives in (or any
/// profile merged into it), newest first.
pub(crate) async fn history(
    client: &Client,
    workspace: WorkspaceId,
    id: ProfileId,
) -> Result<Vec<MergeRecord>, StoreError> {
    let root = canonical_or_not_found(client, workspace, id).await?;
    let rows = client
        .query(
            &format!(
                "{FAMILY} SELECT {MERGE_COLUMNS} FROM merges WHERE workspace_id = $1 \
                 AND (survivor IN (SELECT id FROM family) OR absorbed IN (SELECT id FROM family)) \
                 ORDER BY id DESC"
            ),
            &[&workspace.0, &root.0],
        )
        .await
        .map_err(StoreError::backend)?;
    rows.iter().map(decode).collect()
}

/// Undoes merge `id`. The absorbed profile gets its own identities and the signals
/// attached to it at intake back; the signal that linked the two stays with the
/// survivor, because that is where it was attached. Holds the ingest lock, so a
/// batch never resolves against pointers that change under it.
pub(crate) async fn unmerge(
    client: &mut Client,
    workspace: WorkspaceId,
    id: MergeId,
) -> Result<MergeRecord, StoreError> {
    let backend = StoreError::backend;
    let tx = client.transaction().await.map_err(backend)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&INGEST_LOCK])
        .await
        .map_err(backend)?;
    let row = tx
        .query_opt(
            &format!("SELECT {MERGE_COLUMNS} FROM merges WHERE id = $1 AND workspace_id = $2"),
            &[&id.0, &workspace.0],
        )
        .await
        .map_err(backend)?
        .ok_or_else(|| StoreError::NotFound(format!("merge {id}")))?;
    let mut merge = decode(&row)?;
    if merge.undone_at_us.is_some() {
        return Err(StoreError::Conflict(format!(
            "merge {id} was already undone"
        )));
    }
    let now = crate::now_us();
    tx.execute(
        "UPDATE profiles SET merged_into = NULL WHERE id = $1 AND merged_into = $2",
        &[&merge.absorbed.0, &merge.survivor.0],
    )
    .await
    .map_err(backend)?;
    tx.execute(
        "UPDATE merges SET undone_at_us = $1 WHERE id = $2",
        &[&now, &id.0],
    )
    .await
    .map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    merge.undone_at_us = Some(now);
    Ok(merge)
}
