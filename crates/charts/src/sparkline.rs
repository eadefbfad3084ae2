//! Sparklines: a word-sized trend line for tables and KPI tiles, with no axes and a dot on
//! the latest value, coloured by whether the trend is good news.

use crate::axis::extent;
use crate::svg::{no_data, num, Svg, GREEN, GREY, RED};

const WIDTH: f64 = 120.0;
const HEIGHT: f64 = 32.0;
/// Room for the end dot's radius so it is never clipped by the viewBox.
const PAD: f64 = 3.5;

/// A tiny trend line of `values` in order; `None` and non-finite values are gaps that break
/// the line. The line is green when the latest value moved the good way from the first
/// (`good_when_up` says which way that is), red when it moved the bad way, grey when flat.
pub fn sparkline(id: &str, title: &str, values: &[Option<f64>], good_when_up: bool) -> String {
    let finite: Vec<Option<f64>> = values.iter().map(|v| v.filter(|v| v.is_finite())).collect();
    let Some((min, max)) = extent(finite.iter().flatten().copied()) else {
        return no_data(id, title, WIDTH, HEIGHT);
    };
    let known: Vec<(usize, f64)> = finite
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    let (first, last) = (known[0].1, known[known.len() - 1].1);

    let colour = if last == first {
        GREY
    } else if (last > first) == good_when_up {
        GREEN
    } else {
        RED
    };
    let trend = if last > first {
        if good_when_up {
            "up (good)"
        } else {
            "up (bad)"
        }
    } else if last < first {
        if good_when_up {
            "down (bad)"
        } else {
            "down (good)"
        }
    } else {
        "flat"
    };
    let desc = format!(
        "{title}: {} values; first {}, last {}, min {}, max {}; trend {trend}.",
        known.len(),
        num(first),
        num(last),
        num(min),
        num(max)
    );

    let x = |i: usize| {
        if finite.len() == 1 {
            WIDTH / 2.0
        } else {
            PAD + i as f64 * (WIDTH - 2.0 * PAD) / (finite.len() - 1) as f64
        }
    };
    // A flat series sits mid-height instead of dividing by a zero range.
    let y = |v: f64| {
        if max > min {
            HEIGHT - PAD - (v - min) / (max - min) * (HEIGHT - 2.0 * PAD)
        } else {
            HEIGHT / 2.0
        }
    };

    let mut svg = Svg::open(id, title, &desc, WIDTH, HEIGHT);
    let mut path = String::new();
    for (i, v) in finite.iter().enumerate() {
        let Some(v) = v else { continue };
        let joined = i > 0 && finite[i - 1].is_some();
        path.push_str(&format!(
            "{}{} {}",
            if joined { "L" } else { "M" },
            num(x(i)),
            num(y(*v))
        ));
        // An isolated value draws no line segment, so it gets a small dot to stay visible.
        let alone = !joined && finite.get(i + 1).is_none_or(|n| n.is_none());
        if alone && i != known[known.len() - 1].0 {
            svg.raw(&format!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"1.5\" fill=\"{colour}\"/>",
                num(x(i)),
                num(y(*v))
            ));
        }
    }
    if !path.is_empty() {
        svg.raw(&format!(
            "<path d=\"{path}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.75\" \
             stroke-linejoin=\"round\" stroke-linecap=\"round\"/>"
        ));
    }
    let (last_i, last_v) = known[known.len() - 1];
    svg.raw(&format!(
        "<circle cx=\"{}\" cy=\"{}\" r=\"2.75\" fill=\"{colour}\"/>",
        num(x(last_i)),
        num(y(last_v))
    ));
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_chart, HOSTILE};

    #[test]
    fn draws_line_and_last_dot() {
        let out = sparkline("s", "NPS", &[Some(10.0), Some(20.0), Some(30.0)], true);
        assert_chart(&out, "s");
        // x: 3.5 + i × 113 / 2; y: 28.5 - (v - 10) / 20 × 25.
        assert!(out.contains("d=\"M3.5 28.5L60 16L116.5 3.5\""), "{out}");
        assert!(out.contains("<circle cx=\"116.5\" cy=\"3.5\""), "{out}");
        assert!(out.contains(GREEN));
        assert!(out.contains("NPS: 3 values; first 10, last 30, min 10, max 30; trend up (good)."));
    }

    #[test]
    fn colours_by_direction() {
        let down = [Some(3.0), Some(1.0)];
        assert!(sparkline("s", "t", &down, true).contains(RED));
        assert!(sparkline("s", "t", &down, false).contains(GREEN));
        assert!(sparkline("s", "t", &[Some(2.0), Some(2.0)], true).contains(GREY));
    }

    #[test]
    fn gaps_break_the_line() {
        let values = [
            Some(1.0),
            Some(2.0),
            None,
            Some(f64::NAN),
            Some(3.0),
            Some(4.0),
        ];
        let out = sparkline("s", "t", &values, true);
        assert_chart(&out, "s");
        let path = out
            .split(" d=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next());
        assert_eq!(
            path,
            Some("M3.5 28.5L26.1 20.17M93.9 11.83L116.5 3.5"),
            "{out}"
        );
    }

    #[test]
    fn edge_cases_render() {
        let cases: [&[Option<f64>]; 5] = [
            &[],
            &[None, Some(f64::NAN)],
            &[Some(5.0)],
            &[Some(5.0), Some(5.0), Some(5.0)],
            &[Some(1.0), None, Some(2.0)],
        ];
        for values in cases {
            let out = sparkline("s", HOSTILE, values, false);
            assert_chart(&out, "s");
        }
        assert!(sparkline("s", "t", &[], true).contains(">No data</text>"));
        assert!(sparkline("s", "t", &[None, Some(f64::NAN)], true).contains(">No data</text>"));
        // A single value sits in the middle, flat series at mid-height.
        assert!(sparkline("s", "t", &[Some(5.0)], true).contains("cx=\"60\" cy=\"16\""));
    }
}
