//! Customer value over HTTP and the command line: the acquisition-spend ledger keeps good
//! rows and names bad ones, the value API answers with counts and clear refusals when the
//! data are too few for a model, and a profile's value is found by any of its ids.

mod common;

use common::{ndjson, spawn_app};
use serde_json::{json, Value};

#[tokio::test]
async fn spend_keeps_good_rows_names_bad_ones_and_stays_in_its_workspace() {
    let app = spawn_app().await;
    let rows = json!([
        { "channel": "social", "campaign": "spring", "month": "2026-03", "amount": 1200.5, "currency": "gbp" },
        { "channel": "web", "month": "March", "amount": "x", "currency": "GBP" },
        { "channel": "web", "month": "2026-03-01", "amount": "300", "currency": "GBP" }
    ]);
    let resp = app
        .client
        .post(app.url("/api/v1/acquisition-spend"))
        .bearer_auth(&app.key)
        .json(&rows)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let outcome: Value = resp.json().await.unwrap();
    assert_eq!(outcome["written"], 2);
    let rejected = outcome["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["index"], 1);
    let fields: Vec<&str> = rejected[0]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["month", "amount"]);

    let stored = app.get_json("/api/v1/acquisition-spend").await;
    assert_eq!(
        stored,
        json!([
            { "channel": "social", "campaign": "spring", "month": "2026-03", "amount": 1200.5, "currency": "GBP" },
            { "channel": "web", "campaign": "", "month": "2026-03", "amount": 300.0, "currency": "GBP" }
        ])
    );
    let other = app.key_for("other").await;
    let theirs: Value = app
        .client
        .get(app.url("/api/v1/acquisition-spend"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(theirs, json!([]));
    let anonymous = app
        .client
        .get(app.url("/api/v1/value"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

/// Three customers: a buys twice (GBP 20 + 30), b once (GBP 15) then cancels, c renews.
fn purchases() -> Vec<Value> {
    let tx = |id: &str, who: &str, day: u32, action: &str, amount: f64| {
        json!({ "kind": "transaction", "source": "shop", "external_id": id,
            "occurred_at": format!("2026-03-{day:02}T10:00:00Z"), "customer": { "email": format!("{who}@example.com") },
            "action": action, "amount": amount, "currency": "GBP", "channel": "web" })
    };
    vec![
        tx("t1", "a", 1, "purchase", 20.0),
        tx("t2", "a", 9, "purchase", 30.0),
        tx("t3", "b", 2, "purchase", 15.0),
        tx("t4", "b", 5, "cancellation", 0.0),
        tx("t5", "c", 3, "renewal", 9.0),
    ]
}

#[tokio::test]
async fn too_few_customers_get_counts_and_clear_refusals_not_numbers() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_signals(&ndjson(&purchases()), "application/x-ndjson")
        .await;
    assert_eq!(status, 200, "{body}");
    app.analytics.refresh().await.unwrap();
    let value = app.get_json("/api/v1/value").await;
    assert_eq!(value["fitted_through_seq"], 5, "fitted on all five signals");
    assert_eq!(value["paying_customers"], 3);
    assert_eq!(value["left"], 1);
    let refusals = value["refusals"].as_array().unwrap();
    let text = |needle: &str| {
        refusals
            .iter()
            .any(|r| r.as_str().unwrap().contains(needle))
    };
    assert!(
        text("purchase model (BG/NBD)") && text("churn model"),
        "{refusals:?}"
    );
    assert!(value["purchase_model"].is_null() && value["churn"].is_null());

    // b left: worth nothing; a's value is unknown without a model, never a made-up number.
    let b = profile_of(&app, "b@example.com").await;
    let gone = app.get_json(&format!("/api/v1/profiles/{b}/value")).await;
    assert_eq!(gone["left"], true);
    assert_eq!(gone["clv"], 0.0);
    let a = profile_of(&app, "a@example.com").await;
    let unknown = app.get_json(&format!("/api/v1/profiles/{a}/value")).await;
    assert!(
        unknown["clv"].is_null() && unknown["churn_probability"].is_null(),
        "{unknown}"
    );
    let missing = app
        .client
        .get(app.url("/api/v1/profiles/999999/value"))
        .bearer_auth(&app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    // Models are not refitted on every new signal: within five minutes the fit stands.
    let later = json!({ "kind": "transaction", "source": "shop", "external_id": "t6",
        "occurred_at": "2026-03-20T10:00:00Z", "customer": { "email": "d@example.com" },
        "action": "purchase", "amount": 5.0, "currency": "GBP" });
    let (status, _) = app
        .post_signals(&ndjson(&[later]), "application/x-ndjson")
        .await;
    assert_eq!(status, 200);
    app.analytics.refresh().await.unwrap();
    let again = app.get_json("/api/v1/value").await;
    assert_eq!(again["fitted_through_seq"], 5);
    assert_eq!(again["paying_customers"], 3);
}

async fn profile_of(app: &common::TestApp, email: &str) -> i64 {
    let sql = format!("SELECT profile_id FROM signals WHERE email = '{email}' LIMIT 1");
    app.query(&sql).await["result"]["rows"][0][0]
        .as_i64()
        .unwrap()
}

#[test]
fn the_spend_command_keeps_good_rows_and_exits_2_on_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("spend.csv");
    std::fs::write(
        &file,
        "channel,campaign,month,amount,currency\nsocial,,2026-03,100,GBP\nweb,,2026-3,5,GBP\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_throughline"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["value", "spend"])
        .arg(&file)
        .args(["--workspace", "acme"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("wrote 1 spend rows") && stdout.contains("1 rejected"),
        "{stdout}"
    );
    assert!(stderr.contains("line 3, field `month`"), "{stderr}");
}
