//! The evaluation function: metrics, label files, and row-numbered errors.

use throughline_text::eval::{evaluate, pearson, three_class, EvalOptions};
use throughline_text::{Label, TextError};

fn run(csv: &str) -> Result<throughline_text::EvalReport, TextError> {
    let analyzer = throughline_text::Analyzer::new();
    evaluate(csv.as_bytes(), &EvalOptions::default(), |t| {
        analyzer.sentiment_score(t)
    })
}

#[test]
fn scores_give_r_accuracy_and_f1() {
    let report =
        run("text,score\ngreat service,3.5\nawful service,-3\nthe parcel is blue,0\nnot bad,1\n")
            .unwrap();
    assert_eq!(report.n, 4);
    assert!(report.pearson_r.unwrap() > 0.9);
    assert_eq!(report.accuracy_3class, 1.0);
    let json = serde_json::to_value(&report).unwrap();
    for key in ["n", "pearson_r", "accuracy_3class", "macro_f1"] {
        assert!(json.get(key).is_some(), "{key}");
    }
}

#[test]
fn labels_give_accuracy_without_r() {
    let report =
        run("label,text\npositive,lovely\nnegative,rude staff\nneutral,it is tuesday\n").unwrap();
    assert_eq!(report.pearson_r, None);
    assert_eq!(report.macro_f1, 1.0);
}

#[test]
fn bad_rows_name_their_row() {
    let error = run("text,score\nfine,1\nbroken,abc\n")
        .unwrap_err()
        .to_string();
    assert_eq!(error, "evaluation csv row 2: score `abc` is not a number");
    let error = run("text,label\nfine,great\n").unwrap_err().to_string();
    assert!(
        error.starts_with("evaluation csv row 1: label `great`"),
        "{error}"
    );
    assert!(run("comment,score\nx,1\n")
        .unwrap_err()
        .to_string()
        .contains("missing column `text`"));
    assert!(matches!(run("text,score\n"), Err(TextError::EvalEmpty)));
}

#[test]
fn metric_helpers() {
    assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]).unwrap() - 1.0).abs() < 1e-12);
    assert_eq!(pearson(&[1.0, 1.0], &[1.0, 2.0]), None);
    let (accuracy, f1) = three_class(
        &[Label::Positive, Label::Negative],
        &[Label::Positive, Label::Neutral],
    );
    assert_eq!(accuracy, 0.5);
    assert!((f1 - (1.0 + 0.0 + 0.0) / 3.0).abs() < 1e-12);
}
