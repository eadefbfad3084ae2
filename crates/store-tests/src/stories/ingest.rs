//! Writing batches: idempotency, atomicity, and signals coming back field for field.

use serde_json::json;
use throughline_domain::{IdentityPolicy, SignalSeq, WorkspaceId};
use throughline_store::{RecordOutcome, Store, StoreError};

use crate::fixtures::{parse, seqs, survey};

/// The external id that a harness arranges to fail inside the database (a trigger),
/// so [`story_batch_is_atomic`] can break a batch half-way through.
pub const FAILING_EXTERNAL_ID: &str = "fail-inside-the-database";

pub async fn story_ingest_idempotent(store: &dyn Store) {
    let policy = IdentityPolicy::default();
    let ws = store.ensure_workspace("acme").await.unwrap().id;
    let batch = [
        survey("r-1", 1, json!({"email": "ann@example.com"})),
        survey("r-2", 2, json!({"email": "bob@example.com"})),
        survey("r-3", 3, json!({"phone": "+44 20 7946 0958"})),
    ];
    let first = store.ingest(ws, &batch, &policy).await.unwrap();
    assert_eq!((first.accepted, first.duplicates, first.merges), (3, 0, 0));
    let first_seqs = seqs(&first);
    assert!(
        first_seqs.windows(2).all(|w| w[0] < w[1]),
        "seqs rise in batch order: {first_seqs:?}"
    );
    assert_eq!(store.high_water().await.unwrap(), first_seqs[2]);

    // The same batch again changes nothing and says so record by record.
    let again = store.ingest(ws, &batch, &policy).await.unwrap();
    assert_eq!((again.accepted, again.duplicates, again.merges), (0, 3, 0));
    assert_eq!(again.records, vec![RecordOutcome::Duplicate; 3]);
    assert_eq!(store.high_water().await.unwrap(), first_seqs[2]);
    assert_eq!(
        store.signals_after(SignalSeq(0), 100).await.unwrap().len(),
        3
    );

    // A repeat inside one batch is a duplicate too; a new record beside it is not.
    let mixed = [
        survey("r-4", 4, json!({"email": "cy@example.com"})),
        survey("r-4", 4, json!({"email": "cy@example.com"})),
        survey("r-1", 1, json!({"email": "ann@example.com"})),
    ];
    let third = store.ingest(ws, &mixed, &policy).await.unwrap();
    assert_eq!((third.accepted, third.duplicates), (1, 2));
    assert_eq!(
        third.records[1..],
        [RecordOutcome::Duplicate, RecordOutcome::Duplicate]
    );
    assert_eq!(
        store.signals_after(SignalSeq(0), 100).await.unwrap().len(),
        4
    );
    // The duplicate of r-1 did not add a signal to ann's profile.
    let ann = crate::fixtures::profile_of(&first, 0);
    assert_eq!(
        store.profile(ws, ann).await.unwrap().unwrap().signal_count,
        1
    );

    // An empty batch is a no-op.
    let empty = store.ingest(ws, &[], &policy).await.unwrap();
    assert_eq!(
        (empty.accepted, empty.duplicates, empty.records.len()),
        (0, 0, 0)
    );
}

