//! Merging profiles through a record that names both, explaining it, and undoing it.

use serde_json::json;
use throughline_domain::{Identity, IdentityPolicy};
use throughline_store::{ProfileLink, Store, StoreError};

use super::timeline_seqs;
use crate::fixtures::{accepted, profile_of, survey};

pub async fn story_identity_resolution_merge_unmerge(store: &dyn Store) {
    let policy = IdentityPolicy::default();
    let ws = store.ensure_workspace("acme").await.unwrap().id;
    let first = [
        survey("r-1", 1, json!({"email": "ann@example.com"})),
        survey("r-2", 2, json!({"phone": "+44 20 7946 0958"})),
        survey("r-3", 3, json!({"email": "ann@example.com"})),
        survey("r-4", 4, json!({"email": "bob@example.com"})),
    ];
    let outcome = store.ingest(ws, &first, &policy).await.unwrap();
    let (ann, phone, bob) = (
        profile_of(&outcome, 0),
        profile_of(&outcome, 1),
        profile_of(&outcome, 3),
    );
    assert!(ann < phone && ann != bob);
    let ann_before = timeline_seqs(store, ws, ann).await;
    let phone_before = timeline_seqs(store, ws, phone).await;
    assert_eq!((ann_before.len(), phone_before.len()), (2, 1));

    // One record carries ann's email and the phone: the two are one person.
    let link = survey(
        "r-5",
        5,
        json!({"email": "ann@example.com", "phone": "+442079460958"}),
    );
    let merged = store.ingest(ws, &[link], &policy).await.unwrap();
    assert_eq!((merged.accepted, merged.merges), (1, 1));
    let (link_seq, attached_to) = accepted(&merged, 0);
    assert_eq!(
        attached_to, ann,
        "the older profile survives and takes the signal"
    );

    // Asked by the absorbed id, the store answers with the survivor.
    let whole = store.profile(ws, phone).await.unwrap().unwrap();
    assert_eq!(whole.id, ann);
    assert_eq!(whole.merged, vec![phone]);
    let want_ids = vec![
        Identity::email("ann@example.com").unwrap(),
        Identity::phone("+442079460958").unwrap(),
    ];
    assert_eq!(whole.identities, want_ids);
    assert_eq!(whole.signal_count, 4);
    // Days 1 (ann), 2 (phone), 3 (ann), 5 (the link): oldest first, both people.
    let everything = vec![ann_before[0], phone_before[0], ann_before[1], link_seq];
    assert_eq!(
        timeline_seqs(store, ws, ann).await,
        everything,
        "oldest first, both people"
    );
    assert_eq!(timeline_seqs(store, ws, phone).await, everything);
    // Signals keep the profile they were attached to at intake.
    let timeline = store.timeline(ws, ann, 10).await.unwrap();
    assert_eq!(timeline.iter().filter(|s| s.profile == phone).count(), 1);
    assert_eq!(
        store.timeline(ws, ann, 2).await.unwrap().len(),
        2,
        "limit is honoured"
    );

    // The merge explains itself: which identity, which signal.
    let merges = store.merges(ws, ann).await.unwrap();
    assert_eq!(merges.len(), 1);
    let merge = &merges[0];
    assert_eq!((merge.survivor, merge.absorbed), (ann, phone));
    assert_eq!(merge.identity, Identity::phone("+442079460958").unwrap());
    assert_eq!(merge.signal, link_seq);
    assert_eq!(merge.undone_at_us, None);
    assert_eq!(store.merges(ws, phone).await.unwrap(), merges);
    assert_eq!(
        store.profile_links().await.unwrap(),
        vec![ProfileLink {
            workspace: ws,
            profile: phone,
            canonical: ann
        }]
    );
    assert_eq!(
        store.profile(ws, bob).await.unwrap().unwrap().merged,
        vec![]
    );

    // Undo: the phone's person stands alone again with exactly its own signals;
    // the linking signal stays with ann, where it was attached.
    let undone = store.unmerge(ws, merge.id).await.unwrap();
    assert!(undone.undone_at_us.is_some());
    assert_eq!(
        (undone.survivor, undone.absorbed, undone.signal),
        (ann, phone, link_seq)
    );
    assert_eq!(timeline_seqs(store, ws, phone).await, phone_before);
    assert_eq!(
        timeline_seqs(store, ws, ann).await,
        [ann_before.clone(), vec![link_seq]].concat()
    );
    let alone = store.profile(ws, phone).await.unwrap().unwrap();
    assert_eq!(
        (alone.id, alone.signal_count, alone.merged.len()),
        (phone, 1, 0)
    );
    assert_eq!(
        alone.identities,
        vec![Identity::phone("+442079460958").unwrap()]
    );
    let survivor = store.profile(ws, ann).await.unwrap().unwrap();
    assert_eq!((survivor.signal_count, survivor.merged.len()), (3, 0));
    assert_eq!(
        survivor.identities,
        vec![Identity::email("ann@example.com").unwrap()]
    );
    assert_eq!(store.profile_links().await.unwrap(), vec![]);
    let history = store.merges(ws, phone).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].undone_at_us, undone.undone_at_us);

    let twice = store.unmerge(ws, merge.id).await;
    assert!(
        matches!(twice, Err(StoreError::Conflict(_))),
        "got {twice:?}"
    );

    // New signals of the phone land on the phone's profile again.
    let later = survey("r-6", 6, json!({"phone": "+442079460958"}));
    let later = store.ingest(ws, &[later], &policy).await.unwrap();
    assert_eq!(profile_of(&later, 0), phone);
}

