//! Linear scales and the gridlines, tick labels and axis titles the framed charts share.

use crate::svg::{fixed, style, Svg, GRID, MUTED};
use crate::ticks::{decimals, nice_ticks};

/// Maps a data domain onto a pixel range. The domain is the first and last nice tick, so
/// ticks land exactly on the ends of the plot.
#[derive(Debug, Clone)]
pub(crate) struct Scale {
    pub ticks: Vec<f64>,
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    /// A scale over the finite values given, with about five nice ticks; `None` when no value
    /// is finite, which callers turn into a "No data" chart.
    pub(crate) fn over(values: impl IntoIterator<Item = f64>, r0: f64, r1: f64) -> Option<Scale> {
        let (lo, hi) = extent(values)?;
        Some(Scale::from_ticks(nice_ticks(lo, hi, 5), r0, r1))
    }

    pub(crate) fn from_ticks(ticks: Vec<f64>, r0: f64, r1: f64) -> Scale {
        let d0 = ticks.first().copied().unwrap_or(0.0);
        let d1 = ticks.last().copied().unwrap_or(1.0);
        // nice_ticks never returns a zero-width domain, but guard the division anyway.
        let d1 = if d1 > d0 { d1 } else { d0 + 1.0 };
        Scale {
            ticks,
            d0,
            d1,
            r0,
            r1,
        }
    }

    pub(crate) fn map(&self, v: f64) -> f64 {
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }

    /// Maps after clamping into the domain, for values that a fixed domain may not cover.
    pub(crate) fn map_clamped(&self, v: f64) -> f64 {
        self.map(v.clamp(self.d0, self.d1))
    }

    pub(crate) fn contains(&self, v: f64) -> bool {
        (self.d0..=self.d1).contains(&v)
    }

    pub(crate) fn domain(&self) -> (f64, f64) {
        (self.d0, self.d1)
    }

    fn labelled_ticks(&self) -> impl Iterator<Item = (f64, String)> + '_ {
        let places = decimals(&self.ticks);
        self.ticks.iter().map(move |&t| (t, fixed(t, places)))
    }
}

/// The smallest and largest finite value, if any.
pub(crate) fn extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// Horizontal gridlines with tick labels to the left of the plot, for a vertical value axis.
pub(crate) fn y_grid(svg: &mut Svg, scale: &Scale, left: f64, right: f64) {
    let label = style(12, MUTED, "end", false);
    for (tick, text) in scale.labelled_ticks() {
        let y = scale.map(tick);
        svg.line(left, y, right, y, &format!("stroke=\"{GRID}\""));
        svg.text(left - 6.0, y + 4.0, &label, &text);
    }
}

/// Vertical gridlines with tick labels below the plot, for a horizontal value axis.
pub(crate) fn x_grid(svg: &mut Svg, scale: &Scale, top: f64, bottom: f64) {
    let label = style(12, MUTED, "middle", false);
    for (tick, text) in scale.labelled_ticks() {
        let x = scale.map(tick);
        svg.line(x, top, x, bottom, &format!("stroke=\"{GRID}\""));
        svg.text(x, bottom + 16.0, &label, &text);
    }
}

/// A vertical axis title, rotated to read bottom-up along the left edge.
pub(crate) fn y_title(svg: &mut Svg, x: f64, y: f64, text: &str) {
    let rotate = format!(
        "transform=\"rotate(-90 {} {})\" {}",
        crate::svg::num(x),
        crate::svg::num(y),
        style(13, MUTED, "middle", false)
    );
    svg.text(x, y, &rotate, text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_domain_ends_onto_range_ends() {
        let scale = Scale::over([0.0, 100.0], 100.0, 300.0).unwrap();
        assert_eq!(scale.map(0.0), 100.0);
        assert_eq!(scale.map(50.0), 200.0);
        assert_eq!(scale.map(100.0), 300.0);
        assert_eq!(scale.map_clamped(150.0), 300.0);
        assert!(Scale::over([f64::NAN], 0.0, 1.0).is_none());
    }
}
