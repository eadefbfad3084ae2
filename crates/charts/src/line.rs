//! Line charts over a shared x axis of periods: one line per series, its 95% confidence
//! interval as a translucent band, nice y ticks, thinned x labels and, when there is more
//! than one series, a legend.

use serde::{Deserialize, Serialize};

use crate::axis::{y_grid, y_title, Scale};
use crate::svg::{no_data, num, style, text_width, truncate, Svg, DASHES, MUTED, SERIES, TEXT};

/// One measured value with its optional 95% confidence interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub label: String,
    pub value: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// A named line; `points[i]` belongs to the i-th x label, and `None` is a gap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub name: String,
    pub points: Vec<Option<Point>>,
}

/// A narrow viewBox keeps 12-unit text near 9 px on a 360 px phone screen; on a laptop the
/// chart simply scales up.
const WIDTH: f64 = 480.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 460.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 260.0;
const LEGEND_ROW: f64 = 20.0;
/// Beyond this many periods, dots on every point would crowd the line.
const MAX_DOTTED: usize = 24;

/// A line chart of `series` against `x_labels`. Points with a non-finite value are gaps;
/// a confidence band is drawn where both bounds are finite.
pub fn line_chart(
    id: &str,
    title: &str,
    x_labels: &[String],
    series: &[Series],
    y_label: &str,
) -> String {
    line_chart_over(id, title, x_labels, series, y_label, &[])
}

/// [`line_chart`] for a share of a whole, in percent: the y axis runs from 0 to 100, so a
/// fall from 100 % to 85 % looks like the 15 % it is, not like a collapse.
pub fn percent_line_chart(
    id: &str,
    title: &str,
    x_labels: &[String],
    series: &[Series],
    y_label: &str,
) -> String {
    line_chart_over(id, title, x_labels, series, y_label, &[0.0, 100.0])
}

/// A line chart whose y axis covers `y_span` as well as the values.
fn line_chart_over(
    id: &str,
    title: &str,
    x_labels: &[String],
    series: &[Series],
    y_label: &str,
    y_span: &[f64],
) -> String {
    let periods = series
        .iter()
        .map(|s| s.points.len())
        .chain([x_labels.len()])
        .max()
        .unwrap_or(0);
    let label_at = |i: usize| x_labels.get(i).map(String::as_str).unwrap_or("");
    let rows = legend_rows(series);
    // The legend adds height above the plot rather than taking it from the plot: with
    // many series a fixed-height chart shrank to a sliver under its legend.
    let extra = rows.len() as f64 * LEGEND_ROW;
    let (top, bottom, height) = (TOP + extra, BOTTOM + extra, HEIGHT + extra);
    let values: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(usable))
        .flat_map(|p| {
            [Some(p.value), ci(p).map(|c| c.0), ci(p).map(|c| c.1)]
                .into_iter()
                .flatten()
        })
        .collect();
    // The span widens the axis; it is no data of its own.
    let span = y_span.iter().copied().filter(|_| !values.is_empty());
    let Some(y) = Scale::over(values.iter().copied().chain(span), bottom, top) else {
        return no_data(id, title, WIDTH, HEIGHT);
    };
    let x = |i: usize| {
        if periods <= 1 {
            (LEFT + RIGHT) / 2.0
        } else {
            LEFT + i as f64 * (RIGHT - LEFT) / (periods - 1) as f64
        }
    };

    let mut svg = Svg::open(
        id,
        title,
        &describe(title, &label_at, periods, series),
        WIDTH,
        height,
    );
    svg.heading(title, 50);
    y_grid(&mut svg, &y, LEFT, RIGHT);
    y_title(&mut svg, 16.0, (top + bottom) / 2.0, &truncate(y_label, 40));
    svg.line(LEFT, bottom, RIGHT, bottom, &format!("stroke=\"{MUTED}\""));
    x_labels_thinned(&mut svg, bottom, periods, &label_at, &x);

    for (index, s) in series.iter().enumerate() {
        let colour = SERIES[index % SERIES.len()];
        let dash = DASHES[index % DASHES.len()];
        let at = |i: usize| s.points.get(i).and_then(usable);
        bands(&mut svg, periods, &at, &x, &y, colour);
        let mut path = String::new();
        for i in 0..periods {
            let Some(p) = at(i) else { continue };
            let joined = i > 0 && at(i - 1).is_some();
            let command = if joined { "L" } else { "M" };
            path.push_str(&format!("{command}{} {}", num(x(i)), num(y.map(p.value))));
        }
        let dash = if dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{dash}\"")
        };
        svg.raw(&format!(
            "<path d=\"{path}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" \
             stroke-linejoin=\"round\"{dash}/>"
        ));
        for i in 0..periods {
            let Some(p) = at(i) else { continue };
            let alone = (i == 0 || at(i - 1).is_none()) && at(i + 1).is_none();
            if periods <= MAX_DOTTED || alone {
                let tip = format!("{}: {} {}{}", s.name, p.label, num(p.value), ci_text(p));
                svg.raw(&format!(
                    "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{colour}\"><title>{}</title></circle>",
                    num(x(i)),
                    num(y.map(p.value)),
                    crate::svg::escape(&tip)
                ));
            }
        }
    }
    legend(&mut svg, &rows);
    svg.finish()
}

