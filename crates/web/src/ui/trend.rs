//! Which segments explore draws as lines: a chart of nineteen stores is a legend, not
//! a chart, so the busiest few are drawn and the table keeps them all.

use throughline_dashboard::TrendPoint;

/// Most segments drawn as lines: more make a legend taller than the chart and lines
/// no one can tell apart; every segment stays in the table below.
const MOST_LINES: usize = 6;

/// The segments to draw, those with most answers first (ties by name), and how many
/// more had answers. Segments without a single answer are not drawn.
pub fn busiest_segments(points: &[TrendPoint]) -> (Vec<String>, usize) {
    let mut answers: Vec<(String, u64)> = Vec::new();
    for p in points {
        match answers.iter_mut().find(|(name, _)| *name == p.segment) {
            Some((_, n)) => *n += p.estimate.n,
            None => answers.push((p.segment.clone(), p.estimate.n)),
        }
    }
    answers.retain(|(_, n)| *n > 0);
    answers.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let hidden = answers.len().saturating_sub(MOST_LINES);
    answers.truncate(MOST_LINES);
    let mut names: Vec<String> = answers.into_iter().map(|(name, _)| name).collect();
    names.sort();
    (names, hidden)
}

#[cfg(test)]
mod tests {
    use super::*;
    use throughline_dashboard::Estimate;

    fn point(segment: &str, n: u64) -> TrendPoint {
        TrendPoint {
            period: "2026-01".into(),
            segment: segment.into(),
            estimate: Estimate {
                n,
                ..Estimate::empty()
            },
        }
    }

    #[test]
    fn the_busiest_six_with_answers_are_drawn_and_the_rest_counted() {
        let mut points: Vec<TrendPoint> = (0..9).map(|i| point(&format!("s{i}"), 10 + i)).collect();
        points.push(point("s8", 100)); // a second period adds up
        points.push(point("silent", 0));
        let (names, hidden) = busiest_segments(&points);
        assert_eq!(names, ["s3", "s4", "s5", "s6", "s7", "s8"]);
        assert_eq!(hidden, 3);
        let (few, none) = busiest_segments(&points[..2]);
        assert_eq!((few.len(), none), (2, 0));
    }
}
