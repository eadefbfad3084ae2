//! Black-box tests of the HTTP API: the real router on port 0, a fresh SQLite
//! database per test, requests over loopback. One test binary for link time.

mod common;

use common::{ndjson, record, spawn_app};
use serde_json::{json, Value};

#[tokio::test]
async fn health_and_readiness_answer_without_a_key() {
    let app = spawn_app().await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready: Value = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["store"], "sqlite");
}

#[tokio::test]
async fn intake_needs_a_valid_key() {
    let app = spawn_app().await;
    let body = ndjson(&[record(1, "a@x.com")]);
    let none = app
        .client
        .post(app.url("/api/v1/signals"))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    let wrong = app
        .client
        .post(app.url("/api/v1/signals"))
        .bearer_auth("tl_not-a-key")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let err: Value = wrong.json().await.unwrap();
    assert_eq!(err["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn mixed_batch_keeps_the_good_records_and_names_the_bad_ones() {
    let app = spawn_app().await;
    let mut bad_nps = record(2, "b@x.com");
    bad_nps["nps"] = json!(12);
    let mut body = ndjson(&[record(1, "a@x.com"), bad_nps, record(3, "c@x.com")]);
    body.push_str("{not json\n");
    let (status, out) = app.post_signals(&body, "application/x-ndjson").await;
    assert_eq!(status, 200);
    assert_eq!(out["accepted"], 2);
    assert_eq!(out["rejected"], 2);
    let rejects = out["rejects"].as_array().unwrap();
    assert_eq!(rejects[0]["index"], 1);
    assert_eq!(rejects[0]["field"], "nps");
    assert_eq!(rejects[1]["index"], 3);

    // Re-sending the same batch changes nothing.
    let (_, again) = app.post_signals(&body, "application/x-ndjson").await;
    assert_eq!(again["accepted"], 0);
    assert_eq!(again["duplicates"], 2);
    assert_eq!(app.count_signals().await, 2);
}

#[tokio::test]
async fn a_json_array_is_accepted_and_an_all_bad_batch_is_422() {
    let app = spawn_app().await;
    let array = json!([record(1, "a@x.com"), record(2, "b@x.com")]).to_string();
    let (status, out) = app.post_signals(&array, "application/json").await;
    assert_eq!((status, out["accepted"].clone()), (200, json!(2)));
    let mut bad = record(3, "c@x.com");
    bad["occurred_at"] = json!("yesterday");
    let (status, out) = app
        .post_signals(&json!([bad]).to_string(), "application/json")
        .await;
    assert_eq!(status, 422);
    assert_eq!(out["rejects"][0]["field"], "occurred_at");
}

#[tokio::test]
async fn limits_answer_413_with_a_message() {
    let app = spawn_app().await;
    let many: Vec<Value> = (0..10_001).map(|i| record(i, "a@x.com")).collect();
    let (status, out) = app
        .post_signals(&ndjson(&many), "application/x-ndjson")
        .await;
    assert_eq!(status, 413);
    assert!(
        out["error"]["message"].as_str().unwrap().contains("10000"),
        "{out}"
    );
    let huge = "x".repeat(17 * 1024 * 1024);
    let (status, out) = app.post_signals(&huge, "application/x-ndjson").await;
    assert_eq!(status, 413);
    assert_eq!(out["error"]["code"], "too_large");
    assert_eq!(app.count_signals().await, 0);
}

#[tokio::test]
async fn profiles_merge_explain_and_unmerge_over_http() {
    let app = spawn_app().await;
    let mut by_phone = record(2, "unused@x.com");
    by_phone["customer"] = json!({"phone": "+44 20 7946 0958"});
    let mut both = record(3, "ann@x.com");
    both["customer"] = json!({"email": "ann@x.com", "phone": "+442079460958"});
    let (_, out) = app
        .post_signals(&ndjson(&[record(1, "ann@x.com"), by_phone, both]), "")
        .await;
    assert_eq!(out["accepted"], 3);

    let profile = app.get_json("/api/v1/profiles/1").await;
    assert_eq!(
        profile["profile"]["identities"].as_array().unwrap().len(),
        2
    );
    let merge = &profile["merges"][0];
    assert_eq!(merge["identity"]["value"], "+442079460958");
    let timeline = app.get_json("/api/v1/profiles/1/timeline").await;
    assert_eq!(timeline["count"], 3);

    let merge_id = merge["id"].as_i64().unwrap();
    let undo = app
        .client
        .post(app.url(&format!("/api/v1/merges/{merge_id}/undo")))
        .bearer_auth(&app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(undo.status(), 200);
    let after = app.get_json("/api/v1/profiles/1/timeline").await;
    assert_eq!(
        after["count"], 2,
        "the phone-only signal went back with its profile"
    );
    let absorbed = app.get_json("/api/v1/profiles/2/timeline").await;
    assert_eq!(absorbed["count"], 1);
}

#[tokio::test]
async fn one_workspace_cannot_see_another() {
    let app = spawn_app().await;
    app.post_signals(&ndjson(&[record(1, "a@x.com")]), "").await;
    let other_key = app.key_for("other").await;
    let resp = app
        .client
        .get(app.url("/api/v1/profiles/1"))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let counted = app
        .query_with(&other_key, "SELECT count(*) AS n FROM signals")
        .await;
    assert_eq!(counted["result"]["rows"][0][0], 0);
}

#[tokio::test]
async fn sql_is_read_only_and_reports_lag() {
    let app = spawn_app().await;
    app.post_signals(&ndjson(&[record(1, "a@x.com"), record(2, "b@x.com")]), "")
        .await;
    let out = app
        .query("SELECT avg(nps) AS mean_nps, count(*) AS n FROM signals")
        .await;
    assert_eq!(out["result"]["rows"][0][1], 2);
    assert!(out["analytics_lag"].is_object());
    let status = app.get_json("/api/v1/status").await;
    assert_eq!(status["store"], "sqlite");
    assert!(status["analytics_lag"]["caught_up"].is_boolean());
    // Server-wide sequence numbers would tell a tenant how much others send.
    for field in ["copy_high_water", "store_high_water", "behind_signals"] {
        assert!(status["analytics_lag"].get(field).is_none(), "{status}");
        assert!(out["analytics_lag"].get(field).is_none(), "{out}");
    }
    // Two signals are still in the in-memory tail: no segment column is decoded yet.
    assert_eq!(status["analytics_hot_cache_bytes"], 0);
    let resp = app
        .client
        .post(app.url("/api/v1/query"))
        .bearer_auth(&app.key)
        .json(&json!({"sql": "DROP TABLE signals"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden_statement", "{body}");
    // Each kind of mistake keeps its own code (README, "Errors").
    for (sql, code) in [
        ("SELECT nope FROM signals", "bad_sql"),
        ("SELECT CAST('x' AS INT) FROM signals", "query_failed"),
    ] {
        let resp = app
            .client
            .post(app.url("/api/v1/query"))
            .bearer_auth(&app.key)
            .json(&json!({ "sql": sql }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{sql}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{sql}: {body}");
    }
}

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let app = spawn_app().await;
    let spec: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = spec["paths"].as_object().unwrap();
    for route in [
        "/healthz",
        "/readyz",
        "/api/v1/signals",
        "/api/v1/profiles/{id}",
        "/api/v1/profiles/{id}/timeline",
        "/api/v1/merges/{id}/undo",
        "/api/v1/query",
        "/api/v1/status",
        "/api/v1/openapi.json",
        "/api/v1/metrics/overview",
        "/api/v1/metrics/explore",
        "/api/v1/metrics/drivers",
        "/api/v1/metrics/alerts",
        "/api/v1/text/analyze",
        "/api/v1/value",
        "/api/v1/profiles/{id}/value",
        "/api/v1/acquisition-spend",
    ] {
        assert!(paths.contains_key(route), "{route} missing from the spec");
    }
    let kinds = &spec["components"]["schemas"]["Signal"]["properties"]["kind"]["enum"];
    assert_eq!(kinds.as_array().unwrap().len(), 11);
    // The statuses the limits give (hostile_queries.rs, hostile_connections.rs) are listed.
    for (path, statuses) in [
        ("/api/v1/query", &["200", "400", "413", "429"][..]),
        ("/api/v1/signals", &["200", "413", "429"][..]),
        ("/api/v1/text/analyze", &["200", "413", "429"][..]),
    ] {
        let listed = &paths[path]["post"]["responses"];
        for status in statuses {
            assert!(
                listed.get(*status).is_some(),
                "{path} does not list {status}"
            );
        }
    }
}