/// A point is drawn only when its value is a number.
fn usable(p: &Option<Point>) -> Option<&Point> {
    p.as_ref().filter(|p| p.value.is_finite())
}

/// The confidence interval, when both bounds are numbers.
fn ci(p: &Point) -> Option<(f64, f64)> {
    match (p.low, p.high) {
        (Some(low), Some(high)) if low.is_finite() && high.is_finite() => Some((low, high)),
        _ => None,
    }
}

fn ci_text(p: &Point) -> String {
    ci(p)
        .map(|(low, high)| format!(" (95% CI {} to {})", num(low), num(high)))
        .unwrap_or_default()
}

/// Confidence bands, one polygon per run of consecutive points that have an interval. A run
/// of one point has no area, so it gets a vertical whisker instead.
fn bands<'a>(
    svg: &mut Svg,
    periods: usize,
    at: &dyn Fn(usize) -> Option<&'a Point>,
    x: &dyn Fn(usize) -> f64,
    y: &Scale,
    colour: &str,
) {
    let mut i = 0;
    while i < periods {
        if at(i).and_then(ci).is_none() {
            i += 1;
            continue;
        }
        let start = i;
        while i < periods && at(i).and_then(ci).is_some() {
            i += 1;
        }
        let run: Vec<(f64, (f64, f64))> = (start..i)
            .filter_map(|j| at(j).and_then(ci).map(|c| (x(j), c)))
            .collect();
        if let [(px, (low, high))] = run[..] {
            svg.line(
                px,
                y.map(low),
                px,
                y.map(high),
                &format!("stroke=\"{colour}\" stroke-opacity=\"0.5\" stroke-width=\"2\""),
            );
            continue;
        }
        let upper = run
            .iter()
            .map(|(px, (_, high))| format!("{},{}", num(*px), num(y.map(*high))));
        let lower = run
            .iter()
            .rev()
            .map(|(px, (low, _))| format!("{},{}", num(*px), num(y.map(*low))));
        let points: Vec<String> = upper.chain(lower).collect();
        svg.raw(&format!(
            "<polygon points=\"{}\" fill=\"{colour}\" fill-opacity=\"0.15\" stroke=\"none\"/>",
            points.join(" ")
        ));
    }
}

