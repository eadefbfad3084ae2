//! Whole-analysis tests on hostile input: the work of one analysis stays linear in its text,
//! and a text over the budget is cut, well-formed and marked.

use crate::{work, Analyzer, MAX_ANALYSED_BYTES, MAX_THEME_SENTIMENT_EVIDENCE};

/// `unit` repeated to about `bytes` bytes.
fn repeat(unit: &str, bytes: usize) -> String {
    unit.repeat((bytes / unit.len()).max(1))
}

/// A text naming a theme of every kind, then one endless clause of praise: every theme's tone
/// comes from all of it.
fn every_theme(bytes: usize) -> String {
    let themes = "delivery driver price overcharged staff rude clueless queue quality faulty \
                  coffee refund app crash password email training manager salary workload store \
                  cancel ";
    let rest = repeat("good ", bytes - themes.len());
    themes.to_string() + &rest
}

/// Texts that made a stage read the same tokens or bytes again and again: a `]` searched for
/// from every `[`; every mention of a theme walking out over its whole clause, summing every
/// sentiment hit in the text and searching its evidence for each; every mention looking its
/// sentence up from the first; the explanation searching what it had shown for each line;
/// every theme listing every sentiment word of a clause they all share.
fn hostile(bytes: usize) -> Vec<(&'static str, String)> {
    vec![
        ("[ run", repeat("[", bytes)),
        ("[A pairs", repeat("[A", bytes)),
        ("theme clause", repeat("delivery good ", bytes)),
        ("theme sentences", repeat("delivery good. ", bytes)),
        ("every theme", every_theme(bytes)),
        ("near pairs", repeat("parcel late ", bytes)),
        (
            "contrast clauses",
            repeat("delivery good but late, ", bytes),
        ),
        ("good words", repeat("good ", bytes)),
        ("emoji run", repeat("😀", bytes)),
        ("questions", repeat("app? ", bytes)),
        // Conversations: every line a turn, a quote or an attribution.
        (
            "turns",
            repeat("Customer: bad\n[10:02] Agent (Sam): good\n", bytes),
        ),
        ("quotes", repeat("reply\n> quoted\n> more\n", bytes)),
        (
            "attributions",
            repeat("On 1 May, x wrote:\n", bytes) + "> q\n",
        ),
        (
            "labels",
            repeat("[10:02:33 AM] - Live Agent Sam Smith (", bytes) + ":\n",
        ),
        // Sarcasm and repeat cues: every praise verb's clause runs to the end.
        ("sarcasm", repeat("love being thanks for ignored ", bytes)),
        ("openers", repeat("Great, another delay. ", bytes)),
        ("repeats", repeat("14 times third time 3 weeks and ", bytes)),
    ]
}

/// The counted work of one analysis and its explanation (`Display`) stays under a constant
/// per byte from 4 KiB to 64 KiB. Before, "delivery good " repeated took 35 ms at 8 KiB and
/// 1.9 s at 32 KiB (cubic: each mention summed every hit and searched the evidence for each).
#[test]
fn analysis_work_grows_linearly_on_hostile_text() {
    const WORK_PER_BYTE: u64 = 8;
    let analyzer = Analyzer::new();
    for bytes in [4 << 10, 16 << 10, 64 << 10] {
        for (name, text) in hostile(bytes) {
            work::take();
            let analysis = analyzer.analyze(&text);
            let shown = analysis.to_string();
            let steps = work::take();
            let n = text.len() as u64;
            assert!(
                steps <= WORK_PER_BYTE * n,
                "{name} at {n} bytes: {steps} steps, {:.1} per byte",
                steps as f64 / n as f64
            );
            assert!(!analysis.truncated && !shown.is_empty(), "{name}");
        }
    }
}

/// A theme lists at most `MAX_THEME_SENTIMENT_EVIDENCE` of the sentiment words in its clauses
/// and says how many more there were; its score still counts them all.
#[test]
fn theme_sentiment_evidence_is_capped_and_counted() {
    let analyzer = Analyzer::new();
    let hits = 3 * MAX_THEME_SENTIMENT_EVIDENCE;
    let text = format!("the delivery was{}", " good".repeat(hits));
    let analysis = analyzer.analyze(&text);
    let delivery = analysis
        .themes
        .iter()
        .find(|t| t.theme == "delivery")
        .expect("delivery found");
    assert_eq!(
        delivery.sentiment_evidence.len(),
        MAX_THEME_SENTIMENT_EVIDENCE
    );
    assert_eq!(
        delivery.sentiment_evidence_omitted,
        hits - MAX_THEME_SENTIMENT_EVIDENCE
    );
    let listed_first = &delivery.sentiment_evidence[0];
    assert_eq!(
        &analysis.redacted_text[listed_first.start..listed_first.end],
        "good"
    );
    assert_eq!(
        delivery.score,
        analysis.sentiment.as_ref().expect("scored").score,
        "one clause, one sentence: the theme's tone is the text's"
    );
}

/// A text over the budget is analysed up to `MAX_ANALYSED_BYTES`, says so, and its result is
/// well-formed: every span inside `redacted_text` on character boundaries, no identifier cut
/// in half by the budget (the cut moves to its end).
#[test]
fn a_text_over_the_budget_is_cut_marked_and_well_formed() {
    let analyzer = Analyzer::new();
    let mut filler = repeat("the staff were lovely é ", MAX_ANALYSED_BYTES - 40);
    while filler.len() < MAX_ANALYSED_BYTES - 10 {
        filler.push(' ');
    }
    // A card number across the cut, then more text that must not be read.
    let text = format!(
        "{filler}4111 1111 1111 1111 and {}",
        "terrible ".repeat(10_000)
    );
    let card = text.find("4111").expect("card");
    assert!(card < MAX_ANALYSED_BYTES && card + 19 > MAX_ANALYSED_BYTES);
    let analysis = analyzer.analyze(&text);
    assert!(analysis.truncated);
    assert_eq!(analysis.analysed_bytes, card + 19, "cut after the card");
    assert!(analysis.redacted_text.ends_with("[CARD]"));
    assert!(!analysis.redacted_text.contains("4111"));
    assert!(!analysis.redacted_text.contains("terrible"));
    assert_eq!(
        analysis.sentiment.as_ref().expect("scored").label,
        crate::Label::Positive
    );
    let text = &analysis.redacted_text;
    let spans = analysis
        .pii
        .iter()
        .map(|p| (p.start, p.end))
        .chain(analysis.themes.iter().flat_map(|t| {
            t.evidence
                .iter()
                .chain(&t.sentiment_evidence)
                .map(|e| (e.start, e.end))
        }))
        .chain(analysis.sentiment.iter().flat_map(|s| {
            s.sentences
                .iter()
                .map(|sentence| (sentence.start, sentence.end))
        }));
    for (start, end) in spans {
        assert!(start <= end && end <= text.len());
        assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
    }
    assert!(analysis.to_string().contains("truncated"));
    // Just under the budget nothing is cut.
    let whole = analyzer.analyze(&filler);
    assert!(!whole.truncated);
    assert_eq!(whole.analysed_bytes, filler.len());
}
