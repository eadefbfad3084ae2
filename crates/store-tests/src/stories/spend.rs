//! Acquisition spend: written per workspace, replaced on re-import, read back in order.

use throughline_domain::{AcquisitionSpend, WorkspaceId};
use throughline_store::{Store, StoreError};

fn row(channel: &str, campaign: &str, month: &str, amount: f64) -> AcquisitionSpend {
    AcquisitionSpend {
        channel: channel.into(),
        campaign: campaign.into(),
        month: month.into(),
        amount,
        currency: "GBP".into(),
    }
}

pub async fn story_acquisition_spend(store: &dyn Store) {
    let acme = store.ensure_workspace("acme").await.unwrap();
    let globex = store.ensure_workspace("globex").await.unwrap();
    assert!(store.acquisition_spend(acme.id).await.unwrap().is_empty());

    let first = [
        row("web", "", "2026-02", 1200.0),
        row("social", "spring", "2026-01", 800.25),
        row("social", "", "2026-01", 50.0),
    ];
    assert_eq!(
        store.put_acquisition_spend(acme.id, &first).await.unwrap(),
        3
    );
    // Re-importing a corrected row replaces it; a new currency is a new row.
    let mut eur = row("web", "", "2026-02", 99.0);
    eur.currency = "EUR".into();
    let fix = [row("web", "", "2026-02", 1000.0), eur.clone()];
    store.put_acquisition_spend(acme.id, &fix).await.unwrap();
    store
        .put_acquisition_spend(globex.id, &[row("tv", "", "2026-01", 5.0)])
        .await
        .unwrap();

    let got = store.acquisition_spend(acme.id).await.unwrap();
    let want = vec![
        row("social", "", "2026-01", 50.0),
        row("social", "spring", "2026-01", 800.25),
        eur,
        row("web", "", "2026-02", 1000.0),
    ];
    assert_eq!(got, want, "ordered by month, channel, campaign, currency");
    assert_eq!(store.acquisition_spend(globex.id).await.unwrap().len(), 1);

    let unknown = store
        .put_acquisition_spend(WorkspaceId(9_999), &[row("web", "", "2026-01", 1.0)])
        .await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound(_))),
        "{unknown:?}"
    );
}
