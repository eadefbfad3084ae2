//! SQL over the fixture: numbers match the hand-computed ones, every workspace
//! sees only its own rows, and only read-only statements run.

use serde_json::json;
use throughline_analytics::{view_columns, AnalyticsError};

use crate::{fixture_copy, rows, scalar, WS1, WS2};

#[tokio::test]
async fn counts_and_averages_match_the_hand_computed_values() {
    let (_dir, _store, copy) = fixture_copy().await;
    let check = |sql: &'static str, want: serde_json::Value| {
        let copy = &copy;
        async move { assert_eq!(scalar(copy, WS1, sql).await, want, "{sql}") }
    };
    check("SELECT count(*) FROM signals", json!(6)).await;
    check("SELECT count(nps) FROM signals", json!(4)).await;
    check("SELECT avg(nps) FROM signals", json!(7.5)).await;
    check("SELECT avg(csat) FROM signals", json!(3.0)).await;
    check(
        "SELECT 100.0 * (sum(CASE WHEN nps >= 9 THEN 1 ELSE 0 END) - sum(CASE WHEN nps <= 6 THEN 1 ELSE 0 END)) / count(nps) FROM signals",
        json!(25.0),
    )
    .await;
    check(
        "SELECT sum(amount) FROM signals WHERE kind = 'transaction'",
        json!(19.99),
    )
    .await;
    check("SELECT count(DISTINCT profile_id) FROM signals", json!(4)).await;
    // Times are UTC: 14:30+01:00 is 13:30Z.
    check(
        "SELECT count(*) FROM signals WHERE occurred_at = '2026-03-01T13:30:00Z'",
        json!(4),
    )
    .await;
    check(
        "SELECT CAST(date_part('epoch', resolved_at - occurred_at) AS BIGINT) FROM signals WHERE kind = 'ticket'",
        json!(7200),
    )
    .await;
    let by_channel = rows(
        &copy,
        WS1,
        "SELECT channel, count(*) AS n FROM signals WHERE channel IS NOT NULL GROUP BY channel ORDER BY channel",
    )
    .await;
    assert_eq!(
        by_channel,
        vec![vec![json!("store"), json!(1)], vec![json!("web"), json!(3)]]
    );
}

