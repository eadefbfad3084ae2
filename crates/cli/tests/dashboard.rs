//! The dashboard over HTTP: the metrics API and the pages show the same,
//! hand-computed figures; bad filters and unknown workspaces get clear errors.

mod common;

use common::{ndjson, spawn_app};
use serde_json::{json, Value};

/// Five customers' answers in March 2026, by hand: NPS 10, 9, 9 (promoters), 7
/// (passive), 2 (detractor) → NPS = 100 × (3 − 1) / 5 = 40. Web: 10, 9, 2 → 33.3;
/// phone: 9, 7 → 50. CSAT 5, 4, 2 → top-2-box 2/3.
fn answers() -> Vec<Value> {
    let row = |i: i64, nps: i64, channel: &str| {
        json!({
            "kind": "survey_response", "source": "t", "external_id": format!("a{i}"),
            "occurred_at": format!("2026-03-{:02}T10:00:00Z", i + 1),
            "customer": { "email": format!("c{i}@example.com") }, "nps": nps,
            "channel": channel, "brand": "Acme",
            "text": if nps <= 6 { "Delivery was late again, very disappointed" } else { "Lovely staff, quick delivery" }
        })
    };
    let mut rows = vec![
        row(0, 10, "web"),
        row(1, 9, "phone"),
        row(2, 9, "web"),
        row(3, 7, "phone"),
        row(4, 2, "web"),
    ];
    for (i, csat) in [5, 4, 2].into_iter().enumerate() {
        rows.push(json!({
            "kind": "survey_response", "source": "t", "external_id": format!("s{i}"),
            "occurred_at": "2026-03-20T10:00:00Z", "customer": { "email": format!("c{i}@example.com") },
            "csat": csat
        }));
    }
    rows
}

