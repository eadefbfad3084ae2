//! The text-understanding columns: what the analyser says about a signal's text
//! is queryable beside it, and a new taxonomy re-analyses the whole copy.

use serde_json::json;
use std::sync::Arc;
use throughline_analytics::{AnalyticsConfig, AnalyticsCopy, Manifest, TextAnalyzer};
use throughline_text::Taxonomy;

use crate::{rows, small_config, survey, FakeStore, WS1};

fn store_with_texts() -> Arc<FakeStore> {
    let store = Arc::new(FakeStore::default());
    let comment = |id: &str, text: &str| survey(id, "ann@x.com", json!({"csat": 3, "text": text}));
    store.add(
        1,
        1,
        comment("a", "staff were lovely but delivery was late"),
    );
    store.add(
        1,
        1,
        comment(
            "b",
            "I want to cancel, this is the third time I am on hold for an hour",
        ),
    );
    store.add(
        1,
        1,
        comment(
            "c",
            "El pedido llegó tarde y nadie me ayudó con la devolución",
        ),
    );
    store.add(1, 1, survey("d", "ann@x.com", json!({"nps": 9})));
    store
}

#[tokio::test]
async fn each_text_gets_sentiment_themes_aspects_and_intents() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_texts();
    let copy = AnalyticsCopy::open_with(dir.path().into(), store, small_config()).unwrap();
    copy.refresh().await.unwrap();
    let got = rows(
        &copy,
        WS1,
        "SELECT external_id, sentiment_label, themes, aspects, intents, text_language, \
         analyzer_version IS NOT NULL, sentiment IS NULL FROM signals ORDER BY external_id",
    )
    .await;
    // a: mixed feelings; staff positive and delivery negative as aspects.
    assert_eq!(got[0][0], json!("a"));
    let themes = got[0][2].as_str().unwrap();
    assert!(
        themes.contains("staff") && themes.contains("delivery"),
        "{themes}"
    );
    let aspects = got[0][3].as_str().unwrap();
    let score = |theme: &str| -> f64 {
        let part = aspects.split(',').find(|p| p.starts_with(theme)).unwrap();
        part.split(':').nth(1).unwrap().parse().unwrap()
    };
    assert!(score("staff") > 0.0, "{aspects}");
    assert!(score("delivery") < 0.0, "{aspects}");
    assert_eq!(got[0][5], json!("eng"));
    assert_eq!(got[0][6], json!(true));
    // b: churn intent and a negative document.
    assert!(
        got[1][4].as_str().unwrap().contains("churn"),
        "{:?}",
        got[1]
    );
    assert_eq!(got[1][1], json!("negative"));
    // c: Spanish is detected and never scored with English rules.
    assert_eq!(got[2][5], json!("spa"));
    assert_eq!(got[2][1], json!(null));
    assert_eq!(got[2][7], json!(true));
    // d: no text, nothing analysed.
    assert!(got[3][1..6].iter().all(|v| v.is_null()), "{:?}", got[3]);
    assert_eq!(got[3][6], json!(false));
}

#[tokio::test]
async fn another_taxonomy_re_analyses_the_copy_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_texts();
    {
        let copy =
            AnalyticsCopy::open_with(dir.path().into(), store.clone(), small_config()).unwrap();
        copy.refresh().await.unwrap();
        copy.flush().await.unwrap();
    }
    let before = Manifest::load(dir.path()).unwrap().unwrap();
    assert!(before.high_water > 0);
    let taxonomy = Taxonomy::parse(
        "name = \"couriers\"\n[[theme]]\nid = \"courier\"\nlabel = \"Courier\"\nlemmas = [\"delivery\"]\n",
    )
    .unwrap();
    let config = AnalyticsConfig {
        text: TextAnalyzer::new(taxonomy),
        ..small_config()
    };
    assert_ne!(config.text.fingerprint(), before.analyzer);
    let copy = AnalyticsCopy::open_with(dir.path().into(), store, config).unwrap();
    copy.refresh().await.unwrap();
    let got = rows(
        &copy,
        WS1,
        "SELECT themes FROM signals WHERE external_id = 'a'",
    )
    .await;
    assert_eq!(got, vec![vec![json!("courier")]]);
}
