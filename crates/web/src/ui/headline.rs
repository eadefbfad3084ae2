//! The overview's opening lines: what changed and where the money is, in plain words,
//! from the same view model and formats the tiles below use (no figure of its own).

use throughline_dashboard::{Overview, Tile};

use super::format as fmt;

/// Most KPI changes named in the headline.
const MOST_CHANGES: usize = 3;

/// Up to three sentences: the significant KPI changes, the strongest complaint alert of
/// the period, and revenue at risk. Empty for an empty workspace.
pub fn headline(o: &Overview) -> Vec<String> {
    let (Some(cur), Some(prev)) = (&o.current, &o.previous) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    let mut moved: Vec<&Tile> = o
        .tiles
        .iter()
        .filter(|t| t.significant && !t.current.small_sample && !t.previous.small_sample)
        .collect();
    moved.sort_by(|a, b| {
        a.p_value
            .unwrap_or(1.0)
            .total_cmp(&b.p_value.unwrap_or(1.0))
    });
    let changes: Vec<String> = moved.iter().take(MOST_CHANGES).map(|t| change(t)).collect();
    lines.push(if changes.is_empty() {
        format!(
            "{} against {}: no key figure changed significantly.",
            cur.label(),
            prev.label()
        )
    } else {
        format!(
            "{} against {}: {}.",
            cur.label(),
            prev.label(),
            changes.join("; ")
        )
    });
    if let Some(a) = o.alerts.first() {
        let more = match o.alerts.len() {
            1 => String::new(),
            2 => " (and 1 more complaint alert that month)".to_string(),
            n => format!(" (and {} more complaint alerts that month)", n - 1),
        };
        lines.push(format!("{}{more}.", a.headline));
    }
    if let Some(c) = &o.commercial {
        let r = &c.revenue_at_risk;
        if r.customers > 0 {
            lines.push(format!(
                "Revenue at risk: {} paid in the last 12 months by {} customers who answered 0–6 or wrote of leaving this period.",
                fmt::amounts(&r.revenue),
                fmt::group(r.customers)
            ));
        }
    }
    lines
}

/// "CSAT down 4.2 pts to 61.9% (p = 0.002)".
fn change(t: &Tile) -> String {
    let way = if t.delta > 0.0 { "up" } else { "down" };
    let size = match t.format {
        throughline_dashboard::Format::Percent => format!("{:.1} pts", t.delta.abs() * 100.0),
        f => fmt::number(f, t.delta.abs()),
    };
    format!(
        "{} {way} {size} to {} ({})",
        t.label,
        fmt::value(t.format, &t.current),
        fmt::p_value(t.p_value)
    )
}