#[tokio::test]
async fn columns_carry_the_wire_names_and_values() {
    let (_dir, _store, copy) = fixture_copy().await;
    let all = copy
        .query(WS1, "SELECT * FROM signals ORDER BY external_id")
        .await
        .unwrap();
    // Every column but the server-wide `seq`, which ad-hoc SQL does not see.
    let names: Vec<&str> = view_columns()
        .iter()
        .map(|(n, _, _)| *n)
        .filter(|n| *n != "seq")
        .collect();
    assert_eq!(all.columns, names);
    assert_eq!((all.row_count, all.truncated), (6, false));
    let ticket = rows(
        &copy,
        WS1,
        "SELECT kind, source, email, phone, text, properties, occurred_at, resolved_at FROM signals WHERE external_id = 't1'",
    )
    .await;
    assert_eq!(
        ticket[0],
        vec![
            json!("ticket"),
            json!("zendesk"),
            json!("dan@x.com"),
            json!("+442079460958"),
            json!("Where is my order?"),
            json!(r#"{"priority":"high"}"#),
            json!("2026-03-02T09:00:00Z"),
            json!("2026-03-02T11:00:00Z"),
        ]
    );
    let json_field = "SELECT count(*) FROM signals WHERE properties LIKE '%\"priority\":\"high\"%'";
    assert_eq!(scalar(&copy, WS1, json_field).await, json!(1));
    // `property` reads a top-level property as the equivalent regex does.
    let both = "SELECT property(properties, 'priority') AS p, \
                regexp_match(properties, '\"priority\":\"?([^\",}]*)')[1] AS r \
                FROM signals ORDER BY external_id";
    let read = rows(&copy, WS1, both).await;
    assert!(read.iter().all(|r| r[0] == r[1]), "{read:?}");
    assert!(read.iter().any(|r| r[0] == json!("high")), "{read:?}");
    assert!(read.iter().any(|r| r[0].is_null()), "{read:?}");
}

#[tokio::test]
async fn a_workspace_sees_only_its_own_rows() {
    let (_dir, _store, copy) = fixture_copy().await;
    assert_eq!(
        scalar(&copy, WS2, "SELECT count(*) FROM signals").await,
        json!(2)
    );
    assert_eq!(
        scalar(&copy, WS2, "SELECT avg(nps) FROM signals").await,
        json!(0.0)
    );
    let secret = "SELECT count(*) FROM signals WHERE channel = 'secret'";
    assert_eq!(scalar(&copy, WS1, secret).await, json!(0));
    assert_eq!(
        scalar(&copy, WS2, "SELECT count(*) FROM profiles").await,
        json!(2)
    );
    // An empty workspace sees an empty table, not an error.
    assert_eq!(
        scalar(
            &copy,
            throughline_domain::WorkspaceId(99),
            "SELECT count(*) FROM signals"
        )
        .await,
        json!(0)
    );

    // The workspace column is not there to filter on or to widen.
    for sql in [
        "SELECT workspace_id FROM signals",
        "SELECT * FROM signals_all",
        "SELECT * FROM stored",
        "SELECT * FROM \"?table?\"",
        "SELECT * FROM information_schema.tables",
        "SHOW TABLES",
        "SELECT * FROM datafusion.public.signals_all",
    ] {
        let err = copy.query(WS2, sql).await.expect_err(sql);
        assert!(err.is_user_error(), "{sql}: {err}");
    }
    // Reading files by path (DataFusion's URL tables) stays off.
    let segment = format!(
        "SELECT * FROM '{}'",
        _dir.path().join("segment-00000001.parquet").display()
    );
    copy.flush().await.unwrap();
    assert!(copy.query(WS2, &segment).await.is_err());
    // A table function cannot escape either: it produces no signals.
    let series = "SELECT count(*) FROM generate_series(1, 3)";
    assert_eq!(scalar(&copy, WS2, series).await, json!(3));
}

#[tokio::test]
async fn only_read_only_statements_run() {
    let (_dir, _store, copy) = fixture_copy().await;
    for sql in [
        "CREATE TABLE t AS SELECT * FROM signals",
        "CREATE VIEW v AS SELECT 1",
        "CREATE EXTERNAL TABLE x STORED AS PARQUET LOCATION '/tmp'",
        "DROP TABLE signals",
        "INSERT INTO signals (seq) VALUES (1)",
        "DELETE FROM signals",
        "UPDATE signals SET nps = 10",
        "COPY signals TO '/tmp/out.parquet'",
        "SET datafusion.execution.batch_size = 1",
        "SELECT * INTO stolen FROM signals",
        "EXPLAIN DROP TABLE signals",
    ] {
        match copy.query(WS1, sql).await {
            Err(AnalyticsError::Forbidden(why)) => {
                assert!(why.contains("read-only"), "{sql}: {why}")
            }
            other => panic!("{sql} should be forbidden, got {other:?}"),
        }
    }
    let bad = copy.query(WS1, "SELEC nps FROM signals").await.unwrap_err();
    assert!(matches!(bad, AnalyticsError::BadSql(_)), "{bad}");
    let unknown = copy
        .query(WS1, "SELECT nope FROM signals")
        .await
        .unwrap_err();
    assert!(matches!(unknown, AnalyticsError::BadSql(_)), "{unknown}");
    let two = copy.query(WS1, "SELECT 1; SELECT 2").await.unwrap_err();
    assert!(two.is_user_error(), "{two}");
    // Read-only forms do run.
    assert_eq!(
        scalar(
            &copy,
            WS1,
            "WITH s AS (SELECT nps FROM signals) SELECT max(nps) FROM s"
        )
        .await,
        json!(10)
    );
    copy.query(WS1, "EXPLAIN SELECT * FROM signals")
        .await
        .unwrap();
}

#[tokio::test]
async fn json_output_is_capped_and_says_so() {
    let (_dir, _store, copy) = fixture_copy().await;
    let limit = throughline_analytics::AnalyticsConfig::default().max_json_rows;
    let sql = "SELECT value FROM generate_series(1, 20000)";
    let result = copy.query(WS1, sql).await.unwrap();
    assert_eq!((result.row_count, result.truncated), (limit, true));
    let batches = copy
        .query_batches(WS1, "SELECT seq, nps FROM signals")
        .await
        .unwrap();
    assert_eq!(batches.num_rows(), 6);
    assert_eq!(batches.schema.field(0).name(), "seq");
}

#[tokio::test]
async fn profile_ids_are_canonical_after_a_merge_and_again_after_an_unmerge() {
    let (_dir, store, copy) = fixture_copy().await;
    let per_profile =
        "SELECT profile_id, count(*) FROM signals GROUP BY profile_id ORDER BY profile_id";
    let before = rows(&copy, WS1, per_profile).await;
    assert_eq!(
        before,
        vec![
            vec![json!(1), json!(2)],
            vec![json!(2), json!(2)],
            vec![json!(3), json!(1)],
            vec![json!(4), json!(1)]
        ]
    );

    // Profile 3 is merged into 1, and then 4 into 3: both now live in 1.
    store.merge(1, 3, 1);
    store.merge(1, 4, 3);
    // The same profile ids in workspace 2 are untouched by workspace 1's merges.
    store.add(2, 3, crate::survey("r3", "gus@y.com", json!({"nps": 5})));
    copy.refresh().await.unwrap();
    let after = rows(&copy, WS1, per_profile).await;
    assert_eq!(
        after,
        vec![vec![json!(1), json!(4)], vec![json!(2), json!(2)]]
    );
    let profiles = rows(
        &copy,
        WS1,
        "SELECT profile_id, canonical_id FROM profiles ORDER BY profile_id",
    )
    .await;
    assert_eq!(
        profiles,
        [[1, 1], [2, 2], [3, 1], [4, 1]].map(|p| vec![json!(p[0]), json!(p[1])])
    );
    assert_eq!(
        scalar(
            &copy,
            WS2,
            "SELECT profile_id FROM signals WHERE external_id = 'r3'"
        )
        .await,
        json!(3)
    );

    // Merges are applied at query time, so segments written before still answer right.
    copy.flush().await.unwrap();
    assert_eq!(rows(&copy, WS1, per_profile).await, after);
    store.unmerge_all();
    copy.refresh().await.unwrap();
    assert_eq!(rows(&copy, WS1, per_profile).await, before);
}