/// Shows every n-th x label, with n chosen so the widest label fits its slot: labels must
/// never overlap, even with 52 weekly periods on a phone.
fn x_labels_thinned<'a>(
    svg: &mut Svg,
    bottom: f64,
    periods: usize,
    label_at: &dyn Fn(usize) -> &'a str,
    x: &dyn Fn(usize) -> f64,
) {
    let widest = (0..periods)
        .map(|i| text_width(&truncate(label_at(i), 12), 12.0))
        .fold(0.0, f64::max);
    let slot = if periods > 1 {
        (RIGHT - LEFT) / (periods - 1) as f64
    } else {
        RIGHT - LEFT
    };
    // The latest label may be nudged left to stay inside the viewBox; leave room for that.
    let nudge = (widest / 2.0 + 2.0 - (WIDTH - RIGHT)).max(0.0);
    let every = ((widest + 8.0 + nudge) / slot).ceil().max(1.0) as usize;
    let label_style = style(12, MUTED, "middle", false);
    // Count back from the latest period: it is the one readers look for. A label near the
    // edge is nudged inside the viewBox, so one that would then touch its neighbour is
    // dropped rather than drawn over it.
    let mut left_edge = f64::INFINITY;
    for i in (0..periods).rev().step_by(every) {
        let text = truncate(label_at(i), 12);
        let half = text_width(&text, 12.0) / 2.0;
        let centre = x(i).clamp(half + 2.0, WIDTH - half - 2.0);
        if centre + half + 8.0 > left_edge {
            continue;
        }
        left_edge = centre - half;
        let tick = format!("stroke=\"{MUTED}\"");
        svg.line(x(i), bottom, x(i), bottom + 4.0, &tick);
        svg.text(centre, bottom + 17.0, &label_style, &text);
    }
}

/// Legend entries laid out left to right, wrapping to a new row when the plot width is used
/// up; empty when a single series makes a legend redundant.
fn legend_rows(series: &[Series]) -> Vec<Vec<(usize, f64, String)>> {
    let mut rows: Vec<Vec<(usize, f64, String)>> = Vec::new();
    if series.len() < 2 {
        return rows;
    }
    let mut cursor = RIGHT;
    for (index, s) in series.iter().enumerate() {
        let name = truncate(&s.name, 28);
        let width = 24.0 + text_width(&name, 13.0) + 16.0;
        if cursor + width > RIGHT {
            rows.push(Vec::new());
            cursor = LEFT;
        }
        if let Some(row) = rows.last_mut() {
            row.push((index, cursor, name));
        }
        cursor += width;
    }
    rows
}

fn legend(svg: &mut Svg, rows: &[Vec<(usize, f64, String)>]) {
    let name_style = style(13, TEXT, "start", false);
    for (r, row) in rows.iter().enumerate() {
        let baseline = TOP + 6.0 + r as f64 * LEGEND_ROW;
        for (index, x, name) in row {
            let colour = SERIES[index % SERIES.len()];
            let dash = DASHES[index % DASHES.len()];
            let dash = if dash.is_empty() {
                String::new()
            } else {
                format!(" stroke-dasharray=\"{dash}\"")
            };
            let attrs = format!("stroke=\"{colour}\" stroke-width=\"2\"{dash}");
            svg.line(*x, baseline - 4.0, x + 18.0, baseline - 4.0, &attrs);
            svg.text(x + 24.0, baseline, &name_style, name);
        }
    }
}

/// "NPS by month, 2025-11 to 2026-10; latest 23.4 at 2026-10 (95% CI 18.1 to 28.6)", with
/// one clause per series (named when there are several).
fn describe<'a>(
    title: &str,
    label_at: &dyn Fn(usize) -> &'a str,
    periods: usize,
    series: &[Series],
) -> String {
    let mut desc = match periods {
        0 | 1 => format!("{title}, {}", label_at(0)),
        n => format!("{title}, {} to {}", label_at(0), label_at(n - 1)),
    };
    let named = series.len() > 1;
    for s in series.iter().take(6) {
        let latest = (0..periods)
            .rev()
            .find_map(|i| s.points.get(i).and_then(usable).map(|p| (i, p)));
        let name = if named {
            format!("{}: ", s.name)
        } else {
            String::new()
        };
        match latest {
            Some((i, p)) => {
                let at = if label_at(i).is_empty() {
                    &p.label
                } else {
                    label_at(i)
                };
                desc.push_str(&format!(
                    "; {name}latest {} at {at}{}",
                    num(p.value),
                    ci_text(p)
                ));
            }
            None => desc.push_str(&format!("; {name}no data")),
        }
    }
    if series.len() > 6 {
        desc.push_str(&format!("; and {} more series", series.len() - 6));
    }
    desc.push('.');
    desc
}

#[cfg(test)]
#[path = "line_tests.rs"]
mod tests;
