//! Reading profiles, timelines and the analytics feed. A merged-away id is answered
//! through its canonical profile; the "family" of a profile is it plus every
//! profile merged into it, directly or through others.

use throughline_domain::{
    Identity, IdentityKind, ProfileId, SignalSeq, StakeholderType, WorkspaceId,
};
use throughline_store::{Profile, ProfileLink, StoreError, StoredSignal};
use tokio_postgres::Client;

use crate::row;

/// `family`: the canonical profile `$2` and everything merged into it, in workspace `$1`.
/// `UNION` (not `UNION ALL`) so that even a corrupt cycle terminates.
pub(crate) const FAMILY: &str = "WITH RECURSIVE family(id) AS (SELECT $2::bigint UNION \
    SELECT p.id FROM profiles p JOIN family f ON p.merged_into = f.id WHERE p.workspace_id = $1) ";

/// The root of `id`'s merge chain, or `None` when the workspace has no such profile.
pub(crate) async fn canonical(
    client: &Client,
    workspace: WorkspaceId,
    id: ProfileId,
) -> Result<Option<ProfileId>, StoreError> {
    let row = client
        .query_opt(
            "WITH RECURSIVE up(id, next, depth) AS ( \
                 SELECT id, merged_into, 0 FROM profiles WHERE workspace_id = $1 AND id = $2 \
                 UNION ALL SELECT p.id, p.merged_into, up.depth + 1 FROM profiles p \
                 JOIN up ON p.id = up.next WHERE up.depth < 10000) \
             SELECT id FROM up WHERE next IS NULL",
            &[&workspace.0, &id.0],
        )
        .await
        .map_err(StoreError::backend)?;
    Ok(row.map(|r| ProfileId(r.get(0))))
}

pub(crate) async fn canonical_or_not_found(
    client: &Client,
    workspace: WorkspaceId,
    id: ProfileId,
) -> Result<ProfileId, StoreError> {
    canonical(client, workspace, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("profile {id}")))
}

pub(crate) async fn profile(
    client: &Client,
    workspace: WorkspaceId,
    id: ProfileId,
) -> Result<Option<Profile>, StoreError> {
    let backend = StoreError::backend;
    let Some(root) = canonical(client, workspace, id).await? else {
        return Ok(None);
    };
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 2] = [&workspace.0, &root.0];
    let stakeholder: String = client
        .query_one(
            "SELECT stakeholder_type FROM profiles WHERE id = $1",
            &[&root.0],
        )
        .await
        .map_err(backend)?
        .get(0);
    let family = client
        .query(&format!("{FAMILY} SELECT id FROM family"), &params)
        .await
        .map_err(backend)?;
    let mut merged: Vec<ProfileId> = family.iter().map(|r| ProfileId(r.get(0))).collect();
    merged.retain(|p| *p != root);
    merged.sort();
    let rows = client
        .query(
            &format!(
                "{FAMILY} SELECT kind, value FROM identities \
                 WHERE workspace_id = $1 AND profile_id IN (SELECT id FROM family)"
            ),
            &params,
        )
        .await
        .map_err(backend)?;
    let mut identities: Vec<Identity> = rows
        .iter()
        .filter_map(|r| {
            Some(Identity {
                kind: IdentityKind::parse(r.get(0))?,
                value: r.get(1),
            })
        })
        .collect();
    identities.sort();
    let stats = client
        .query_one(
            &format!(
                "{FAMILY} SELECT count(*), min(occurred_at_us), max(occurred_at_us) FROM signals \
                 WHERE workspace_id = $1 AND profile_id IN (SELECT id FROM family)"
            ),
            &params,
        )
        .await
        .map_err(backend)?;
    let count: i64 = stats.get(0);
    Ok(Some(Profile {
        id: root,
        workspace,
        stakeholder_type: StakeholderType::parse(&stakeholder).unwrap_or(StakeholderType::Customer),
        identities,
        merged,
        signal_count: count.max(0) as u64,
        first_seen_us: stats.get(1),
        last_seen_us: stats.get(2),
    }))
}

pub(crate) async fn timeline(
    client: &Client,
    workspace: WorkspaceId,
    id: ProfileId,
    limit: usize,
) -> Result<Vec<StoredSignal>, StoreError> {
    let root = canonical_or_not_found(client, workspace, id).await?;
    let sql = format!(
        "{FAMILY} SELECT {} FROM signals WHERE workspace_id = $1 \
         AND profile_id IN (SELECT id FROM family) ORDER BY occurred_at_us, seq LIMIT $3",
        row::COLUMNS
    );
    let rows = client
        .query(&sql, &[&workspace.0, &root.0, &clamp(limit)])
        .await
        .map_err(StoreError::backend)?;
    rows.iter().map(row::decode).collect()
}

pub(crate) async fn signals_after(
    client: &Client,
    after: SignalSeq,
    limit: usize,
) -> Result<Vec<StoredSignal>, StoreError> {
    let sql = format!(
        "SELECT {} FROM signals WHERE seq > $1 ORDER BY seq LIMIT $2",
        row::COLUMNS
    );
    let rows = client
        .query(&sql, &[&after.0, &clamp(limit)])
        .await
        .map_err(StoreError::backend)?;
    rows.iter().map(row::decode).collect()
}

pub(crate) async fn profile_links(client: &Client) -> Result<Vec<ProfileLink>, StoreError> {
    let rows = client
        .query(
            "SELECT workspace_id, id, merged_into FROM profiles WHERE merged_into IS NOT NULL \
             ORDER BY workspace_id, id",
            &[],
        )
        .await
        .map_err(StoreError::backend)?;
    let rows: Vec<(WorkspaceId, ProfileId, ProfileId)> = rows
        .iter()
        .map(|r| {
            (
                WorkspaceId(r.get(0)),
                ProfileId(r.get(1)),
                ProfileId(r.get(2)),
            )
        })
        .collect();
    Ok(throughline_store::canonical_links(&rows))
}

pub(crate) async fn high_water(client: &Client) -> Result<SignalSeq, StoreError> {
    let row = client
        .query_one("SELECT coalesce(max(seq), 0) FROM signals", &[])
        .await
        .map_err(StoreError::backend)?;
    Ok(SignalSeq(row.get(0)))
}

fn clamp(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}
