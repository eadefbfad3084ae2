//! Tests for line charts: hand-computed geometry, gaps, bands, legend and edge cases.

use super::*;
use crate::testing::{assert_chart, HOSTILE};

fn labels(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn point(label: &str, value: f64, ci: Option<(f64, f64)>) -> Option<Point> {
    Some(Point {
        label: label.into(),
        value,
        low: ci.map(|c| c.0),
        high: ci.map(|c| c.1),
    })
}

fn series(name: &str, values: &[Option<f64>]) -> Series {
    Series {
        name: name.into(),
        points: values
            .iter()
            .map(|v| v.and_then(|v| point("p", v, None)))
            .collect(),
    }
}

/// The `d` attribute of the n-th `<path>`.
fn path(svg: &str, n: usize) -> &str {
    svg.split("<path d=\"")
        .nth(n + 1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("")
}

#[test]
fn three_points_land_where_computed_by_hand() {
    // Plot x 56..460 and y 260 (bottom) ..40 (top, no legend); ticks 0..100.
    // x = 56 + i × 404 / 2 → 56, 258, 460; y = 260 - v × 220 / 100 → 260, 150, 40.
    let out = line_chart(
        "nps",
        "NPS by month",
        &labels(&["2025-11", "2025-12", "2026-01"]),
        &[series("NPS", &[Some(0.0), Some(50.0), Some(100.0)])],
        "NPS",
    );
    assert_chart(&out, "nps");
    assert_eq!(path(&out, 0), "M56 260L258 150L460 40");
    assert!(
        out.contains("<circle cx=\"258\" cy=\"150\" r=\"3\""),
        "{out}"
    );
    assert!(out.contains(">2026-01</text>"));
    assert!(
        !out.contains("stroke-dasharray"),
        "a single series is solid and has no legend"
    );
}

#[test]
fn a_percent_chart_runs_from_0_to_100() {
    // Retention from 100 % to 85 %: on its own the axis would start near 85; as a share
    // it spans 0..100, so 85 sits at y = 260 - 85 × 220 / 100 = 73.
    let shares = [series(
        "still buying",
        &[Some(100.0), Some(92.0), Some(85.0)],
    )];
    let x = labels(&["+0", "+1", "+2"]);
    let out = percent_line_chart("retention", "Retention", &x, &shares, "% of cohort");
    assert_chart(&out, "retention");
    assert_eq!(path(&out, 0), "M56 40L258 57.6L460 73");
    let tight = line_chart("retention", "Retention", &x, &shares, "% of cohort");
    assert_ne!(path(&tight, 0), path(&out, 0));
    // No data is still no data, not an empty 0..100 frame.
    let none = percent_line_chart("r", "Retention", &x, &[series("s", &[None])], "%");
    assert_eq!(
        none,
        line_chart("r", "Retention", &x, &[series("s", &[None])], "%")
    );
}

#[test]
fn confidence_band_spans_low_to_high() {
    // Extent 5..35 → ticks 0..40, so y = 260 - 5.5v.
    let s = Series {
        name: "NPS".into(),
        points: vec![
            point("a", 10.0, Some((5.0, 15.0))),
            point("b", 20.0, Some((15.0, 25.0))),
            point("c", 30.0, Some((25.0, 35.0))),
        ],
    };
    let out = line_chart("ci", "t", &labels(&["a", "b", "c"]), &[s], "y");
    assert_chart(&out, "ci");
    assert!(
        out.contains("points=\"56,177.5 258,122.5 460,67.5 460,122.5 258,177.5 56,232.5\""),
        "{out}"
    );
    assert!(out.contains("latest 30 at c (95% CI 25 to 35)."), "{out}");
}

#[test]
fn gaps_break_line_and_band() {
    let s = series(
        "s",
        &[Some(1.0), None, Some(f64::NAN), Some(2.0), Some(3.0)],
    );
    let out = line_chart("g", "t", &labels(&["a", "b", "c", "d", "e"]), &[s], "y");
    assert_chart(&out, "g");
    let d = path(&out, 0);
    assert_eq!(d.matches('M').count(), 2, "{d}");
    assert_eq!(d.matches('L').count(), 1, "{d}");
}

#[test]
fn legend_and_dashes_for_several_series() {
    let out = line_chart(
        "multi",
        "CSAT by channel",
        &labels(&["Q1", "Q2"]),
        &[
            series("Email", &[Some(70.0), Some(72.0)]),
            series("Chat", &[Some(80.0), None]),
        ],
        "CSAT %",
    );
    assert_chart(&out, "multi");
    assert!(out.contains(">Email</text>") && out.contains(">Chat</text>"));
    assert!(out.contains("stroke-dasharray=\"6 3\""));
    assert!(
        out.contains("; Email: latest 72 at Q2; Chat: latest 80 at Q1."),
        "{out}"
    );
}

#[test]
fn a_long_legend_adds_height_instead_of_squeezing_the_plot() {
    let many: Vec<Series> = (0..12)
        .map(|i| {
            series(
                &format!("Northwind store {i}"),
                &[Some(f64::from(i)), Some(1.0)],
            )
        })
        .collect();
    let out = line_chart("tall", "NPS by store", &labels(&["Q1", "Q2"]), &many, "NPS");
    assert_chart(&out, "tall");
    // Two names of ~130 units fit a 404-unit row: 6 rows of 20 units. The plot keeps its
    // 220 units (x axis at 260 + 120) and the viewBox grows by the same 120.
    assert!(out.contains("viewBox=\"0 0 480 420\""), "{}", &out[..200]);
    assert!(
        out.contains("x1=\"56\" y1=\"380\" x2=\"460\" y2=\"380\""),
        "no x axis at 380"
    );
}

#[test]
fn a_long_title_is_shown_whole_on_two_lines() {
    let title = "Complaints about Delivery for Kestrel up 289% in 2026-09 (q < 0.001)";
    let out = line_chart(
        "t",
        title,
        &labels(&["a", "b"]),
        &[series("s", &[Some(1.0), Some(2.0)])],
        "y",
    );
    // 50 characters fit at 16 px; at 13 px, 61 a line, broken at the last space.
    assert!(
        out.contains(">Complaints about Delivery for Kestrel up 289% in 2026-09 (q &lt;</text>"),
        "{out}"
    );
    assert!(out.contains(">0.001)</text>"), "{out}");
    assert!(!out.contains('…'));
}

#[test]
fn x_labels_are_thinned_to_avoid_overlap() {
    let weeks: Vec<String> = (1..=52).map(|w| format!("2026-W{w:02}")).collect();
    let values: Vec<Option<f64>> = (0..52).map(|w| Some(f64::from(w))).collect();
    let out = line_chart("w", "Weekly", &weeks, &[series("s", &values)], "y");
    assert_chart(&out, "w");
    let shown = weeks
        .iter()
        .filter(|w| out.contains(&format!(">{w}</text>")))
        .count();
    // "2026-W01" is ~56 units wide at 12, plus 8 of gap and ~10 for nudging the latest label
    // inside the viewBox; slots are 404 / 51 ≈ 7.9, so every 10th shows, counted back from
    // the latest week: 52, 42, 32, 22, 12, 2.
    assert_eq!(shown, 6);
    assert!(out.contains(">2026-W52</text>") && out.contains(">2026-W02</text>"));
    // Too many periods for per-point dots: only the line.
    assert!(!out.contains("<circle"));
}

#[test]
fn empty_and_degenerate_inputs() {
    let no_data = [
        line_chart("e", "t", &[], &[], "y"),
        line_chart("e", "t", &labels(&["a"]), &[series("s", &[None])], "y"),
        line_chart(
            "e",
            "t",
            &labels(&["a", "b"]),
            &[series("s", &[Some(f64::NAN), None])],
            "y",
        ),
    ];
    for out in &no_data {
        assert_chart(out, "e");
        assert!(out.contains(">No data</text>"), "{out}");
    }
    // One point sits mid-plot; all-equal values get a widened axis, not a division by zero.
    let single = line_chart("e", "t", &labels(&["a"]), &[series("s", &[Some(5.0)])], "y");
    assert_chart(&single, "e");
    assert!(single.contains("<circle cx=\"258\" cy=\"150\""), "{single}");
    let flat = line_chart(
        "e",
        "t",
        &labels(&["a", "b"]),
        &[series("s", &[Some(7.0), Some(7.0)])],
        "y",
    );
    assert_chart(&flat, "e");
    // More points than labels: the extra period is still drawn.
    let long = line_chart(
        "e",
        "t",
        &labels(&["a"]),
        &[series("s", &[Some(1.0), Some(2.0)])],
        "y",
    );
    assert_chart(&long, "e");
    assert_eq!(path(&long, 0), "M56 260L460 40");
}

#[test]
fn hostile_text_is_escaped() {
    let s = Series {
        name: HOSTILE.into(),
        points: vec![point(HOSTILE, 1.0, None), point(HOSTILE, 2.0, None)],
    };
    let other = series(HOSTILE, &[Some(3.0), Some(1.0)]);
    let out = line_chart(
        HOSTILE,
        HOSTILE,
        &labels(&[HOSTILE, HOSTILE]),
        &[s, other],
        HOSTILE,
    );
    assert_chart(&out, &crate::svg::sanitize_id(HOSTILE));
    assert!(out.contains("&lt;script&gt;"));
    assert_eq!(
        out,
        line_chart(
            HOSTILE,
            HOSTILE,
            &labels(&[HOSTILE, HOSTILE]),
            &[
                Series {
                    name: HOSTILE.into(),
                    points: vec![point(HOSTILE, 1.0, None), point(HOSTILE, 2.0, None)]
                },
                series(HOSTILE, &[Some(3.0), Some(1.0)]),
            ],
            HOSTILE
        ),
        "deterministic"
    );
}
