//! Acquisition spend: a small ledger, replaced row by row on re-import.

use rusqlite::{params, Connection};
use throughline_domain::{AcquisitionSpend, WorkspaceId};
use throughline_store::StoreError;

pub(crate) fn put(
    conn: &mut Connection,
    workspace: WorkspaceId,
    rows: &[AcquisitionSpend],
) -> Result<usize, StoreError> {
    if crate::tenancy::workspace(conn, workspace)?.is_none() {
        return Err(StoreError::NotFound(format!("workspace {workspace}")));
    }
    let tx = conn.transaction().map_err(StoreError::backend)?;
    {
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO acquisition_spend (workspace_id, channel, campaign, month, currency, amount)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (workspace_id, channel, campaign, month, currency)
                 DO UPDATE SET amount = excluded.amount",
            )
            .map_err(StoreError::backend)?;
        for r in rows {
            insert
                .execute(params![
                    workspace.0,
                    r.channel,
                    r.campaign,
                    r.month,
                    r.currency,
                    r.amount
                ])
                .map_err(StoreError::backend)?;
        }
    }
    tx.commit().map_err(StoreError::backend)?;
    Ok(rows.len())
}

pub(crate) fn list(
    conn: &Connection,
    workspace: WorkspaceId,
) -> Result<Vec<AcquisitionSpend>, StoreError> {
    let mut q = conn
        .prepare_cached(
            "SELECT channel, campaign, month, currency, amount FROM acquisition_spend
             WHERE workspace_id = ?1 ORDER BY month, channel, campaign, currency",
        )
        .map_err(StoreError::backend)?;
    let rows = q
        .query_map([workspace.0], |r| {
            Ok(AcquisitionSpend {
                channel: r.get(0)?,
                campaign: r.get(1)?,
                month: r.get(2)?,
                currency: r.get(3)?,
                amount: r.get(4)?,
            })
        })
        .map_err(StoreError::backend)?;
    rows.collect::<Result<_, _>>().map_err(StoreError::backend)
}
