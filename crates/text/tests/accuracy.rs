//! Accuracy floor on a 300-tweet slice of VADER's ground truth (measured r = 0.8495; VADER 0.8447
//! on the same slice). Fails if a change makes sentiment measurably worse. Complaint-style
//! text has its own figures and floors in `complaints.rs`.

use throughline_text::eval::{evaluate, EvalOptions};
use throughline_text::Analyzer;

const FIXTURE: &str = include_str!("fixtures/vader_tweets_sample.tsv");

#[test]
fn pearson_r_on_vader_tweets_stays_above_measured_floor() {
    // Turn the TSV fixture into the evaluation CSV format (text, score).
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["text", "score"]).unwrap();
    for line in FIXTURE.lines().filter(|l| !l.starts_with('#')) {
        let mut fields = line.splitn(3, '\t');
        let (_, score, text) = (
            fields.next(),
            fields.next().unwrap(),
            fields.next().unwrap(),
        );
        writer.write_record([text, score]).unwrap();
    }
    let csv = writer.into_inner().unwrap();
    let analyzer = Analyzer::new();
    let options = EvalOptions {
        human_neutral_band: Some(0.5),
    };
    let report = evaluate(csv.as_slice(), &options, |text| {
        analyzer.sentiment_score(text)
    })
    .unwrap();
    assert_eq!(report.n, 300);
    let r = report.pearson_r.unwrap();
    assert!(r >= 0.84, "pearson r {r:.4} fell below the 0.84 floor");
    assert!(
        report.accuracy_3class >= 0.78,
        "accuracy {:.4}",
        report.accuracy_3class
    );
}
