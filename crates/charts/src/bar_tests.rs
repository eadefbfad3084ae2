//! Tests for bar charts: hand-computed geometry, negatives, whiskers, reference line and edge
//! cases.

use super::*;
use crate::svg::{sanitize_id, BLUE, GREEN, RED};
use crate::testing::{assert_chart, HOSTILE};

fn bar(label: &str, value: f64) -> Bar {
    Bar {
        label: label.into(),
        value,
        low: None,
        high: None,
        highlight: Highlight::None,
    }
}

#[test]
fn half_value_spans_half_the_plot() {
    // Ticks 0..100 over plot x 132..432 (300 wide): 50 → 150 wide; rows start at y 40 + 5.
    let out = bar_chart(
        "b",
        "CSAT by team",
        &[bar("A", 50.0), bar("B", 100.0)],
        "CSAT %",
        None,
    );
    assert_chart(&out, "b");
    assert!(
        out.contains(&format!(
            "<rect x=\"132\" y=\"45\" width=\"150\" height=\"18\" fill=\"{BLUE}\">"
        )),
        "{out}"
    );
    assert!(
        out.contains("<rect x=\"132\" y=\"73\" width=\"300\" height=\"18\""),
        "{out}"
    );
    // Value text just past the bar end, vertically centred on the bar (45 + 9 + 4).
    assert!(out.contains("<text x=\"286\" y=\"58\" font-size=\"12\" fill=\"#202124\" text-anchor=\"start\">50</text>"), "{out}");
    assert!(
        out.contains("CSAT by team: 2 bars of CSAT %; highest B 100, lowest A 50."),
        "{out}"
    );
}

#[test]
fn negative_values_extend_left_of_zero() {
    // Fixed NPS axis -100..100 over x 176..432 (256 wide, zero at 304): -20 → 25.6 left.
    let bars = [bar("South", -20.0), bar("North", 40.0)];
    let options = BarOptions {
        domain: Some((-100.0, 100.0)),
    };
    let out = bar_chart_with("nps", "NPS by region", &bars, "NPS", None, &options);
    assert_chart(&out, "nps");
    assert!(
        out.contains("<rect x=\"278.4\" y=\"45\" width=\"25.6\""),
        "{out}"
    );
    assert!(
        out.contains("<rect x=\"304\" y=\"73\" width=\"51.2\""),
        "{out}"
    );
    assert!(
        out.contains("<line x1=\"304\" y1=\"40\" x2=\"304\" y2=\"96\" stroke=\"#5f6368\"/>"),
        "zero axis: {out}"
    );
    assert!(out.contains("text-anchor=\"end\">-20</text>"), "{out}");
    // Values outside a fixed domain are clamped to its edge.
    let clamped = bar_chart_with("nps", "t", &[bar("x", 150.0)], "NPS", None, &options);
    assert!(
        clamped.contains("<rect x=\"304\" y=\"45\" width=\"128\""),
        "{clamped}"
    );
}

#[test]
fn whiskers_reference_and_highlights() {
    let mut good = bar("Chat", 60.0);
    good.low = Some(50.0);
    good.high = Some(70.0);
    good.highlight = Highlight::Good;
    let mut bad = bar("Phone", 20.0);
    bad.highlight = Highlight::Bad;
    let out = bar_chart("w", "CSAT", &[good, bad], "CSAT %", Some((40.0, "Average")));
    assert_chart(&out, "w");
    // Ticks 0..80 over 132..432: 3.75 units per value. Rows start at 56 with a reference.
    assert!(
        out.contains("<line x1=\"319.5\" y1=\"70\" x2=\"394.5\" y2=\"70\""),
        "whisker: {out}"
    );
    assert!(out.contains("<line x1=\"282\" y1=\"52\" x2=\"282\" y2=\"112\" stroke=\"#202124\" stroke-width=\"1.5\" stroke-dasharray=\"5 4\"/>"), "{out}");
    assert!(out.contains(">Average 40</text>"));
    assert!(out.contains(GREEN) && out.contains(RED));
    // The value text clears the whisker, not just the bar.
    assert!(out.contains("<text x=\"398.5\" y=\"74\""), "{out}");
    assert!(
        out.contains("reference Average 40; marked good: Chat; marked bad: Phone."),
        "{out}"
    );
}

#[test]
fn empty_and_degenerate_inputs() {
    for bars in [vec![], vec![bar("x", f64::NAN)]] {
        let out = bar_chart("e", "t", &bars, "v", None);
        assert_chart(&out, "e");
        assert!(out.contains(">No data</text>"), "{out}");
    }
    let cases = [
        vec![bar("x", 0.0)],
        vec![bar("a", 5.0), bar("b", 5.0)],
        vec![bar("a", -3.0), bar("b", -3.0)],
    ];
    for bars in cases {
        let out = bar_chart("e", "t", &bars, "v", Some((f64::NAN, "ignored")));
        assert_chart(&out, "e");
        assert!(!out.contains("ignored"));
    }
}

#[test]
fn hostile_text_is_escaped() {
    let mut b = bar(HOSTILE, 3.0);
    b.low = Some(1.0);
    b.high = Some(4.0);
    let out = bar_chart(
        HOSTILE,
        HOSTILE,
        &[b.clone(), bar(HOSTILE, -1.0)],
        HOSTILE,
        Some((2.0, HOSTILE)),
    );
    assert_chart(&out, &sanitize_id(HOSTILE));
    assert!(out.contains("&lt;script&gt;"));
    let again = bar_chart(
        HOSTILE,
        HOSTILE,
        &[b, bar(HOSTILE, -1.0)],
        HOSTILE,
        Some((2.0, HOSTILE)),
    );
    assert_eq!(out, again, "deterministic");
}
