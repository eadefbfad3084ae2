//! Throughline's charts: server-side SVG as plain strings, so web pages, exports and
//! reports show the same picture without a JavaScript charting library.
//!
//! Every chart is one `<svg>` element that scales to its container (`width="100%"` plus a
//! `viewBox`), is labelled for screen readers by a `<title>` and a one-sentence `<desc>`
//! summary of the data, escapes every user-supplied string, uses a small palette that keeps
//! WCAG AA contrast on white, and is deterministic: the same input gives the same bytes.
//! Empty input renders a labelled "No data" chart instead of failing.
//!
//! Architecture invariant: pure. No I/O, no async, no dependency but `serde` (for the input
//! structs, so they can double as view models).

mod axis;
pub mod bar;
pub mod line;
pub mod quadrant;
pub mod sparkline;
pub mod svg;
pub mod ticks;

#[cfg(test)]
mod testing;

pub use bar::{bar_chart, bar_chart_with, Bar, BarOptions};
pub use line::{line_chart, percent_line_chart, Point, Series};
pub use quadrant::{quadrant_chart, Dot};
pub use sparkline::sparkline;
pub use svg::{escape, Highlight};
pub use ticks::nice_ticks;
