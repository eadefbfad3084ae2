//! Tests for the priority matrix: geometry, quadrant assignment, label placement and edge
//! cases.

use super::*;
use crate::svg::sanitize_id;
use crate::testing::{assert_chart, HOSTILE};

fn dot(label: &str, x: f64, y: f64, highlight: Highlight) -> Dot {
    Dot {
        label: label.into(),
        x,
        y,
        highlight,
    }
}

const NAMES: [&str; 4] = ["Keep up", "Strength", "Low priority", "Fix first"];

#[test]
fn dots_and_splits_land_where_computed_by_hand() {
    // Ticks 0..100 on both axes, inset 12 inside the frame 56..464 × 40..352:
    // x = 68 + 3.84v, y = 340 - 2.88v. Split lines span the whole frame.
    let dots = [
        dot("Wait time", 80.0, 25.0, Highlight::Bad),
        dot("Staff", 100.0, 100.0, Highlight::Good),
        dot("Parking", 0.0, 0.0, Highlight::None),
    ];
    let out = quadrant_chart(
        "q",
        "Priorities",
        &dots,
        "Importance",
        "Performance",
        50.0,
        50.0,
        NAMES,
    );
    assert_chart(&out, "q");
    assert!(
        out.contains("<line x1=\"260\" y1=\"40\" x2=\"260\" y2=\"352\""),
        "x split: {out}"
    );
    assert!(
        out.contains("<line x1=\"56\" y1=\"196\" x2=\"464\" y2=\"196\""),
        "y split: {out}"
    );
    assert!(
        out.contains("<circle cx=\"68\" cy=\"340\" r=\"5\""),
        "{out}"
    );
    // Wait time at (375.2, 268) drawn as a 10 × 10 square centred on it.
    assert!(
        out.contains("<rect x=\"370.2\" y=\"263\" width=\"10\" height=\"10\""),
        "{out}"
    );
    assert!(
        out.contains("<path d=\"M452 46L458 56.5L446 56.5Z\""),
        "{out}"
    );
    assert!(out.contains(">Wait time</text>") && out.contains(">Fix first</text>"));
    assert!(
        out.contains(
            "Priorities: 3 items by Importance (across) and Performance (up); Keep up: none; \
         Strength: 1 (Staff); Low priority: 1 (Parking); Fix first: 1 (Wait time)."
        ),
        "{out}"
    );
}

#[test]
fn crowded_labels_do_not_overlap() {
    // Ten items on one spot: every position around it is taken after a few labels.
    let dots: Vec<Dot> = (0..10)
        .map(|i| dot(&format!("Item {i}"), 50.0, 50.0, Highlight::None))
        .collect();
    let mut dots = dots;
    dots.push(dot("far", 0.0, 100.0, Highlight::None));
    let out = quadrant_chart("c", "t", &dots, "x", "y", 25.0, 25.0, NAMES);
    assert_chart(&out, "c");
    let shown = (0..10)
        .filter(|i| out.contains(&format!(">Item {i}</text>")))
        .count();
    assert!(
        (1..10).contains(&shown),
        "some but not all labels fit: {shown}"
    );
    assert!(
        out.contains("10 (Item 0, Item 1, Item 2 and 7 more)"),
        "{out}"
    );
}

#[test]
fn empty_and_degenerate_inputs() {
    for dots in [vec![], vec![dot("nan", f64::NAN, 1.0, Highlight::None)]] {
        let out = quadrant_chart("e", "t", &dots, "x", "y", 0.0, 0.0, NAMES);
        assert_chart(&out, "e");
        assert!(out.contains(">No data</text>"), "{out}");
    }
    let cases = [
        (vec![dot("one", 3.0, 3.0, Highlight::None)], 3.0, 3.0),
        (
            vec![
                dot("a", 1.0, 1.0, Highlight::Good),
                dot("b", 1.0, 1.0, Highlight::Bad),
            ],
            f64::NAN,
            f64::INFINITY,
        ),
    ];
    for (dots, xs, ys) in cases {
        let out = quadrant_chart("e", "t", &dots, "x", "y", xs, ys, NAMES);
        assert_chart(&out, "e");
    }
}

#[test]
fn hostile_text_is_escaped() {
    let dots = [
        dot(HOSTILE, 1.0, 2.0, Highlight::Good),
        dot(HOSTILE, 2.0, 1.0, Highlight::None),
    ];
    let names = [HOSTILE; 4];
    let out = quadrant_chart(HOSTILE, HOSTILE, &dots, HOSTILE, HOSTILE, 1.5, 1.5, names);
    assert_chart(&out, &sanitize_id(HOSTILE));
    assert!(out.contains("&lt;script&gt;"));
    assert_eq!(
        out,
        quadrant_chart(HOSTILE, HOSTILE, &dots, HOSTILE, HOSTILE, 1.5, 1.5, names)
    );
}
