//! `ingest_owned`: batches handed over whole, which a backend may write together
//! (group commit), answer exactly as `ingest` would — each its own outcome,
//! duplicates and an unknown workspace included, and one failing batch fails
//! only itself.

use serde_json::json;
use throughline_domain::{IdentityPolicy, Signal, SignalSeq, WorkspaceId};
use throughline_store::{IngestOutcome, Result, Store, StoreError};

use crate::fixtures::{seqs, seven_customers, survey};
use crate::stories::FAILING_EXTERNAL_ID;

/// Sends every (workspace, batch) at once, each from a task of its own (as HTTP
/// requests are), so a backend can group them.
async fn all_at_once<S: Store + Clone + 'static>(
    store: &S,
    sends: Vec<(WorkspaceId, Vec<Signal>)>,
) -> Vec<Result<IngestOutcome>> {
    let tasks: Vec<_> = sends
        .into_iter()
        .map(|(ws, b)| {
            let store = store.clone();
            tokio::spawn(async move { store.ingest_owned(ws, b, &IdentityPolicy::default()).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.expect("the send task"));
    }
    outcomes
}

pub async fn story_owned_batches_answer_each_caller<S: Store + Clone + 'static>(store: &S) {
    let ws = store.ensure_workspace("acme").await.unwrap().id;
    let first = store
        .ingest_owned(ws, seven_customers(0), &IdentityPolicy::default())
        .await
        .unwrap();
    assert_eq!(first.accepted, 50);
    let mut sends: Vec<_> = (1..6).map(|n| (ws, seven_customers(n))).collect();
    sends.push((ws, seven_customers(0))); // a resend: every record a duplicate
    sends.push((WorkspaceId(9_999), seven_customers(7))); // no such workspace
    let outcomes = all_at_once(store, sends).await;

    let mut all = seqs(&first);
    for outcome in &outcomes[..5] {
        let outcome = outcome.as_ref().unwrap();
        assert_eq!((outcome.accepted, outcome.duplicates), (50, 0));
        let s = seqs(outcome);
        assert_eq!(
            s.last().unwrap().0 - s[0].0,
            49,
            "one contiguous run: {s:?}"
        );
        all.extend(s);
    }
    let resend = outcomes[5].as_ref().unwrap();
    assert_eq!((resend.accepted, resend.duplicates), (0, 50));
    assert!(
        matches!(outcomes[6], Err(StoreError::NotFound(_))),
        "got {:?}",
        outcomes[6]
    );
    all.sort();
    let feed = store.signals_after(SignalSeq(0), 1_000).await.unwrap();
    assert_eq!(feed.iter().map(|s| s.seq).collect::<Vec<_>>(), all);
    let mut profiles: Vec<_> = feed.iter().map(|s| s.profile).collect();
    profiles.sort();
    profiles.dedup();
    assert_eq!(
        profiles.len(),
        7,
        "seven customers, however batches were grouped"
    );
}

/// Needs a store that refuses [`FAILING_EXTERNAL_ID`] (see the harnesses).
pub async fn story_owned_failing_batch_fails_alone<S: Store + Clone + 'static>(store: &S) {
    let ws = store.ensure_workspace("acme").await.unwrap().id;
    let mut failing = seven_customers(0);
    failing[10] = survey(FAILING_EXTERNAL_ID, 3, json!({"account_id": "C-0"}));
    let mut sends = vec![(ws, failing)];
    sends.extend((1..8).map(|n| (ws, seven_customers(n))));
    let outcomes = all_at_once(store, sends).await;
    assert!(
        matches!(outcomes[0], Err(StoreError::Backend(_))),
        "got {:?}",
        outcomes[0]
    );
    for outcome in &outcomes[1..] {
        assert_eq!(outcome.as_ref().unwrap().accepted, 50);
    }
    let feed = store.signals_after(SignalSeq(0), 1_000).await.unwrap();
    assert_eq!(
        feed.len(),
        7 * 50,
        "nothing of the failing batch was written"
    );
    assert!(feed
        .iter()
        .all(|s| !s.signal.external_id().starts_with("b0-")));
}