pub async fn story_merge_chain_and_partial_unmerge(store: &dyn Store) {
    let policy = IdentityPolicy::default();
    let ws = store.ensure_workspace("acme").await.unwrap().id;
    let people = [
        survey("a", 1, json!({"account_id": "A"})),
        survey("b", 2, json!({"account_id": "B"})),
        survey("c", 3, json!({"account_id": "C"})),
        survey("d", 4, json!({"account_id": "D"})),
    ];
    let outcome = store.ingest(ws, &people, &policy).await.unwrap();
    let [a, b, c, d] = [0, 1, 2, 3].map(|i| profile_of(&outcome, i));

    // c joins b, then b (with c inside) joins a; one record names d, c and a at once.
    let bc = survey(
        "bc",
        5,
        json!({"account_id": "C", "email": "b@example.com"}),
    );
    let b_email = survey(
        "b2",
        6,
        json!({"account_id": "B", "email": "b@example.com"}),
    );
    let ab = survey(
        "ab",
        7,
        json!({"account_id": "A", "email": "b@example.com"}),
    );
    let links = store.ingest(ws, &[bc, b_email, ab], &policy).await.unwrap();
    assert_eq!(links.merges, 2);
    let all = survey(
        "acd",
        8,
        json!({"account_id": "D", "phone": "+15551234567", "email": "b@example.com"}),
    );
    let all = store.ingest(ws, &[all], &policy).await.unwrap();
    assert_eq!((all.merges, profile_of(&all, 0)), (1, a));

    let root = store.profile(ws, c).await.unwrap().unwrap();
    assert_eq!(root.id, a);
    assert_eq!(root.merged, vec![b, c, d]);
    assert_eq!(root.signal_count, 8);
    assert_eq!(store.timeline(ws, d, 100).await.unwrap().len(), 8);
    let links = store.profile_links().await.unwrap();
    let canon: Vec<_> = links.iter().map(|l| (l.profile, l.canonical)).collect();
    assert_eq!(canon, vec![(b, a), (c, a), (d, a)]);

    // Undo only b→a: b comes back with c still inside it.
    let history = store.merges(ws, a).await.unwrap();
    assert_eq!(history.len(), 3);
    assert!(
        history.windows(2).all(|w| w[0].id > w[1].id),
        "newest first"
    );
    let b_into_a = history.iter().find(|m| m.absorbed == b).unwrap().id;
    store.unmerge(ws, b_into_a).await.unwrap();
    let b_again = store.profile(ws, c).await.unwrap().unwrap();
    assert_eq!((b_again.id, b_again.merged.clone()), (b, vec![c]));
    // b, c, and the two records that linked them (one attached to each at intake).
    assert_eq!(b_again.signal_count, 4);
    let a_again = store.profile(ws, a).await.unwrap().unwrap();
    assert_eq!((a_again.merged.clone(), a_again.signal_count), (vec![d], 4));
    let canon: Vec<_> = store
        .profile_links()
        .await
        .unwrap()
        .iter()
        .map(|l| (l.profile, l.canonical))
        .collect();
    assert_eq!(canon, vec![(c, b), (d, a)]);
}
