//! Prints an HTML page with one of each chart at a laptop and a phone width, for eyeballing
//! layout changes: `cargo run -p throughline-charts --example gallery > gallery.html`.

use throughline_charts::{
    bar_chart_with, line_chart, quadrant_chart, sparkline, Bar, BarOptions, Dot, Highlight, Point,
    Series,
};

fn main() {
    let months: Vec<String> = (0..12)
        .map(|m| format!("{}-{:02}", 2025 + (m + 10) / 12, (m + 10) % 12 + 1))
        .collect();
    let nps = |base: f64, gap: usize| Series {
        name: format!("NPS {base}"),
        points: (0..12)
            .map(|i| {
                let value = base + (i as f64 * 0.9).sin() * 6.0 + i as f64;
                (i != gap).then(|| Point {
                    label: months[i].clone(),
                    value,
                    low: Some(value - 5.3),
                    high: Some(value + 5.2),
                })
            })
            .collect(),
    };
    let bars: Vec<Bar> = [
        ("North", 41.0, Highlight::Good),
        ("South", -12.5, Highlight::Bad),
        ("East", 18.0, Highlight::None),
        ("West & <Isles>", 22.4, Highlight::None),
    ]
    .into_iter()
    .map(|(label, value, highlight)| Bar {
        label: label.into(),
        value,
        low: Some(value - 8.0),
        high: Some(value + 8.0),
        highlight,
    })
    .collect();
    let dots: Vec<Dot> = [
        ("Wait time", 0.8, 3.1, Highlight::Bad),
        ("Staff", 0.7, 4.5, Highlight::Good),
        ("Parking", 0.2, 2.8, Highlight::None),
        ("Price", 0.55, 3.6, Highlight::None),
        ("App", 0.35, 4.1, Highlight::None),
    ]
    .into_iter()
    .map(|(label, x, y, highlight)| Dot {
        label: label.into(),
        x,
        y,
        highlight,
    })
    .collect();
    let charts = [
        sparkline(
            "spark",
            "NPS trend",
            &[
                Some(12.0),
                Some(15.0),
                None,
                Some(14.0),
                Some(19.0),
                Some(23.4),
            ],
            true,
        ),
        line_chart(
            "line",
            "NPS by month",
            &months,
            &[nps(20.0, 4), nps(5.0, 99)],
            "NPS",
        ),
        bar_chart_with(
            "bar",
            "NPS by region",
            &bars,
            "NPS",
            Some((17.2, "Overall")),
            &BarOptions {
                domain: Some((-100.0, 100.0)),
            },
        ),
        quadrant_chart(
            "quad",
            "Priority matrix",
            &dots,
            "Importance (correlation with NPS)",
            "Performance (mean score)",
            0.5,
            3.5,
            ["Keep up", "Strengths", "Low priority", "Fix first"],
        ),
    ];
    println!("<!doctype html><meta charset=utf-8><title>Charts</title><body style=\"font-family:system-ui\">");
    for width in [900, 360] {
        println!("<h2>{width}px</h2><div style=\"width:{width}px\">");
        for chart in &charts {
            println!("<div style=\"margin:12px 0;border:1px solid #ddd\">{chart}</div>");
        }
        println!("</div>");
    }
}
