//! A copy still catching up is never shown as the current picture: every page says
//! the figures are partial, with progress, and every metrics answer carries
//! `analytics_lag` (JSON) and the progress header (JSON and CSV), until it has caught up.

mod common;

use common::{ndjson, record, spawn_app};

const PAGES: [&str; 5] = [
    "/w/test/",
    "/w/test/explore",
    "/w/test/drivers",
    "/w/test/alerts",
    "/w/test/value",
];
const ANSWERS: [&str; 5] = [
    "/api/v1/metrics/overview",
    "/api/v1/metrics/explore",
    "/api/v1/metrics/drivers",
    "/api/v1/metrics/alerts",
    "/api/v1/value",
];

#[tokio::test]
async fn figures_from_a_copy_behind_the_store_say_partial_with_progress() {
    let app = spawn_app().await;
    let first: Vec<_> = (0..30)
        .map(|i| record(i, &format!("a{i}@example.com")))
        .collect();
    assert_eq!(
        app.post_signals(&ndjson(&first), "application/x-ndjson")
            .await
            .0,
        200
    );
    app.analytics.refresh().await.unwrap();
    // 70 more that the copy has not pulled: it holds 30 of 100.
    let more: Vec<_> = (30..100)
        .map(|i| record(i, &format!("b{i}@example.com")))
        .collect();
    assert_eq!(
        app.post_signals(&ndjson(&more), "application/x-ndjson")
            .await
            .0,
        200
    );

    for path in ANSWERS {
        let resp = app
            .client
            .get(app.url(path))
            .bearer_auth(&app.key)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        let progress = resp.headers()["throughline-analytics-progress"]
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(progress, "0.30", "{path}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["analytics_lag"]["caught_up"], false, "{path}: {body}");
        assert_eq!(body["analytics_lag"]["progress"], 0.3, "{path}");
    }
    let csv = app
        .client
        .get(app.url("/api/v1/metrics/overview?format=csv"))
        .bearer_auth(&app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["throughline-analytics-progress"], "0.30");
    for path in PAGES {
        let html = app
            .client
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("class=\"partial\""), "{path} has no banner");
        assert!(html.contains("30% of signals are in"), "{path}");
        assert!(html.contains("partial"), "{path}");
    }
    let overview = app
        .client
        .get(app.url("/w/test/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !overview.contains("data-fresh=\"true\""),
        "a partial overview is marked fresh"
    );

    app.analytics.refresh().await.unwrap();
    for path in ANSWERS {
        let body = app.get_json(path).await;
        assert_eq!(body["analytics_lag"]["caught_up"], true, "{path}");
        assert_eq!(body["analytics_lag"]["progress"], 1.0, "{path}");
    }
    for path in PAGES {
        let html = app
            .client
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !html.contains("class=\"partial\""),
            "{path} still says partial"
        );
    }
}