#[tokio::test]
async fn the_metrics_api_and_the_page_show_the_hand_computed_figures() {
    let app = spawn_app().await;
    let (status, _) = app
        .post_signals(&ndjson(&answers()), "application/x-ndjson")
        .await;
    assert_eq!(status, 200);
    app.analytics.refresh().await.unwrap();

    let overview = app.get_json("/api/v1/metrics/overview").await;
    let tile = |key: &str| -> Value {
        overview["tiles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["key"] == key)
            .unwrap()
            .clone()
    };
    assert_eq!(tile("nps")["current"]["value"].as_f64().unwrap(), 40.0);
    assert_eq!(tile("nps")["current"]["n"], 5);
    assert_eq!(tile("nps")["current"]["small_sample"], true);
    assert!((tile("csat")["current"]["value"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(overview["current"]["start"], "2026-01-01");
    assert_eq!(overview["freshness"]["fresh"], true);
    assert!(overview["freshness"]["computed_at"].is_string());

    let explore = app
        .get_json("/api/v1/metrics/explore?by=channel&months=3")
        .await;
    let seg = |name: &str| -> f64 {
        let all = explore["segments"].as_array().unwrap();
        all.iter().find(|s| s["segment"] == name).unwrap()["estimate"]["value"]
            .as_f64()
            .unwrap()
    };
    assert!((seg("web") - 100.0 / 3.0).abs() < 1e-9);
    assert_eq!(seg("phone"), 50.0);
    assert!(explore["comments"].as_array().unwrap().len() >= 5);

    // The same segments as CSV: a row each, the hand-computed values in the columns
    // named by their JSON paths.
    let csv = app
        .client
        .get(app.url("/api/v1/metrics/explore?by=channel&months=3&format=csv"))
        .bearer_auth(&app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (segment, value) = (column("segment"), column("estimate.value"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), explore["segments"].as_array().unwrap().len());
    let cell = |name: &str| -> f64 {
        let row = rows.iter().find(|r| r[segment] == name).unwrap();
        row[value].parse().unwrap()
    };
    assert!((cell("web") - 100.0 / 3.0).abs() < 1e-9);
    assert_eq!(cell("phone"), 50.0);
    // The page's "CSV" link beside the segments gives the same file.
    let page = app
        .client
        .get(app.url("/w/test/explore?by=channel&months=3"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let links: Vec<String> = page
        .split("class=\"csv\" href=\"")
        .skip(1)
        // As a browser reads the attribute: the template writes `&` as `&#38;` or `&amp;`.
        .map(|rest| {
            let href = rest.split('"').next().unwrap();
            href.replace("&#38;", "&").replace("&amp;", "&")
        })
        .collect();
    // A comment's themes show their labels and link to the theme, not raw ids.
    assert!(
        page.contains(">Delivery</a>") && page.contains("explore?theme=delivery"),
        "explore: expected the Delivery theme chip"
    );
    assert!(!page.contains("class=\"chip\">delivery<"));
    let segments = links
        .iter()
        .find(|l| l.ends_with("table=segments"))
        .unwrap();
    let from_page = app.client.get(app.url(segments)).send().await.unwrap();
    assert_eq!(from_page.status(), 200, "{segments}");
    assert_eq!(from_page.text().await.unwrap(), text, "{segments}");
    let nowhere = app
        .client
        .get(app.url("/w/test/export/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(nowhere.status(), 404);
    // Another table of the answer by its path; a wrong one or format is a named 400.
    for (query, status, says) in [
        ("format=csv&table=comments", 200, "text"),
        ("format=csv&table=nope", 400, "segments"),
        ("format=xml", 400, "format"),
    ] {
        let url = format!("/api/v1/metrics/explore?by=channel&months=3&{query}");
        let resp = app
            .client
            .get(app.url(&url))
            .bearer_auth(&app.key)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), status, "{query}");
        assert!(resp.text().await.unwrap().contains(says), "{query}");
    }

    // The page renders the same number, its n and its CI, escaped HTML around it.
    let page = app.client.get(app.url("/w/test/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Executive overview"));
    assert!(html.contains(">40.0<"), "NPS tile shows 40.0");
    assert!(html.contains("n = 5 (small sample)"));
    // A theme's change over 5 comments is marked as a small sample, never as a finding.
    let themes = html.split("id=\"themes-h\"").nth(1).unwrap();
    let themes = themes.split("</table>").next().unwrap();
    assert!(themes.contains("pts (small sample)"), "{themes}");
    assert!(!themes.contains("(significant)"), "{themes}");
    for path in [
        "/w/test/explore?by=channel",
        "/w/test/explore?by=properties.tier",
        "/w/test/drivers",
        "/w/test/drivers?drivers=touchpoints&outcome=churn",
        "/w/test/drivers?drivers=ratings",
        "/w/test/alerts",
        "/w/test/value",
        "/assets/app.css",
    ] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn bad_requests_say_what_is_wrong() {
    let app = spawn_app().await;
    let unauth = app
        .client
        .get(app.url("/api/v1/metrics/overview"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauth.status(), 401);
    for (path, field) in [
        ("/api/v1/metrics/explore?by=favourite_colour", "by"),
        ("/api/v1/metrics/overview?months=99", "months"),
        ("/api/v1/metrics/explore?grain=year", "grain"),
        ("/api/v1/metrics/drivers?outcome=revenue", "outcome"),
    ] {
        let resp = app
            .client
            .get(app.url(path))
            .bearer_auth(&app.key)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{path}");
        let body: Value = resp.json().await.unwrap();
        assert!(
            body["error"]["message"].as_str().unwrap().contains(field),
            "{path}: {body}"
        );
    }
    let missing = app.client.get(app.url("/w/nobody/")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing
        .text()
        .await
        .unwrap()
        .contains("no workspace called"));
    // An empty workspace is a page that says so, not an error.
    let empty = app.client.get(app.url("/w/test/")).send().await.unwrap();
    assert_eq!(empty.status(), 200);
    assert!(empty
        .text()
        .await
        .unwrap()
        .contains("No signals in this workspace yet"));
    let value = app
        .client
        .get(app.url("/w/test/value"))
        .send()
        .await
        .unwrap();
    assert_eq!(value.status(), 200);
    assert!(value
        .text()
        .await
        .unwrap()
        .contains("No paying customers yet"));
    // A driver set or property key that is not one is a 400 that names the field.
    for (path, field) in [
        ("/w/test/drivers?drivers=stores", "drivers"),
        ("/w/test/explore?by=properties.a%20b", "by"),
    ] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 400, "{path}");
        assert!(resp.text().await.unwrap().contains(field), "{path}");
    }
}

#[tokio::test]
async fn texts_are_explained_and_pii_never_stored_where_redaction_is_on() {
    let app = spawn_app().await;
    let resp = app
        .client
        .post(app.url("/api/v1/text/analyze"))
        .bearer_auth(&app.key)
        .json(&json!({ "text": "staff were lovely but delivery was late" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let analysis: Value = resp.json().await.unwrap();
    let themes = analysis["themes"].as_array().unwrap();
    let delivery = themes.iter().find(|t| t["theme"] == "delivery").unwrap();
    assert_eq!(delivery["label"], "negative");
    assert!(
        !delivery["evidence"].as_array().unwrap().is_empty(),
        "every label shows its words"
    );

    // The text goes in the body, so it stays out of URLs, logs and browser history.
    let page = app
        .client
        .post(app.url("/w/test/explain"))
        .form(&[("text", "never again, I want to cancel")])
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(
        html.contains("What the analyser found") && html.contains("churn"),
        "{html}"
    );

    // The test app redacts the workspace called "redacted" (see common::spawn_app).
    let key = app.key_for("redacted").await;
    let record = json!({
        "kind": "chat", "source": "t", "external_id": "c1", "occurred_at": "2026-03-01T10:00:00Z",
        "customer": { "email": "ann@example.com" },
        "text": "call me on +44 20 7946 0958 or write to ann.other@example.com"
    });
    let resp = app
        .client
        .post(app.url("/api/v1/signals"))
        .bearer_auth(&key)
        .json(&vec![record.clone()])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let out = app
        .query_with(&key, "SELECT text, profile_id FROM signals")
        .await;
    assert_eq!(
        out["result"]["rows"][0][0],
        "call me on [PHONE] or write to [EMAIL]"
    );
    // The store itself holds only the redacted text.
    let profile = out["result"]["rows"][0][1].as_i64().unwrap();
    let timeline = app
        .client
        .get(app.url(&format!("/api/v1/profiles/{profile}/timeline")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !timeline.contains("7946") && !timeline.contains("ann.other"),
        "{timeline}"
    );
    // Another workspace keeps its texts as sent.
    let resp = app
        .client
        .post(app.url("/api/v1/signals"))
        .bearer_auth(&app.key)
        .json(&vec![record])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let out = app
        .query("SELECT text FROM signals WHERE kind = 'chat'")
        .await;
    assert!(out["result"]["rows"][0][0]
        .as_str()
        .unwrap()
        .contains("ann.other@example.com"));
}

#[tokio::test]
async fn an_explain_link_names_a_signal_of_its_own_workspace_only() {
    let app = spawn_app().await;
    let record = json!({
        "kind": "chat", "source": "t", "external_id": "e1", "occurred_at": "2026-03-01T10:00:00Z",
        "customer": { "email": "zed@example.com" }, "text": "the parcel never arrived, no update at all"
    });
    let (status, _) = app.post_signals(&ndjson(&[record]), "").await;
    assert_eq!(status, 200);
    app.analytics.refresh().await.unwrap();
    let ws = app
        .store
        .workspace_by_name("test")
        .await
        .unwrap()
        .unwrap()
        .id;
    let seq = app
        .analytics
        .query_batches(ws, "SELECT seq FROM signals WHERE external_id = 'e1'")
        .await
        .unwrap()
        .i64s("seq")
        .unwrap()[0]
        .unwrap();
    let page = |ws: &'static str| {
        let url = app.url(&format!("/w/{ws}/explain?signal={seq}"));
        let client = app.client.clone();
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let html = page("test").await;
    assert!(html.contains("the parcel never arrived"), "{html}");
    assert!(html.contains("What the analyser found"), "{html}");
    // Another workspace asking for the same number sees nothing of it.
    app.key_for("other").await;
    let html = page("other").await;
    assert!(!html.contains("parcel"), "{html}");
}

#[tokio::test]
async fn the_profile_page_groups_names_and_scores_and_refuses_an_unknown_group() {
    let app = spawn_app().await;
    let rows = vec![
        json!({ "kind": "event", "source": "web", "external_id": "e1", "action": "sign_up",
                "occurred_at": "2026-03-01T09:00:00Z", "customer": { "email": "ann@example.com" },
                "properties": { "name": "Ann Other" } }),
        json!({ "kind": "event", "source": "web", "external_id": "e2", "action": "page_view",
                "occurred_at": "2026-03-02T09:00:00Z", "customer": { "email": "ann@example.com" } }),
        json!({ "kind": "survey_response", "source": "t", "external_id": "s1", "nps": 2,
                "occurred_at": "2026-03-03T09:00:00Z", "customer": { "email": "ann@example.com" },
                "text": "The delivery was late and the staff were rude" }),
    ];
    let (status, _) = app
        .post_signals(&ndjson(&rows), "application/x-ndjson")
        .await;
    assert_eq!(status, 200);
    app.analytics.refresh().await.unwrap();
    let out = app
        .query("SELECT profile_id, sentiment FROM signals WHERE kind = 'survey_response'")
        .await;
    let profile = out["result"]["rows"][0][0].as_i64().unwrap();
    let score = out["result"]["rows"][0][1].as_f64().unwrap();
    let page = |q: &str| {
        let url = app.url(&format!("/w/test/profiles/{profile}{q}"));
        let client = app.client.clone();
        async move {
            let r = client.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, html) = page("").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Ann Other <small>"), "{html}");
    // The comment under feedback with the copy's own score; events counted, not listed.
    assert!(html.contains("data-group=\"feedback\"") && html.contains(&format!("{score:+.2}")));
    assert!(!html.contains("data-group=\"activity\"") && html.contains("page view ×1"));
    let (status, html) = page("?show=activity").await;
    assert_eq!(status, 200);
    assert!(html.contains("data-group=\"activity\"") && !html.contains("data-group=\"feedback\""));
    assert_eq!(page("?show=everything%3Cscript%3E").await.0, 400);
    // Another workspace's page does not show this person: their id is not its profile.
    app.key_for("other").await;
    let other = app.url(&format!("/w/other/profiles/{profile}"));
    assert_eq!(app.client.get(other).send().await.unwrap().status(), 404);
}
