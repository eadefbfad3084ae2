//! Horizontal bar charts for comparing segments: bars from zero (so negative scores such as
//! NPS extend left of a zero axis), 95% CI whiskers, the value at the end of each bar and an
//! optional dashed reference line such as the overall average.

use serde::{Deserialize, Serialize};

use crate::axis::{extent, x_grid, Scale};
use crate::svg::{escape, no_data, num, style, truncate, Highlight, Svg, MUTED, TEXT};
use crate::ticks::nice_ticks;

/// One bar: a segment's value, its optional 95% CI and whether it stands out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
    #[serde(default)]
    pub highlight: Highlight,
}

/// Settings beyond the common case.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BarOptions {
    /// A fixed value axis (e.g. `(-100.0, 100.0)` for NPS) so charts on different pages
    /// compare at a glance; values outside it are clamped. `None` fits the data and zero.
    pub domain: Option<(f64, f64)>,
}

/// Narrow so text stays legible on a phone; see the line chart.
const WIDTH: f64 = 480.0;
/// Segment labels end here, right-aligned, so long and short labels line up at the bars.
const LABEL_RIGHT: f64 = 124.0;
const PLOT_LEFT: f64 = 132.0;
/// With negative values, value text sits left of the bars and needs this much more room.
const NEGATIVE_ROOM: f64 = 44.0;
/// Leaves room for the value text after the longest bar.
const PLOT_RIGHT: f64 = 432.0;
const TOP: f64 = 40.0;
const REFERENCE_ROOM: f64 = 16.0;
const ROW: f64 = 28.0;
const BAR: f64 = 18.0;

/// A horizontal bar chart with the default options.
pub fn bar_chart(
    id: &str,
    title: &str,
    bars: &[Bar],
    value_label: &str,
    reference: Option<(f64, &str)>,
) -> String {
    bar_chart_with(
        id,
        title,
        bars,
        value_label,
        reference,
        &BarOptions::default(),
    )
}

