//! Acquisition spend: a small ledger, replaced row by row on re-import.

use throughline_domain::{AcquisitionSpend, WorkspaceId};
use throughline_store::StoreError;
use tokio_postgres::Client;

pub(crate) async fn put(
    client: &mut Client,
    workspace: WorkspaceId,
    rows: &[AcquisitionSpend],
) -> Result<usize, StoreError> {
    if crate::tenancy::workspace(client, workspace)
        .await?
        .is_none()
    {
        return Err(StoreError::NotFound(format!("workspace {workspace}")));
    }
    let tx = client.transaction().await.map_err(StoreError::backend)?;
    let insert = tx
        .prepare(
            "INSERT INTO acquisition_spend (workspace_id, channel, campaign, month, currency, amount)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (workspace_id, channel, campaign, month, currency)
             DO UPDATE SET amount = excluded.amount",
        )
        .await
        .map_err(StoreError::backend)?;
    for r in rows {
        tx.execute(
            &insert,
            &[
                &workspace.0,
                &r.channel,
                &r.campaign,
                &r.month,
                &r.currency,
                &r.amount,
            ],
        )
        .await
        .map_err(StoreError::backend)?;
    }
    // Any error above drops `tx` uncommitted: nothing of the batch is written.
    tx.commit().await.map_err(StoreError::backend)?;
    Ok(rows.len())
}

pub(crate) async fn list(
    client: &Client,
    workspace: WorkspaceId,
) -> Result<Vec<AcquisitionSpend>, StoreError> {
    let rows = client
        .query(
            "SELECT channel, campaign, month, currency, amount FROM acquisition_spend
             WHERE workspace_id = $1 ORDER BY month, channel, campaign, currency",
            &[&workspace.0],
        )
        .await
        .map_err(StoreError::backend)?;
    Ok(rows
        .iter()
        .map(|r| AcquisitionSpend {
            channel: r.get(0),
            campaign: r.get(1),
            month: r.get(2),
            currency: r.get(3),
            amount: r.get(4),
        })
        .collect())
}
