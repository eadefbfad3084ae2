//! Reading profiles, timelines and the analytics feed. A merged-away id is answered
//! through its canonical profile; the "family" of a profile is it plus every
//! profile merged into it, directly or through others.

use rusqlite::{params, Connection, OptionalExtension};
use throughline_domain::{
    Identity, IdentityKind, ProfileId, SignalSeq, StakeholderType, WorkspaceId,
};
use throughline_store::{Profile, ProfileLink, StoreError, StoredSignal};

use crate::row;

/// `family(id)`: the canonical profile `?2` and everything merged into it, in workspace `?1`.
/// `UNION` (not `UNION ALL`) so that even a corrupt cycle terminates.
pub(crate) const FAMILY: &str = "WITH RECURSIVE family(id) AS (SELECT ?2 UNION \
    SELECT p.id FROM profiles p JOIN family f ON p.merged_into = f.id WHERE p.workspace_id = ?1) ";

/// The seqs of the signals of every profile in `family` (see migrations 3 and 5);
/// needs [`family_and_buckets`].
const FAMILY_SEQS: &str =
    "(SELECT seq FROM profile_signals WHERE bucket IN buckets AND profile_id IN family)";

/// [`FAMILY`] and every bucket of `profile_signals`, for [`FAMILY_SEQS`].
fn family_and_buckets() -> String {
    let buckets = crate::buckets::up_to("(SELECT max(bucket) FROM profile_signals)");
    format!("{}, {buckets} ", FAMILY.trim_end())
}

/// The root of `id`'s merge chain, or `None` when the workspace has no such profile.
pub(crate) fn canonical(
    conn: &Connection,
    workspace: WorkspaceId,
    id: ProfileId,
) -> rusqlite::Result<Option<ProfileId>> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE up(id, next, depth) AS ( \
             SELECT id, merged_into, 0 FROM profiles WHERE workspace_id = ?1 AND id = ?2 \
             UNION ALL SELECT p.id, p.merged_into, up.depth + 1 FROM profiles p \
             JOIN up ON p.id = up.next WHERE up.depth < 10000) \
         SELECT id FROM up WHERE next IS NULL",
    )?;
    stmt.query_row(params![workspace.0, id.0], |r| r.get(0))
        .optional()
        .map(|o| o.map(ProfileId))
}

fn canonical_or_not_found(
    conn: &Connection,
    workspace: WorkspaceId,
    id: ProfileId,
) -> Result<ProfileId, StoreError> {
    canonical(conn, workspace, id)
        .map_err(StoreError::backend)?
        .ok_or_else(|| StoreError::NotFound(format!("profile {id}")))
}

pub(crate) fn profile(
    conn: &Connection,
    workspace: WorkspaceId,
    id: ProfileId,
) -> Result<Option<Profile>, StoreError> {
    let Some(root) = canonical(conn, workspace, id).map_err(StoreError::backend)? else {
        return Ok(None);
    };
    let query = || -> rusqlite::Result<Profile> {
        let stakeholder: String = conn.query_row(
            "SELECT stakeholder_type FROM profiles WHERE id = ?1",
            [root.0],
            |r| r.get(0),
        )?;
        let mut stmt = conn.prepare_cached(&format!("{FAMILY} SELECT id FROM family"))?;
        let mut merged: Vec<ProfileId> = stmt
            .query_map(params![workspace.0, root.0], |r| r.get(0).map(ProfileId))?
            .collect::<rusqlite::Result<_>>()?;
        merged.retain(|p| *p != root);
        merged.sort();
        let mut stmt = conn.prepare_cached(&format!(
            "{FAMILY} SELECT kind, value FROM identities \
             WHERE workspace_id = ?1 AND profile_id IN family"
        ))?;
        let mut identities: Vec<Identity> = stmt
            .query_map(params![workspace.0, root.0], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .filter_map(|row| match row {
                Ok((kind, value)) => {
                    IdentityKind::parse(&kind).map(|kind| Ok(Identity { kind, value }))
                }
                Err(e) => Some(Err(e)),
            })
            .collect::<rusqlite::Result<_>>()?;
        identities.sort();
        let mut stmt = conn.prepare_cached(&format!(
            "{} SELECT count(*), min(occurred_at_us), max(occurred_at_us) FROM signals \
             WHERE workspace_id = ?1 AND seq IN {FAMILY_SEQS}",
            family_and_buckets()
        ))?;
        let (count, first, last): (i64, Option<i64>, Option<i64>) = stmt
            .query_row(params![workspace.0, root.0], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        Ok(Profile {
            id: root,
            workspace,
            stakeholder_type: StakeholderType::parse(&stakeholder)
                .unwrap_or(StakeholderType::Customer),
            identities,
            merged,
            signal_count: count.max(0) as u64,
            first_seen_us: first,
            last_seen_us: last,
        })
    };
    query().map(Some).map_err(StoreError::backend)
}

pub(crate) fn timeline(
    conn: &Connection,
    workspace: WorkspaceId,
    id: ProfileId,
    limit: usize,
) -> Result<Vec<StoredSignal>, StoreError> {
    let root = canonical_or_not_found(conn, workspace, id)?;
    let sql = format!(
        "{} SELECT {} FROM signals WHERE workspace_id = ?1 AND seq IN {FAMILY_SEQS} \
         ORDER BY occurred_at_us, seq LIMIT ?3",
        family_and_buckets(),
        row::COLUMNS
    );
    let run = || -> rusqlite::Result<Vec<StoredSignal>> {
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![workspace.0, root.0, clamp(limit)], row::decode)?;
        rows.collect()
    };
    run().map_err(StoreError::backend)
}

/// Rows `signals_after` reserves room for up front: growing the vector as rows came
/// (copying it, faulting in new pages) was a quarter of this read in a profile of
/// HTTP intake, where the analytics copy pulls while the burst is written.
const PREALLOCATE_MAX: usize = 16_384;

pub(crate) fn signals_after(
    conn: &Connection,
    after: SignalSeq,
    limit: usize,
) -> Result<Vec<StoredSignal>, StoreError> {
    let sql = format!(
        "SELECT {} FROM signals WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        row::COLUMNS
    );
    let run = || -> rusqlite::Result<Vec<StoredSignal>> {
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut out = Vec::with_capacity(limit.min(PREALLOCATE_MAX));
        for row in stmt.query_map(params![after.0, clamp(limit)], row::decode)? {
            out.push(row?);
        }
        Ok(out)
    };
    run().map_err(StoreError::backend)
}

pub(crate) fn profile_links(conn: &Connection) -> Result<Vec<ProfileLink>, StoreError> {
    let run = || -> rusqlite::Result<Vec<(WorkspaceId, ProfileId, ProfileId)>> {
        let mut stmt = conn.prepare_cached(
            "SELECT workspace_id, id, merged_into FROM profiles WHERE merged_into IS NOT NULL \
             ORDER BY workspace_id, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                WorkspaceId(r.get(0)?),
                ProfileId(r.get(1)?),
                ProfileId(r.get(2)?),
            ))
        })?;
        rows.collect()
    };
    let rows = run().map_err(StoreError::backend)?;
    Ok(throughline_store::canonical_links(&rows))
}

pub(crate) fn high_water(conn: &Connection) -> Result<SignalSeq, StoreError> {
    conn.query_row("SELECT coalesce(max(seq), 0) FROM signals", [], |r| {
        r.get(0)
    })
    .map(SignalSeq)
    .map_err(StoreError::backend)
}

/// SQLite's LIMIT is a signed 64-bit integer.
fn clamp(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}
