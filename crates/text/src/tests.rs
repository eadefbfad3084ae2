//! Whole-analysis tests on hostile input: the work of one analysis stays linear in its text.

use crate::{work, Analyzer};

/// `unit` repeated to about `bytes` bytes.
fn repeat(unit: &str, bytes: usize) -> String {
    unit.repeat((bytes / unit.len()).max(1))
}

/// Texts that made a stage read the same tokens or bytes again and again: a `]` searched for
/// from every `[`; every mention of a theme walking out over its whole clause, summing every
/// sentiment hit in the text and searching its evidence for each; every mention looking its
/// sentence up from the first; the explanation searching what it had shown for each line.
fn hostile(bytes: usize) -> Vec<(&'static str, String)> {
    vec![
        ("[ run", repeat("[", bytes)),
        ("[A pairs", repeat("[A", bytes)),
        ("theme clause", repeat("delivery good ", bytes)),
        ("theme sentences", repeat("delivery good. ", bytes)),
        ("near pairs", repeat("parcel late ", bytes)),
        (
            "contrast clauses",
            repeat("delivery good but late, ", bytes),
        ),
        ("good words", repeat("good ", bytes)),
        ("emoji run", repeat("😀", bytes)),
        ("questions", repeat("app? ", bytes)),
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
            assert!(!shown.is_empty(), "{name}");
        }
    }
}
