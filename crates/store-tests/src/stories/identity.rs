//! Identity resolution without merges: attach, create, shared mailboxes, and
//! stakeholder types kept apart.

use serde_json::json;
use throughline_domain::{Identity, IdentityPolicy, StakeholderType};
use throughline_store::Store;

use crate::fixtures::{parse, profile_of, survey};

pub async fn story_identity_attach_and_create(store: &dyn Store) {
    let policy = IdentityPolicy::default();
    let ws = store.ensure_workspace("acme").await.unwrap().id;
    let batch = [
        survey("r-1", 1, json!({"email": "ann@example.com"})),
        // Written differently, normalised the same: the same person.
        survey(
            "r-2",
            2,
            json!({"email": " ANN@example.com ", "account_id": "A-1"}),
        ),
        survey("r-3", 3, json!({"account_id": "A-1"})),
        survey("r-4", 4, json!({"account_id": "a-1"})),
    ];
    let outcome = store.ingest(ws, &batch, &policy).await.unwrap();
    assert_eq!((outcome.accepted, outcome.merges), (4, 0));
    let ann = profile_of(&outcome, 0);
    assert_eq!(profile_of(&outcome, 1), ann);
    assert_eq!(
        profile_of(&outcome, 2),
        ann,
        "the account id added by r-2 finds ann"
    );
    let other = profile_of(&outcome, 3);
    assert_ne!(other, ann, "account ids are case-sensitive");

    let profile = store.profile(ws, ann).await.unwrap().unwrap();
    assert_eq!(profile.id, ann);
    assert_eq!(profile.stakeholder_type, StakeholderType::Customer);
    let want = vec![
        Identity::email("ann@example.com").unwrap(),
        Identity::account_id("A-1").unwrap(),
    ];
    assert_eq!(profile.identities, want);
    assert_eq!(profile.signal_count, 3);
    assert_eq!(profile.merged, vec![]);
    let day = |d: i64| (1_772_359_200 + (d - 1) * 86_400) * 1_000_000;
    assert_eq!(profile.first_seen_us, Some(day(1)));
    assert_eq!(profile.last_seen_us, Some(day(3)));
}

pub async fn story_shared_mailbox_never_merges(store: &dyn Store) {
    let mut policy = IdentityPolicy::default();
    policy.deny.insert("+442079460958".into());
    let ws = store.ensure_workspace("acme").await.unwrap().id;
    let batch = [
        survey(
            "r-1",
            1,
            json!({"email": "info@acme.com", "account_id": "ANN"}),
        ),
        survey("r-2", 2, json!({"email": "info@acme.com"})),
        survey(
            "r-3",
            3,
            json!({"email": "info@acme.com", "account_id": "BOB"}),
        ),
        survey("r-4", 4, json!({"email": "info@acme.com"})),
        // A denied phone is as weak as a shared mailbox.
        survey(
            "r-5",
            5,
            json!({"phone": "+44 20 7946 0958", "account_id": "ANN"}),
        ),
        survey(
            "r-6",
            6,
            json!({"phone": "+44 20 7946 0958", "account_id": "BOB"}),
        ),
    ];
    let outcome = store.ingest(ws, &batch, &policy).await.unwrap();
    assert_eq!((outcome.accepted, outcome.merges), (6, 0));
    let (ann, mailbox, bob) = (
        profile_of(&outcome, 0),
        profile_of(&outcome, 1),
        profile_of(&outcome, 2),
    );
    assert!(
        ann != mailbox && mailbox != bob && ann != bob,
        "{outcome:?}"
    );
    assert_eq!(
        profile_of(&outcome, 3),
        mailbox,
        "known only by the mailbox: the mailbox"
    );
    assert_eq!(profile_of(&outcome, 4), ann);
    assert_eq!(profile_of(&outcome, 5), bob);

    // The shared identities were never given to a person.
    let ann_profile = store.profile(ws, ann).await.unwrap().unwrap();
    assert_eq!(
        ann_profile.identities,
        vec![Identity::account_id("ANN").unwrap()]
    );
    assert_eq!(ann_profile.signal_count, 2);
    let mailbox_profile = store.profile(ws, mailbox).await.unwrap().unwrap();
    assert_eq!(
        mailbox_profile.identities,
        vec![Identity::email("info@acme.com").unwrap()]
    );
    assert_eq!(mailbox_profile.signal_count, 2);
    assert_eq!(store.profile_links().await.unwrap(), vec![]);
}

pub async fn story_stakeholder_types_do_not_mix(store: &dyn Store) {
    let policy = IdentityPolicy::default();
    let ws = store.ensure_workspace("acme").await.unwrap().id;
    let as_customer = survey("r-1", 1, json!({"email": "sam@acme.com"}));
    let as_employee = parse(json!({
        "kind": "employee_feedback", "source": "pulse", "external_id": "p-1",
        "occurred_at": "2026-03-02T10:00:00Z", "employee": {"email": "sam@acme.com"}, "nps": 3,
    }));
    let outcome = store
        .ingest(ws, &[as_customer, as_employee], &policy)
        .await
        .unwrap();
    let (customer, employee) = (profile_of(&outcome, 0), profile_of(&outcome, 1));
    assert_ne!(customer, employee);
    let employee_profile = store.profile(ws, employee).await.unwrap().unwrap();
    assert_eq!(employee_profile.stakeholder_type, StakeholderType::Employee);
    assert_eq!(employee_profile.signal_count, 1);
}
