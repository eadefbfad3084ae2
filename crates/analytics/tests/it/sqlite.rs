//! One story against the real SQLite backend: ingest through the store (with a
//! merge made by identity resolution), follow it, query, restart.

use std::sync::Arc;

use serde_json::json;
use throughline_analytics::AnalyticsCopy;
use throughline_domain::{IdentityPolicy, Signal};
use throughline_store::{RecordOutcome, Store};
use throughline_store_sqlite::{Durability, SqliteStore};

use crate::{rows, scalar, survey};

fn parse(record: serde_json::Value) -> Signal {
    Signal::parse(&record).expect("record parses")
}

#[tokio::test]
async fn the_copy_follows_a_sqlite_store_through_a_merge_and_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("db.sqlite"), Durability::Normal).unwrap());
    let acme = store.ensure_workspace("acme").await.unwrap().id;
    let globex = store.ensure_workspace("globex").await.unwrap().id;
    let policy = IdentityPolicy::default();
    let phone = "+442079460958";
    let batch = [
        parse(survey("r1", "ann@x.com", json!({"nps": 10}))),
        parse(
            json!({"kind": "survey_response", "source": "ivr", "external_id": "c1",
            "occurred_at": "2026-03-01T10:00:00Z", "customer": {"phone": phone}, "nps": 6}),
        ),
        // Carries both identities: the two profiles become one.
        parse(
            json!({"kind": "ticket", "source": "zendesk", "external_id": "t1",
            "occurred_at": "2026-03-02T10:00:00Z",
            "customer": {"email": "ann@x.com", "phone": phone}, "text": "Still waiting"}),
        ),
        parse(survey("r2", "bob@x.com", json!({"nps": 8}))),
    ];
    let outcome = store.ingest(acme, &batch, &policy).await.unwrap();
    assert_eq!((outcome.accepted, outcome.merges), (4, 1));
    store
        .ingest(
            globex,
            &[parse(survey("r1", "ann@x.com", json!({"nps": 0})))],
            &policy,
        )
        .await
        .unwrap();

    let analytics = dir.path().join("analytics");
    let copy = AnalyticsCopy::open(analytics.clone(), Arc::clone(&store)).unwrap();
    assert_eq!(copy.refresh().await.unwrap().pulled, 5);
    assert_eq!(
        scalar(&copy, acme, "SELECT count(*) FROM signals").await,
        json!(4)
    );
    assert_eq!(
        scalar(&copy, acme, "SELECT avg(nps) FROM signals").await,
        json!(8.0)
    );
    assert_eq!(
        scalar(&copy, globex, "SELECT avg(nps) FROM signals").await,
        json!(0.0)
    );

    // Ann's three signals (two profiles at intake) all carry the surviving profile.
    let RecordOutcome::Accepted {
        profile: ann_at_intake,
        ..
    } = outcome.records[0]
    else {
        panic!("first record accepted")
    };
    let ann = store
        .profile(acme, ann_at_intake)
        .await
        .unwrap()
        .unwrap()
        .id;
    let per_profile =
        "SELECT profile_id, count(*) FROM signals GROUP BY profile_id ORDER BY 2 DESC";
    let got = rows(&copy, acme, per_profile).await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0], vec![json!(ann.0), json!(3)]);

    copy.flush().await.unwrap();
    drop(copy);
    let reopened = AnalyticsCopy::open(analytics, Arc::clone(&store)).unwrap();
    assert_eq!(
        reopened.copy_high_water(),
        store.high_water().await.unwrap().0
    );
    assert_eq!(reopened.refresh().await.unwrap().pulled, 0);
    assert_eq!(rows(&reopened, acme, per_profile).await, got);
}