pub async fn story_signal_round_trips(store: &dyn Store) {
    let ws = store.ensure_workspace("acme").await.unwrap().id;
    let full = parse(json!({
        "kind": "transaction", "source": "shop", "external_id": "o-1",
        "occurred_at": "2026-03-01T14:30:00.123456+01:00",
        "customer": {"email": "Ann@Example.com", "phone": "+44 20 7946 0958",
                     "handle": "@ann", "network": "instagram", "account_id": "C-1"},
        "channel": "web", "touchpoint": "checkout", "stage": "purchase", "brand": "Northwind",
        "store": "london-1", "team": "online", "region": "uk",
        "action": "refund", "reason": "damaged", "csat": 2, "ces": 6,
        "ratings": {"delivery": 2, "value": {"value": 7, "min": 0, "max": 10}},
        "text": "Box arrived crushed", "language": "en", "amount": -19.99, "currency": "GBP",
        "first_response_at": "2026-03-01T15:00:00Z", "resolved_at": "2026-03-02T09:00:00-05:00",
        "properties": {"order_lines": 3, "gift": true, "tags": ["a", "b"]},
    }));
    let employee = parse(json!({
        "kind": "hr_event", "source": "hris", "external_id": "h-1",
        "occurred_at": "2026-03-01T09:00:00-08:00", "employee": {"account_id": "E-7"},
        "action": "promoted",
    }));
    let event = parse(json!({
        "kind": "event", "source": "web", "external_id": "e-1",
        "occurred_at": "2026-03-01T09:00:00Z", "customer": {"account_id": "C-1"},
        "action": "page_view",
    }));
    let outcome = store
        .ingest(
            ws,
            &[full.clone(), employee.clone(), event.clone()],
            &IdentityPolicy::default(),
        )
        .await
        .unwrap();
    assert_eq!(outcome.accepted, 3);
    let stored = store.signals_after(SignalSeq(0), 10).await.unwrap();
    assert_eq!(stored.len(), 3);
    for (row, original) in stored.iter().zip([&full, &employee, &event]) {
        assert_eq!(&row.signal, original);
        assert_eq!(row.workspace, ws);
        assert!(
            row.received_at_us > 1_700_000_000_000_000,
            "received_at is a real clock"
        );
    }
    // Equality of times ignores the offset; the original offset is kept too.
    assert_eq!(
        stored[0].signal.occurred_at().offset().local_minus_utc(),
        3600
    );
    assert_eq!(
        stored[0].signal.occurred_at().timestamp_subsec_micros(),
        123_456
    );
    assert_eq!(
        stored[1].signal.occurred_at().offset().local_minus_utc(),
        -8 * 3600
    );
    assert_eq!(stored[0].signal.identities().len(), 4);
}

pub async fn story_unknown_workspace_writes_nothing(store: &dyn Store) {
    let batch = [survey("r-1", 1, json!({"email": "ann@example.com"}))];
    let got = store
        .ingest(WorkspaceId(9_999), &batch, &IdentityPolicy::default())
        .await;
    assert!(matches!(got, Err(StoreError::NotFound(_))), "got {got:?}");
    assert_eq!(store.high_water().await.unwrap(), SignalSeq(0));
}

/// Needs a store whose database refuses any signal with [`FAILING_EXTERNAL_ID`].
pub async fn story_batch_is_atomic(store: &dyn Store) {
    let policy = IdentityPolicy::default();
    let ws = store.ensure_workspace("acme").await.unwrap().id;
    let zoe_first = [survey("r-0", 1, json!({"email": "zoe@example.com"}))];
    let before = store.ingest(ws, &zoe_first, &policy).await.unwrap();
    let zoe = crate::fixtures::profile_of(&before, 0);
    let high_water = store.high_water().await.unwrap();

    // New profiles, new identities and a merge are written before the failing record.
    let batch = [
        survey("r-1", 2, json!({"email": "ann@example.com"})),
        survey(
            "r-2",
            3,
            json!({"email": "zoe@example.com", "account_id": "Z-1"}),
        ),
        survey(
            "r-3",
            4,
            json!({"email": "ann@example.com", "account_id": "Z-1"}),
        ),
        survey(FAILING_EXTERNAL_ID, 5, json!({"email": "bob@example.com"})),
    ];
    let failed = store.ingest(ws, &batch, &policy).await;
    assert!(
        matches!(failed, Err(StoreError::Backend(_))),
        "got {failed:?}"
    );
    assert_eq!(store.high_water().await.unwrap(), high_water);
    assert_eq!(store.signals_after(high_water, 100).await.unwrap(), vec![]);
    let zoe_after = store.profile(ws, zoe).await.unwrap().unwrap();
    assert_eq!((zoe_after.signal_count, zoe_after.merged.len()), (1, 0));
    assert_eq!(
        zoe_after.identities.len(),
        1,
        "Z-1 was not kept: {zoe_after:?}"
    );
    assert_eq!(store.profile_links().await.unwrap(), vec![]);

    // The store is still consistent: the same records without the failing one
    // resolve exactly as if the failed attempt never happened.
    let retried = store.ingest(ws, &batch[..3], &policy).await.unwrap();
    assert_eq!((retried.accepted, retried.merges), (3, 1));
    let zoe_now = store.profile(ws, zoe).await.unwrap().unwrap();
    assert_eq!(zoe_now.signal_count, 4);
    assert_eq!(zoe_now.identities.len(), 3);
}
