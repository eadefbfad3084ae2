//! Runs every story of the conformance suite on every backend, one test per
//! (backend, story), all in one test binary.

use throughline_store_tests::backends::{PostgresHarness, SqliteHarness};
use throughline_store_tests::stories;

/// One `#[tokio::test]` per story, given an expression that yields `Option<harness>`.
macro_rules! stories {
    ($harness:expr; $($story:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $story() {
                let Some(harness) = $harness else { return };
                stories::$story(&harness.store).await;
            }
        )+
    };
}

/// Every story that needs nothing but a fresh store.
macro_rules! every_story {
    ($harness:expr) => {
        stories!($harness;
            story_workspaces,
            story_api_keys,
            story_workspace_isolation,
            story_ingest_idempotent,
            story_signal_round_trips,
            story_unknown_workspace_writes_nothing,
            story_identity_attach_and_create,
            story_shared_mailbox_never_merges,
            story_stakeholder_types_do_not_mix,
            story_identity_resolution_merge_unmerge,
            story_merge_chain_and_partial_unmerge,
            story_feed_order,
            story_feed_under_concurrent_batches,
            story_acquisition_spend,
            story_owned_batches_answer_each_caller,
        );
    };
}

mod sqlite {
    use super::*;

    every_story!(Some(SqliteHarness::new()));

    #[tokio::test]
    async fn story_batch_is_atomic() {
        let harness = SqliteHarness::new();
        harness.fail_on_external_id(stories::FAILING_EXTERNAL_ID);
        stories::story_batch_is_atomic(&harness.store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn story_owned_failing_batch_fails_alone() {
        let harness = SqliteHarness::new();
        harness.fail_on_external_id(stories::FAILING_EXTERNAL_ID);
        stories::story_owned_failing_batch_fails_alone(&harness.store).await;
    }
}

mod postgres {
    use super::*;

    every_story!(PostgresHarness::start().await);

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn story_batch_is_atomic() {
        let Some(harness) = PostgresHarness::start().await else {
            return;
        };
        harness
            .fail_on_external_id(stories::FAILING_EXTERNAL_ID)
            .await;
        stories::story_batch_is_atomic(&harness.store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn story_owned_failing_batch_fails_alone() {
        let Some(harness) = PostgresHarness::start().await else {
            return;
        };
        harness
            .fail_on_external_id(stories::FAILING_EXTERNAL_ID)
            .await;
        stories::story_owned_failing_batch_fails_alone(&harness.store).await;
    }
}
