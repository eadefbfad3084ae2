//! One name, one definition: every tile and value figure the API answers with is
//! defined in the glossary in the same words, no two figures share a name, and the
//! overview's revenue at risk and the value page's CLV at risk are told apart.

mod common;

use common::{ndjson, record, spawn_app};
use serde_json::Value;

#[tokio::test]
async fn every_figure_has_one_name_and_the_glossary_gives_its_definition() {
    let app = spawn_app().await;
    let rows: Vec<_> = (0..40)
        .map(|i| record(i, &format!("g{i}@example.com")))
        .collect();
    assert_eq!(
        app.post_signals(&ndjson(&rows), "application/x-ndjson")
            .await
            .0,
        200
    );
    app.analytics.refresh().await.unwrap();

    let glossary = app.get_json("/api/v1/glossary").await;
    let terms = glossary.as_array().unwrap();
    let term = |key: &str| -> &Value {
        terms
            .iter()
            .find(|t| t["key"] == key)
            .unwrap_or_else(|| panic!("no term {key}"))
    };
    let overview = app.get_json("/api/v1/metrics/overview").await;
    let tiles = overview["tiles"].as_array().unwrap();
    assert!(tiles.len() >= 5, "{overview}");
    for t in tiles {
        let key = t["key"].as_str().unwrap();
        assert_eq!(term(key)["name"], t["label"], "{key}");
        assert_eq!(term(key)["definition"], t["definition"], "{key}");
    }
    if let Some(c) = overview["commercial"].as_object() {
        let risk = &c["revenue_at_risk"]["definition"];
        assert_eq!(&term("revenue_at_risk")["definition"], risk);
    }
    let value = app.get_json("/api/v1/value").await;
    assert_eq!(term("clv")["definition"], value["definitions"]["clv"]);
    assert_eq!(
        term("churn_risk")["definition"],
        value["definitions"]["churn"]
    );
    assert_eq!(
        term("clv_at_risk")["definition"],
        value["definitions"]["clv_at_risk"]
    );
    assert_eq!(
        term("cac")["definition"],
        value["definitions"]["acquisition"]
    );
    let mut names: Vec<String> = terms
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_lowercase())
        .collect();
    names.sort();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before, "two figures share a name");

    // The pages use the same names: revenue at risk on the overview only.
    let page = |path: &str| {
        let (client, url) = (app.client.clone(), app.url(path));
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let value_page = page("/w/test/value").await;
    assert!(
        !value_page.contains("Revenue at risk"),
        "value page names CLV at risk revenue at risk"
    );
    let glossary_page = page("/w/test/glossary").await;
    for t in terms {
        let name = t["name"]
            .as_str()
            .unwrap()
            .replace('&', "&amp;")
            .replace('\'', "&#x27;");
        assert!(glossary_page.contains(&name), "glossary page lacks {name}");
    }
    let home = page("/w/test/").await;
    let at = home.find("data-kpi=\"nps\"").expect("no NPS tile");
    let tile = &home[at..at + 300];
    assert!(
        tile.contains("href=\"/w/test/explore?kpi=nps&#38;grain=month\""),
        "the NPS tile is not a link: {tile}"
    );
}
