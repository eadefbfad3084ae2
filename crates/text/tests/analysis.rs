//! End-to-end checks of `analyze`: themes with aspect sentiment, PII, language, explanation.

use throughline_text::{analyze, Analyzer, Label, ANALYZER_VERSION};

fn theme_label(text: &str, theme: &str) -> Option<Label> {
    analyze(text)
        .themes
        .iter()
        .find(|t| t.theme == theme && t.sub_theme.is_none())
        .map(|t| t.label)
}

fn check_theme(text: &str, theme: &str, expected: Option<Label>) {
    assert_eq!(theme_label(text, theme), expected, "{text} / {theme}");
}

#[test]
fn aspect_sentiment_splits_at_contrast() {
    let text = "staff were lovely but delivery was late";
    check_theme(text, "staff_service", Some(Label::Positive));
    check_theme(text, "delivery", Some(Label::Negative));
}

#[test]
fn themes_match_phrases_lemmas_and_proximity() {
    check_theme(
        "The courier delivered it to the wrong house",
        "delivery",
        Some(Label::Negative),
    );
    check_theme(
        "I waited on hold for an hour",
        "wait_time",
        Some(Label::Negative),
    );
    check_theme(
        "Still waiting for my refund after three weeks",
        "returns_refunds",
        Some(Label::Negative),
    );
    check_theme(
        "My manager is really supportive",
        "management",
        Some(Label::Positive),
    );
    check_theme("The app keeps crashing", "digital", Some(Label::Negative));
    check_theme("Lovely weather today", "delivery", None);
    // Pay is what employees are paid, not what customers pay for.
    check_theme("Had to pay to send it back", "pay", None);
    check_theme("The loyalty scheme pays for itself", "pay", None);
    check_theme(
        "My pay is far too low for this workload",
        "pay",
        Some(Label::Negative),
    );
    assert!(theme_label("Got a decent pay rise this year, thanks", "pay").is_some());
    let analysis = analyze("hold music for an hour, then the hold dropped");
    assert!(analysis.themes.iter().any(|t| t.theme == "wait_time"));
}

#[test]
fn custom_taxonomy_and_validation_errors() {
    let analyzer = Analyzer::from_taxonomy_toml(
        "[[theme]]\nid = \"loyalty\"\nlabel = \"Loyalty\"\nphrases = [\"points balance\"]\n",
    )
    .unwrap();
    let analysis = analyzer.analyze("The points balance was wrong again");
    assert_eq!(analysis.themes[0].theme, "loyalty");
    assert_eq!(analysis.themes[0].label, Label::Negative);
    let error = Analyzer::from_taxonomy_toml("[[theme]]\nid = \"x\"\n")
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.contains("line 1") && error.contains("label"),
        "{error}"
    );
}

#[test]
fn pii_is_redacted_before_analysis() {
    let analysis = analyze("Refund card 4111 1111 1111 1111 to jane@example.com please");
    assert_eq!(
        analysis.redacted_text,
        "Refund card [CARD] to [EMAIL] please"
    );
    assert_eq!(analysis.pii.len(), 2);
    let json = serde_json::to_string(&analysis).unwrap();
    assert!(!json.contains("4111") && !json.contains("jane@"));
}

#[test]
fn unsupported_language_is_not_scored() {
    let analysis = analyze("Der Kundenservice war schrecklich und niemand hat geantwortet");
    assert!(!analysis.analysed);
    assert_eq!(analysis.language.code, "deu");
    assert!(analysis.sentiment.is_none() && analysis.themes.is_empty());
}

#[test]
fn every_label_carries_its_evidence_and_version() {
    let analysis = analyze("I'm furious, I was transferred three times and I'm cancelling!");
    assert_eq!(analysis.analyzer_version, ANALYZER_VERSION);
    let sentiment = analysis.sentiment.as_ref().unwrap();
    assert_eq!(sentiment.label, Label::Negative);
    assert!(sentiment
        .sentences
        .iter()
        .flat_map(|s| &s.evidence)
        .any(|e| e.text == "furious"));
    let anger = analysis
        .emotions
        .iter()
        .find(|e| e.label == "anger")
        .unwrap();
    assert_eq!(anger.evidence[0].text, "furious");
    let churn = analysis
        .intents
        .iter()
        .find(|i| i.label == "churn")
        .unwrap();
    assert_eq!(churn.evidence[0].text, "cancelling");
    assert!(analysis
        .effort
        .as_ref()
        .unwrap()
        .evidence
        .iter()
        .any(|e| e.text == "transferred"));
    let json: serde_json::Value = serde_json::to_value(&analysis).unwrap();
    assert_eq!(json["sentiment"]["label"], "negative");
    assert!(analysis.to_string().contains("furious"));
}
