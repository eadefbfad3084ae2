//! `/w/{ws}/drivers`: which themes, touchpoints or ratings move NPS, CSAT or churn, the
//! priority matrix, and each importance with its bootstrap interval.

use axum::extract::{Path, Query, State};
use axum::response::Html;
use throughline_charts::{self as charts, Dot, Highlight};
use throughline_dashboard::Quadrant;

use super::format as fmt;
use super::pages::{chrome, driver_link, render};
use super::views::*;
use super::{Local, PageError};
use crate::params::PageParams;
use crate::AppState;

pub async fn drivers(
    State(state): State<AppState>,
    _: Local,
    Path(ws_name): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Html<String>, PageError> {
    let mut q = p.drivers()?;
    q.filters.months.get_or_insert(12);
    let (mut chrome, ws) = chrome(&state, &ws_name, "drivers", &q.filters).await?;
    chrome.export = super::export_page::link(&chrome, "drivers", &p);
    let v = state.dashboard.drivers(ws, &q).await?;
    let label = |id: &str| {
        v.labels
            .iter()
            .find(|(i, _)| i == id)
            .map_or_else(|| id.to_string(), |(_, l)| l.clone())
    };
    let mut drivers = Vec::new();
    let mut dots = Vec::new();
    let (mut summary, mut chart) = (String::new(), String::new());
    if let Some(r) = &v.report {
        let effect = DriverEffect::of(&v.outcome, v.drivers == "ratings");
        summary = format!("{}: R² = {:.3} over {} respondents with a comment. Importance is each driver's share of the explained variance; the effect is {}.", r.method, r.r_squared, fmt::group(r.n), effect.meaning);
        if r.resamples > 0 && r.drivers.len() > 1 {
            summary.push_str(&format!(" Importance is shown with its 95% bootstrap interval ({} resamples of the respondents): a driver whose interval spans the average share ({:.1}%) could sit in either row of the matrix.", r.resamples, 100.0 / r.drivers.len().max(1) as f64));
        } else if r.resamples == 0 {
            summary.push_str(" No intervals: too many drivers to resample within the time budget.");
        }
        if !r.ranks_drivers() {
            summary.push_str(&format!(" This model explains {:.0}% of the variation in {}: too little to rank drivers (we rank from R² = {:.2}). Read the priorities below as hints, not findings.", r.r_squared * 100.0, v.outcome.to_uppercase(), throughline_dashboard::MIN_R_SQUARED_TO_RANK));
        }
        let mean_importance = 1.0 / r.drivers.len().max(1) as f64;
        let flagged = r.ranks_drivers();
        for d in &r.drivers {
            // Right is better whichever way the outcome points, so "fix first" is always
            // top left, as the quadrant names say.
            // A rating has no present/absent gap: its effect is the regression coefficient
            // (outcome per rating point), turned the same way (right is better).
            let benefit = d.benefit(r.polarity).unwrap_or_else(|| match r.polarity {
                throughline_dashboard::OutcomePolarity::HigherIsBetter => d.coefficient,
                throughline_dashboard::OutcomePolarity::LowerIsBetter => -d.coefficient,
            }) * effect.scale;
            dots.push(Dot {
                label: label(&d.name),
                x: benefit,
                y: d.importance * 100.0,
                highlight: match d.quadrant {
                    Quadrant::FixFirst if flagged => Highlight::Bad,
                    Quadrant::Maintain if flagged => Highlight::Good,
                    _ => Highlight::None,
                },
            });
            let (quadrant, class) = match d.quadrant {
                Quadrant::FixFirst => ("fix first", if flagged { "bad" } else { "neutral" }),
                Quadrant::Maintain => ("maintain", if flagged { "good" } else { "neutral" }),
                Quadrant::Monitor => ("monitor", "neutral"),
                Quadrant::LowerPriority => ("lower priority", "neutral"),
            };
            drivers.push(DriverView {
                label: label(&d.name),
                importance: match d.importance_ci {
                    Some([low, high]) => format!(
                        "{:.1}% ({:.1}–{:.1})",
                        d.importance * 100.0,
                        low * 100.0,
                        high * 100.0
                    ),
                    None => format!("{:.1}%", d.importance * 100.0),
                },
                present: d
                    .outcome_when_present
                    .map_or_else(|| "—".into(), |x| format!("{x:.2}")),
                absent: d
                    .outcome_when_absent
                    .map_or_else(|| "—".into(), |x| format!("{x:.2}")),
                // A 0/1 driver's mean is the share with it; a rating's is its mean score.
                exposure: if d.outcome_when_present.is_some() {
                    format!(
                        "{:.1}% ({})",
                        d.performance * 100.0,
                        fmt::group(d.n_present)
                    )
                } else {
                    format!(
                        "mean {:.2} (n = {})",
                        d.performance,
                        fmt::group(d.n_present)
                    )
                },
                quadrant,
                quadrant_class: class,
                link: driver_link(&chrome, &v.outcome, &v.drivers, &d.name),
            });
        }
        chart = charts::quadrant_chart(
            "drivers",
            &format!("Priority matrix: importance × effect on {}", v.outcome),
            &dots,
            effect.axis,
            "importance (% of R²)",
            0.0,
            mean_importance * 100.0,
            ["fix first", "maintain", "monitor", "lower priority"],
        );
    }
    let outcome = v.outcome.to_uppercase();
    render(DriversPage {
        driver_sets: ["themes", "touchpoints", "ratings"]
            .iter()
            .map(|d| (*d, *d == v.drivers))
            .collect(),
        driver_head: match v.drivers.as_str() {
            "touchpoints" => "Bad experience at touchpoint",
            "ratings" => "Rating answered with it",
            _ => "Theme mentioned",
        },
        outcomes: ["nps", "csat", "churn"]
            .iter()
            .map(|o| (*o, *o == v.outcome))
            .collect(),
        outcome,
        period: v.period.map(|p| p.label()).unwrap_or_default(),
        summary,
        refusal: v.refusal.clone().unwrap_or_default(),
        chart,
        drivers,
        chrome,
    })
}

/// How the drivers page states a driver's effect on an outcome: the chart's x axis
/// (right = better), its scale from outcome units, and the sentence that defines it.
struct DriverEffect {
    axis: &'static str,
    scale: f64,
    meaning: &'static str,
}

impl DriverEffect {
    fn of(outcome: &str, ratings: bool) -> Self {
        if ratings {
            return DriverEffect::per_point(outcome);
        }
        match outcome {
            "churn" => DriverEffect {
                axis: "churn rate lower where present (percentage points)",
                scale: 100.0,
                meaning: "how much lower the churn rate is where the driver is present than where it is absent, in percentage points (negative: more churn)",
            },
            "csat" => DriverEffect {
                axis: "mean CSAT (1–5) higher where present",
                scale: 1.0,
                meaning: "how much higher the mean CSAT score (1–5) is where the driver is present than where it is absent",
            },
            _ => DriverEffect {
                axis: "mean NPS answer (0–10) higher where present",
                scale: 1.0,
                meaning: "how much higher the mean answer to the NPS question (0–10, not the NPS itself) is where the driver is present than where it is absent",
            },
        }
    }

    /// Ratings are scales, not present or absent: the effect is per point of the rating.
    fn per_point(outcome: &str) -> Self {
        match outcome {
            "churn" => DriverEffect {
                axis: "churn lower per rating point (percentage points)",
                scale: 100.0,
                meaning: "how much lower the churn rate is per point of the rating, the other ratings held fixed (the regression coefficient, in percentage points)",
            },
            "csat" => DriverEffect {
                axis: "CSAT (1–5) higher per rating point",
                scale: 1.0,
                meaning: "how much higher the CSAT score (1–5) is per point of the rating, the other ratings held fixed (the regression coefficient)",
            },
            _ => DriverEffect {
                axis: "NPS answer (0–10) higher per rating point",
                scale: 1.0,
                meaning: "how much higher the answer to the NPS question (0–10) is per point of the rating, the other ratings held fixed (the regression coefficient)",
            },
        }
    }
}
