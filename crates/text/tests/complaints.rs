//! Accuracy on complaint-style text beside the general sets (tweets, reviews): hand-written
//! complaints in the phrasing customers use (negation, sarcasm, complaints without a negative
//! word), with praise worded with negation as controls, and the call transcripts of issue 20
//! scored on the customer's turns.
//!
//! `fixtures/complaints.tsv` (120 lines) is the set the complaint rules were tuned on;
//! `fixtures/complaints_holdout.tsv` (43 lines) was written afterwards and never tuned on, so
//! its figures are the ones to expect on new wording. Measured (3-class accuracy, macro F1,
//! complaints scored below 0), before the complaint rules and after:
//!
//! | set | n | accuracy | macro F1 | complaints < 0 |
//! |---|---|---|---|---|
//! | complaints.tsv, before | 120 | 0.4250 | 0.4261 | 21 / 78 |
//! | complaints.tsv, after | 120 | 0.9833 | 0.9799 | 76 / 78 |
//! | complaints_holdout.tsv, before | 43 | 0.4186 | 0.4410 | 4 / 29 |
//! | complaints_holdout.tsv, after | 43 | 0.5581 | 0.5788 | 10 / 29 |
//!
//! The tests fail below these figures less a margin of about one text.

use throughline_text::eval::{evaluate, EvalOptions, EvalReport};
use throughline_text::Analyzer;

const TUNED: &str = include_str!("fixtures/complaints.tsv");
const HOLDOUT: &str = include_str!("fixtures/complaints_holdout.tsv");

/// Complaints in `complaints.tsv` that still score 0 or above: negation too far from the
/// word it denies. Listed so a fix (or a new miss) shows up here.
const KNOWN_MISSES: &[&str] = &[
    "Not once did anyone apologise.",
    "Nobody at the store knew anything about my order.",
];

fn analyzer() -> &'static Analyzer {
    static ANALYZER: std::sync::OnceLock<Analyzer> = std::sync::OnceLock::new();
    ANALYZER.get_or_init(Analyzer::new)
}

/// (label, kind, text) of every line of a fixture.
fn rows(fixture: &str) -> Vec<(&str, &str, &str)> {
    fixture
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let mut fields = line.splitn(3, '\t');
            let mut next = || fields.next().expect("label, kind and text");
            (next(), next(), next())
        })
        .collect()
}

/// The evaluation report and the share of complaints scored below 0, printed with the misses.
fn measure(name: &str, fixture: &str) -> (EvalReport, usize, usize) {
    let rows = rows(fixture);
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["text", "label"]).unwrap();
    for (label, _, text) in &rows {
        writer.write_record([text, label]).unwrap();
    }
    let csv = writer.into_inner().unwrap();
    let report = evaluate(csv.as_slice(), &EvalOptions::default(), |text| {
        analyzer().sentiment_score(text)
    })
    .unwrap();
    let complaints: Vec<_> = rows.iter().filter(|row| row.0 == "negative").collect();
    let mut below_zero = 0;
    for (label, kind, text) in &rows {
        let score = analyzer().sentiment_score(text);
        below_zero += usize::from(*label == "negative" && score < 0.0);
        let predicted = throughline_text::Label::from_score(score).as_str();
        if predicted != *label {
            eprintln!("{name} miss: {label} {kind} -> {predicted} ({score:+.3}): {text}");
        }
    }
    eprintln!(
        "{name}: n={} accuracy={:.4} macro_f1={:.4} complaints_below_0={below_zero}/{}",
        report.n,
        report.accuracy_3class,
        report.macro_f1,
        complaints.len()
    );
    (report, below_zero, complaints.len())
}

#[test]
fn every_complaint_but_the_known_misses_scores_below_zero() {
    let complaints = rows(TUNED).into_iter().filter(|row| row.0 == "negative");
    for (_, kind, text) in complaints {
        let score = analyzer().sentiment_score(text);
        if KNOWN_MISSES.contains(&text) {
            assert!(
                score >= 0.0,
                "{text} now scores {score}: drop it from KNOWN_MISSES"
            );
        } else {
            assert!(score < 0.0, "{kind} complaint scores {score:+.3}: {text}");
        }
    }
}

#[test]
fn figures_on_the_tuned_set_stay_at_the_measured_floor() {
    let (report, below_zero, complaints) = measure("complaints.tsv", TUNED);
    assert_eq!((report.n, complaints), (120, 78));
    assert!(report.accuracy_3class >= 0.97, "{report:?}");
    assert!(report.macro_f1 >= 0.96, "{report:?}");
    assert!(below_zero >= 76, "{below_zero} of {complaints}");
}

#[test]
fn figures_on_the_held_out_set_stay_at_the_measured_floor() {
    let (report, below_zero, complaints) = measure("complaints_holdout.tsv", HOLDOUT);
    assert_eq!((report.n, complaints), (43, 29));
    assert!(report.accuracy_3class >= 0.53, "{report:?}");
    assert!(report.macro_f1 >= 0.55, "{report:?}");
    assert!(below_zero >= 9, "{below_zero} of {complaints}");
}

/// The transcripts of issue 20, in the demo's format: the whole text scored +0.73 and +0.18
/// when the agent's politeness counted. On the customer's turns they are complaints; the
/// agent, who was polite, scores positive.
#[test]
fn issue_transcripts_score_the_customer_negative_and_the_agent_positive() {
    for (complaint, closer) in [
        (
            "My subscription is super overpriced and I've contacted you 14 times now.",
            "Ok.",
        ),
        ("My package got delayed with no update.", "Ok thanks."),
        (
            "My package got delayed with no update.",
            "Fine, I'll wait then.",
        ),
    ] {
        let text = format!(
            "Agent: Thank you for calling Acme, you're speaking with Sam. How can I help?\n\
             Customer: {complaint}\n\
             Agent: I completely understand, I'm happy to help. I'm sorry about the delay, \
             I've added a credit to your account for the inconvenience.\n\
             Customer: {closer}"
        );
        let analysis = analyzer().analyze(&text);
        let customer = analysis.sentiment.as_ref().unwrap().score;
        let info = analysis.conversation.as_ref().unwrap();
        let agent = info.agent_sentiment.unwrap().score;
        assert!(customer < 0.0, "customer {customer:+.3}: {text}");
        assert!(agent > 0.0, "agent {agent:+.3}: {text}");
        assert_eq!((info.customer_turns, info.agent_turns), (2, 2));
        assert_eq!(analyzer().sentiment_score(&text), customer);
    }
}
