//! The importance × performance priority matrix: labelled dots on two value axes, dashed
//! split lines dividing four named quadrants.

use serde::{Deserialize, Serialize};

use crate::axis::{x_grid, y_grid, y_title, Scale};
use crate::svg::{escape, no_data, num, style, text_width, truncate, Highlight, Svg, MUTED, TEXT};

/// One item on the matrix, e.g. a driver with its importance (x) and performance (y).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dot {
    pub label: String,
    pub x: f64,
    pub y: f64,
    #[serde(default)]
    pub highlight: Highlight,
}

/// Narrow so text stays legible on a phone; see the line chart.
const WIDTH: f64 = 480.0;
const HEIGHT: f64 = 400.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 464.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 352.0;
const LABEL_PX: f64 = 12.0;
const INSET: f64 = 12.0;

/// A box in viewBox units, used to keep labels from overlapping each other.
#[derive(Clone, Copy)]
struct Area {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Area {
    fn overlaps(&self, other: &Area) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }

    fn inside_plot(&self) -> bool {
        self.x0 >= LEFT && self.x1 <= RIGHT && self.y0 >= TOP && self.y1 <= BOTTOM
    }
}

/// A priority matrix. Dots with a non-finite coordinate are left out; a dot on a split line
/// counts as top / right. `quadrant_names` are top-left, top-right, bottom-left, bottom-right.
#[allow(clippy::too_many_arguments)] // The public signature names each axis and split on purpose.
pub fn quadrant_chart(
    id: &str,
    title: &str,
    dots: &[Dot],
    x_label: &str,
    y_label: &str,
    x_split: f64,
    y_split: f64,
    quadrant_names: [&str; 4],
) -> String {
    let dots: Vec<&Dot> = dots
        .iter()
        .filter(|d| d.x.is_finite() && d.y.is_finite())
        .collect();
    if dots.is_empty() {
        return no_data(id, title, WIDTH, HEIGHT);
    }
    let splits = |v: f64| Some(v).filter(|v| v.is_finite());
    let xs = dots.iter().map(|d| d.x).chain(splits(x_split));
    let ys = dots.iter().map(|d| d.y).chain(splits(y_split));
    // The axes stop INSET short of the frame, so a dot at an extreme is not drawn on the
    // frame where its marker and label would be cut off.
    let x = Scale::over(xs, LEFT + INSET, RIGHT - INSET);
    let y = Scale::over(ys, BOTTOM - INSET, TOP + INSET);
    let (Some(x), Some(y)) = (x, y) else {
        return no_data(id, title, WIDTH, HEIGHT);
    };

    let desc = describe(
        title,
        &dots,
        x_label,
        y_label,
        x_split,
        y_split,
        quadrant_names,
    );
    let mut svg = Svg::open(id, title, &desc, WIDTH, HEIGHT);
    svg.heading(title, 50);
    x_grid(&mut svg, &x, TOP, BOTTOM);
    y_grid(&mut svg, &y, LEFT, RIGHT);
    y_title(&mut svg, 16.0, (TOP + BOTTOM) / 2.0, &truncate(y_label, 40));
    let centre = (LEFT + RIGHT) / 2.0;
    svg.text(
        centre,
        BOTTOM + 36.0,
        &style(13, MUTED, "middle", false),
        &truncate(x_label, 50),
    );
    svg.raw(&format!(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{MUTED}\"/>",
        num(LEFT),
        num(TOP),
        num(RIGHT - LEFT),
        num(BOTTOM - TOP)
    ));
    let dashed = format!("stroke=\"{MUTED}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"");
    if x_split.is_finite() {
        svg.line(x.map(x_split), TOP, x.map(x_split), BOTTOM, &dashed);
    }
    if y_split.is_finite() {
        svg.line(LEFT, y.map(y_split), RIGHT, y.map(y_split), &dashed);
    }

    // Quadrant names first, so dot labels are placed around them rather than over them.
    let mut taken: Vec<Area> = Vec::new();
    let corners = [
        (LEFT + 6.0, TOP + 16.0, "start"),
        (RIGHT - 6.0, TOP + 16.0, "end"),
        (LEFT + 6.0, BOTTOM - 8.0, "start"),
        (RIGHT - 6.0, BOTTOM - 8.0, "end"),
    ];
    for (name, (cx, cy, anchor)) in quadrant_names.iter().zip(corners) {
        let name = truncate(name, 26);
        taken.push(label_area(cx, cy, anchor, &name, 12.0));
        svg.text(cx, cy, &style(12, MUTED, anchor, true), &name);
    }
    let points: Vec<(f64, f64)> = dots.iter().map(|d| (x.map(d.x), y.map(d.y))).collect();
    // Dots themselves are obstacles too, so a label never hides another item.
    taken.extend(points.iter().map(|&(px, py)| Area {
        x0: px - 5.0,
        y0: py - 5.0,
        x1: px + 5.0,
        y1: py + 5.0,
    }));
    for (dot, &(px, py)) in dots.iter().zip(&points) {
        marker(&mut svg, dot, px, py);
    }
    let label_style = |anchor| style(12, TEXT, anchor, false);
    for (dot, &(px, py)) in dots.iter().zip(&points) {
        let text = truncate(&dot.label, 20);
        // Right, left, above, below, then the diagonals: the first spot that is free and inside the plot wins.
        // A label that fits nowhere is left out; the dot's tooltip still names it.
        let spots = [
            (px + 8.0, py + 4.0, "start"),
            (px - 8.0, py + 4.0, "end"),
            (px, py - 9.0, "middle"),
            (px, py + 17.0, "middle"),
            (px + 6.0, py + 17.0, "start"),
            (px - 6.0, py + 17.0, "end"),
            (px + 6.0, py - 7.0, "start"),
            (px - 6.0, py - 7.0, "end"),
        ];
        let free = spots.into_iter().find(|&(lx, ly, anchor)| {
            let area = label_area(lx, ly, anchor, &text, LABEL_PX);
            area.inside_plot() && !taken.iter().any(|t| t.overlaps(&area))
        });
        if let Some((lx, ly, anchor)) = free {
            taken.push(label_area(lx, ly, anchor, &text, LABEL_PX));
            svg.text(lx, ly, &label_style(anchor), &text);
        }
    }
    svg.finish()
}

/// The box a text occupies given its anchor and baseline.
fn label_area(x: f64, baseline: f64, anchor: &str, text: &str, px: f64) -> Area {
    let width = text_width(text, px);
    let x0 = match anchor {
        "end" => x - width,
        "middle" => x - width / 2.0,
        _ => x,
    };
    Area {
        x0,
        y0: baseline - px,
        x1: x0 + width,
        y1: baseline + 3.0,
    }
}

/// Plain dots are circles, good ones triangles, bad ones squares: shape as well as colour,
/// so the highlight survives colour blindness and greyscale printing.
fn marker(svg: &mut Svg, dot: &Dot, px: f64, py: f64) {
    let colour = dot.highlight.colour();
    let tip = format!(
        "<title>{}: {}, {}</title>",
        escape(&dot.label),
        num(dot.x),
        num(dot.y)
    );
    let (cx, cy) = (num(px), num(py));
    let shape = match dot.highlight {
        Highlight::None => {
            format!("<circle cx=\"{cx}\" cy=\"{cy}\" r=\"5\" fill=\"{colour}\">{tip}</circle>")
        }
        Highlight::Good => format!(
            "<path d=\"M{cx} {}L{} {}L{} {}Z\" fill=\"{colour}\">{tip}</path>",
            num(py - 6.0),
            num(px + 6.0),
            num(py + 4.5),
            num(px - 6.0),
            num(py + 4.5)
        ),
        Highlight::Bad => format!(
            "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{colour}\">{tip}</rect>",
            num(px - 5.0),
            num(py - 5.0)
        ),
    };
    svg.raw(&shape);
}

/// "Priority matrix: 5 items by importance (across) and performance (up); Fix first: 2
/// (Wait time, Billing); Keep up: 1 (Staff); …"
fn describe(
    title: &str,
    dots: &[&Dot],
    x_label: &str,
    y_label: &str,
    x_split: f64,
    y_split: f64,
    names: [&str; 4],
) -> String {
    let mut desc = format!(
        "{title}: {} items by {x_label} (across) and {y_label} (up)",
        dots.len()
    );
    // Index into `names`: top-left 0, top-right 1, bottom-left 2, bottom-right 3. A NaN split
    // compares false, which puts every item on the bottom / left side.
    let quadrant =
        |d: &Dot| usize::from(d.y < y_split || y_split.is_nan()) * 2 + usize::from(d.x >= x_split);
    for (q, name) in names.iter().enumerate() {
        let members: Vec<&str> = dots
            .iter()
            .filter(|d| quadrant(d) == q)
            .map(|d| d.label.as_str())
            .collect();
        let shown: Vec<&str> = members.iter().take(3).copied().collect();
        let more = if members.len() > 3 {
            format!(" and {} more", members.len() - 3)
        } else {
            String::new()
        };
        match members.len() {
            0 => desc.push_str(&format!("; {name}: none")),
            n => desc.push_str(&format!("; {name}: {n} ({}{more})", shown.join(", "))),
        }
    }
    desc.push('.');
    desc
}

#[cfg(test)]
#[path = "quadrant_tests.rs"]
mod tests;
