//! The analytics feed: `signals_after` in commit order, paged, across workspaces,
//! also when batches race each other.

use serde_json::json;
use throughline_domain::{IdentityPolicy, SignalSeq};
use throughline_store::Store;

use crate::fixtures::{seqs, seven_customers, survey};

pub async fn story_feed_order(store: &dyn Store) {
    let policy = IdentityPolicy::default();
    assert_eq!(store.high_water().await.unwrap(), SignalSeq(0));
    assert_eq!(store.signals_after(SignalSeq(0), 10).await.unwrap(), vec![]);
    let acme = store.ensure_workspace("acme").await.unwrap().id;
    let globex = store.ensure_workspace("globex").await.unwrap().id;
    let mut written = Vec::new();
    for (round, ws) in [acme, globex, acme].into_iter().enumerate() {
        // Occurred-at runs backwards: the feed is ordered by commit, not by event time.
        let batch: Vec<_> = (0..3)
            .map(|i| {
                let id = format!("r-{round}-{i}");
                survey(
                    &id,
                    20 - (round as u32 * 3 + i),
                    json!({"account_id": format!("C-{i}")}),
                )
            })
            .collect();
        let outcome = store.ingest(ws, &batch, &policy).await.unwrap();
        written.extend(seqs(&outcome));
    }
    let feed = store.signals_after(SignalSeq(0), 100).await.unwrap();
    let feed_seqs: Vec<SignalSeq> = feed.iter().map(|s| s.seq).collect();
    let want = written;
    assert_eq!(feed_seqs, want);
    assert!(feed_seqs.windows(2).all(|w| w[0] < w[1]));
    let workspaces: Vec<_> = feed.iter().map(|s| s.workspace).collect();
    assert_eq!(workspaces, [[acme; 3], [globex; 3], [acme; 3]].concat());
    let external: Vec<_> = feed.iter().map(|s| s.signal.external_id()).collect();
    assert_eq!(external[..4], ["r-0-0", "r-0-1", "r-0-2", "r-1-0"]);

    // Paging by the last seq seen walks the same feed without gaps or repeats.
    let mut after = SignalSeq(0);
    let mut paged = Vec::new();
    loop {
        let page = store.signals_after(after, 4).await.unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 4);
        after = page.last().unwrap().seq;
        paged.extend(page.into_iter().map(|s| s.seq));
    }
    assert_eq!(paged, want);
    assert_eq!(store.high_water().await.unwrap(), *want.last().unwrap());
    assert_eq!(
        store
            .signals_after(*want.last().unwrap(), 10)
            .await
            .unwrap(),
        vec![]
    );
}

/// Batches written at the same time still give a feed in which every batch is one
/// contiguous run of seqs: a reader following `signals_after` never skips a row
/// that commits later with a smaller seq.
pub async fn story_feed_under_concurrent_batches(store: &dyn Store) {
    let policy = IdentityPolicy::default();
    let ws = store.ensure_workspace("acme").await.unwrap().id;
    let batches: Vec<Vec<_>> = (0..6).map(seven_customers).collect();
    let writes = batches.iter().map(|b| store.ingest(ws, b, &policy));
    let outcomes = futures::future::join_all(writes).await;
    let mut all = Vec::new();
    for outcome in outcomes {
        let outcome = outcome.unwrap();
        assert_eq!(outcome.accepted, 50);
        let s = seqs(&outcome);
        assert_eq!(
            s.last().unwrap().0 - s[0].0,
            49,
            "one batch, one contiguous run: {s:?}"
        );
        all.extend(s);
    }
    all.sort();
    let feed: Vec<_> = store
        .signals_after(SignalSeq(0), 1000)
        .await
        .unwrap()
        .iter()
        .map(|s| s.seq)
        .collect();
    assert_eq!(feed, all);
    // Seven customers in all, however the batches interleaved.
    let mut profiles: Vec<_> = store
        .signals_after(SignalSeq(0), 1000)
        .await
        .unwrap()
        .iter()
        .map(|s| s.profile)
        .collect();
    profiles.sort();
    profiles.dedup();
    assert_eq!(profiles.len(), 7);
}