/// A horizontal bar chart. Bars whose value is not a number are left out.
pub fn bar_chart_with(
    id: &str,
    title: &str,
    bars: &[Bar],
    value_label: &str,
    reference: Option<(f64, &str)>,
    options: &BarOptions,
) -> String {
    let bars: Vec<&Bar> = bars.iter().filter(|b| b.value.is_finite()).collect();
    let height_for = |rows: usize, top: f64| top + rows as f64 * ROW + 44.0;
    if bars.is_empty() {
        return no_data(id, title, WIDTH, height_for(3, TOP));
    }
    let reference = reference.filter(|(v, _)| v.is_finite());
    let ticks = match options.domain {
        Some((lo, hi)) if lo.is_finite() && hi.is_finite() && lo < hi => nice_ticks(lo, hi, 5),
        _ => {
            let values = bars
                .iter()
                .flat_map(|b| [Some(b.value), ci(b).map(|c| c.0), ci(b).map(|c| c.1)]);
            let values = values.flatten().chain([0.0]).chain(reference.map(|r| r.0));
            let (lo, hi) = extent(values).unwrap_or((0.0, 1.0));
            nice_ticks(lo, hi, 5)
        }
    };
    let left = if ticks.first().is_some_and(|t| *t < 0.0) {
        PLOT_LEFT + NEGATIVE_ROOM
    } else {
        PLOT_LEFT
    };
    let x = Scale::from_ticks(ticks, left, PLOT_RIGHT);
    let top = if reference.is_some() {
        TOP + REFERENCE_ROOM
    } else {
        TOP
    };
    let rows_bottom = top + bars.len() as f64 * ROW;
    let height = height_for(bars.len(), top);

    let mut svg = Svg::open(
        id,
        title,
        &describe(title, &bars, value_label, reference),
        WIDTH,
        height,
    );
    svg.heading(title, 50);
    x_grid(&mut svg, &x, top, rows_bottom);
    let (d0, d1) = x.domain();
    // Bars grow from zero, or from the domain edge nearest zero when a fixed axis excludes it.
    let base = x.map(0.0_f64.clamp(d0, d1));
    if x.contains(0.0) {
        svg.line(base, top, base, rows_bottom, &format!("stroke=\"{MUTED}\""));
    }
    let label_style = style(12, TEXT, "end", false);
    for (i, bar) in bars.iter().enumerate() {
        let row = top + i as f64 * ROW;
        let centre = row + 5.0 + BAR / 2.0;
        svg.text(
            LABEL_RIGHT,
            centre + 4.0,
            &label_style,
            &truncate(&bar.label, 17),
        );
        let end = x.map_clamped(bar.value);
        let tip = format!("{}: {}{}", bar.label, num(bar.value), ci_text(bar));
        svg.raw(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>",
            num(base.min(end)),
            num(row + 5.0),
            num((end - base).abs()),
            num(BAR),
            bar.highlight.colour(),
            escape(&tip)
        ));
        let mut reach = (end, end);
        if let Some((low, high)) = ci(bar) {
            let (wl, wh) = (x.map_clamped(low), x.map_clamped(high));
            let whisker = format!("stroke=\"{TEXT}\" stroke-width=\"1.5\"");
            svg.line(wl, centre, wh, centre, &whisker);
            svg.line(wl, centre - 5.0, wl, centre + 5.0, &whisker);
            svg.line(wh, centre - 5.0, wh, centre + 5.0, &whisker);
            reach = (end.min(wl), end.max(wh));
        }
        // The value goes past whichever reaches further, bar or whisker, on the bar's side.
        let (value_x, anchor) = if bar.value < 0.0 {
            (reach.0 - 4.0, "end")
        } else {
            (reach.1 + 4.0, "start")
        };
        let bold = bar.highlight != Highlight::None;
        svg.text(
            value_x,
            centre + 4.0,
            &style(12, TEXT, anchor, bold),
            &num(bar.value),
        );
    }
    if let Some((value, label)) = reference {
        let rx = x.map_clamped(value);
        let dashed = format!("stroke=\"{TEXT}\" stroke-width=\"1.5\" stroke-dasharray=\"5 4\"");
        svg.line(rx, top - 4.0, rx, rows_bottom, &dashed);
        // Keep the label inside the viewBox when the line is near either edge.
        let anchor = if rx > WIDTH - 90.0 {
            "end"
        } else if rx < 90.0 {
            "start"
        } else {
            "middle"
        };
        let text = format!("{} {}", truncate(label, 24), num(value));
        svg.text(rx, top - 8.0, &style(12, TEXT, anchor, false), &text);
    }
    let centre = (left + PLOT_RIGHT) / 2.0;
    svg.text(
        centre,
        rows_bottom + 34.0,
        &style(13, MUTED, "middle", false),
        &truncate(value_label, 50),
    );
    svg.finish()
}

fn ci(bar: &Bar) -> Option<(f64, f64)> {
    match (bar.low, bar.high) {
        (Some(low), Some(high)) if low.is_finite() && high.is_finite() => Some((low, high)),
        _ => None,
    }
}

fn ci_text(bar: &Bar) -> String {
    ci(bar)
        .map(|(low, high)| format!(" (95% CI {} to {})", num(low), num(high)))
        .unwrap_or_default()
}

/// "NPS by region: 4 bars of NPS; highest North 41, lowest South -12; reference Average 18;
/// marked good: North; marked bad: South."
fn describe(
    title: &str,
    bars: &[&Bar],
    value_label: &str,
    reference: Option<(f64, &str)>,
) -> String {
    let highest = bars
        .iter()
        .copied()
        .fold(bars[0], |a, b| if b.value > a.value { b } else { a });
    let lowest = bars
        .iter()
        .copied()
        .fold(bars[0], |a, b| if b.value < a.value { b } else { a });
    let mut desc = format!(
        "{title}: {} bars of {value_label}; highest {} {}, lowest {} {}",
        bars.len(),
        highest.label,
        num(highest.value),
        lowest.label,
        num(lowest.value)
    );
    if let Some((value, label)) = reference {
        desc.push_str(&format!("; reference {label} {}", num(value)));
    }
    for (mark, word) in [(Highlight::Good, "good"), (Highlight::Bad, "bad")] {
        let names: Vec<&str> = bars
            .iter()
            .filter(|b| b.highlight == mark)
            .map(|b| b.label.as_str())
            .collect();
        if !names.is_empty() {
            desc.push_str(&format!("; marked {word}: {}", names.join(", ")));
        }
    }
    desc.push('.');
    desc
}

#[cfg(test)]
#[path = "bar_tests.rs"]
mod tests;
