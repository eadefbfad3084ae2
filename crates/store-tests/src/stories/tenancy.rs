//! Workspaces, API keys, and the wall between workspaces.

use serde_json::json;
use throughline_domain::{apikey, IdentityPolicy, MergeId, ProfileId};
use throughline_store::{Store, StoreError};

use crate::fixtures::{profile_of, survey};

pub async fn story_workspaces(store: &dyn Store) {
    assert_eq!(store.workspaces().await.unwrap(), vec![]);
    let acme = store.ensure_workspace("acme").await.unwrap();
    assert_eq!(acme.name, "acme");
    // Ensuring again finds the same workspace instead of making a second one.
    assert_eq!(store.ensure_workspace("acme").await.unwrap(), acme);
    let globex = store.ensure_workspace("globex").await.unwrap();
    assert_ne!(globex.id, acme.id);
    assert_eq!(
        store.workspace_by_name("acme").await.unwrap(),
        Some(acme.clone())
    );
    assert_eq!(store.workspace(acme.id).await.unwrap(), Some(acme.clone()));
    assert_eq!(store.workspace_by_name("initech").await.unwrap(), None);
    // Listed by name, whatever order they were made in.
    let aardvark = store.ensure_workspace("aardvark").await.unwrap();
    assert_eq!(
        store.workspaces().await.unwrap(),
        vec![aardvark, acme, globex]
    );
    assert_eq!(
        store
            .workspace(throughline_domain::WorkspaceId(9_999))
            .await
            .unwrap(),
        None
    );
    store.ping().await.unwrap();
}

pub async fn story_api_keys(store: &dyn Store) {
    let acme = store.ensure_workspace("acme").await.unwrap();
    let globex = store.ensure_workspace("globex").await.unwrap();
    let acme_key = apikey::format_key([1; 32]);
    let globex_key = apikey::format_key([2; 32]);
    let prefix = apikey::display_prefix(&acme_key);
    store
        .add_api_key(acme.id, &apikey::digest(&acme_key), &prefix)
        .await
        .unwrap();
    store
        .add_api_key(globex.id, &apikey::digest(&globex_key), "tl_globex")
        .await
        .unwrap();

    assert_eq!(
        store
            .workspace_for_key(&apikey::digest(&acme_key))
            .await
            .unwrap(),
        Some(acme.id)
    );
    assert_eq!(
        store
            .workspace_for_key(&apikey::digest(&globex_key))
            .await
            .unwrap(),
        Some(globex.id)
    );
    let stranger = apikey::digest(&apikey::format_key([3; 32]));
    assert_eq!(store.workspace_for_key(&stranger).await.unwrap(), None);
    // The raw key is not what is stored: looking it up as a digest finds nothing.
    assert_eq!(store.workspace_for_key(&acme_key).await.unwrap(), None);

    // One digest belongs to one workspace; a second claim is the caller's conflict.
    let again = store
        .add_api_key(globex.id, &apikey::digest(&acme_key), "tl_x")
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict(_))),
        "got {again:?}"
    );
    let orphan = store
        .add_api_key(throughline_domain::WorkspaceId(9_999), &stranger, "tl_y")
        .await;
    assert!(
        matches!(orphan, Err(StoreError::NotFound(_))),
        "got {orphan:?}"
    );
}

pub async fn story_workspace_isolation(store: &dyn Store) {
    let policy = IdentityPolicy::default();
    let acme = store.ensure_workspace("acme").await.unwrap();
    let globex = store.ensure_workspace("globex").await.unwrap();
    let key = apikey::format_key([4; 32]);
    store
        .add_api_key(acme.id, &apikey::digest(&key), "tl_acme")
        .await
        .unwrap();

    // The same source, external id and email in two workspaces are two records and two people.
    let ann = || survey("r-1", 1, json!({"email": "ann@example.com"}));
    let in_acme = store.ingest(acme.id, &[ann()], &policy).await.unwrap();
    let in_globex = store.ingest(globex.id, &[ann()], &policy).await.unwrap();
    assert_eq!((in_acme.accepted, in_globex.accepted), (1, 1));
    let (acme_ann, globex_ann) = (profile_of(&in_acme, 0), profile_of(&in_globex, 0));
    assert_ne!(acme_ann, globex_ann);

    // What acme's key opens sees acme's profile and nothing of globex's.
    let seen_by_key = store
        .workspace_for_key(&apikey::digest(&key))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen_by_key, acme.id);
    assert!(store
        .profile(seen_by_key, acme_ann)
        .await
        .unwrap()
        .is_some());
    assert_eq!(store.profile(seen_by_key, globex_ann).await.unwrap(), None);
    let timeline = store.timeline(seen_by_key, globex_ann, 10).await;
    assert!(
        matches!(timeline, Err(StoreError::NotFound(_))),
        "got {timeline:?}"
    );
    let merges = store.merges(seen_by_key, globex_ann).await;
    assert!(
        matches!(merges, Err(StoreError::NotFound(_))),
        "got {merges:?}"
    );

    // A merge in globex cannot be undone through acme.
    let link = survey(
        "r-2",
        2,
        json!({"email": "ann@example.com", "account_id": "G-1"}),
    );
    let other = survey("r-3", 3, json!({"account_id": "G-2"}));
    store
        .ingest(globex.id, &[link, other], &policy)
        .await
        .unwrap();
    let joined = survey(
        "r-4",
        4,
        json!({"account_id": "G-2", "email": "ann@example.com"}),
    );
    let merged = store.ingest(globex.id, &[joined], &policy).await.unwrap();
    assert_eq!(merged.merges, 1);
    let merge = store.merges(globex.id, globex_ann).await.unwrap()[0].id;
    let cross = store.unmerge(acme.id, merge).await;
    assert!(
        matches!(cross, Err(StoreError::NotFound(_))),
        "got {cross:?}"
    );
    let unknown = store.unmerge(globex.id, MergeId(merge.0 + 1_000)).await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound(_))),
        "got {unknown:?}"
    );

    // Acme's profile is untouched by globex's merge.
    let acme_profile = store.profile(acme.id, acme_ann).await.unwrap().unwrap();
    assert_eq!(
        (acme_profile.signal_count, acme_profile.merged.len()),
        (1, 0)
    );
    assert_eq!(
        store.profile(acme.id, ProfileId(i64::MAX)).await.unwrap(),
        None
    );
}
