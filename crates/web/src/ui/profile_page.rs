//! `/w/{ws}/profiles/{id}`: one person across channels: who they are (name and
//! identities), their value and risk, and their timeline grouped into feedback,
//! conversations, purchases and activity, each text with the sentiment and themes the
//! other pages count (`?show=` one group; activity such as page views is counted, not
//! listed, unless asked for).

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::response::Html;
use throughline_dashboard::{Filters, TextAnalysis};
use throughline_domain::{Chain, ProfileId, SignalKind};
use throughline_store::StoredSignal;

use super::format as fmt;
use super::pages::{chrome, render};
use super::views::{GroupFilter, ProfilePage, TimelineGroup, TimelineItem};
use super::{Local, PageError};
use crate::AppState;

/// Most signals the page reads, newest first.
const MOST_SIGNALS: usize = 500;

/// The timeline's groups: key (for `?show=`), title, and the kinds in it.
const GROUPS: [(&str, &str); 4] = [
    ("feedback", "Feedback"),
    ("conversations", "Conversations and tickets"),
    ("purchases", "Purchases and membership"),
    ("activity", "Activity"),
];

fn group_of(kind: SignalKind) -> &'static str {
    match kind {
        SignalKind::Ticket | SignalKind::Chat | SignalKind::Email | SignalKind::Call => {
            "conversations"
        }
        SignalKind::Transaction => "purchases",
        SignalKind::Event | SignalKind::HrEvent => "activity",
        _ => "feedback",
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ProfileParams {
    /// One group of the timeline; all (activity summarised) when absent.
    show: Option<String>,
}

pub async fn profile(
    State(state): State<AppState>,
    _: Local,
    Path((ws_name, id)): Path<(String, i64)>,
    Query(params): Query<ProfileParams>,
) -> Result<Html<String>, PageError> {
    let show = params.show.as_deref().unwrap_or("").trim().to_string();
    if !show.is_empty() && !GROUPS.iter().any(|(k, _)| *k == show) {
        return Err(PageError(
            axum::http::StatusCode::BAD_REQUEST,
            format!("show: one of feedback, conversations, purchases, activity, not {show:?}"),
        ));
    }
    let (chrome, ws) = chrome(&state, &ws_name, "profile", &Filters::default()).await?;
    let store = &state.store;
    let profile = store
        .profile(ws, ProfileId(id))
        .await
        .map_err(crate::ApiError::from)?
        .ok_or_else(|| {
            PageError(
                axum::http::StatusCode::NOT_FOUND,
                format!("no profile {id}"),
            )
        })?;
    let merges = store
        .merges(ws, profile.id)
        .await
        .map_err(crate::ApiError::from)?;
    let signals = store
        .timeline(ws, profile.id, MOST_SIGNALS)
        .await
        .map_err(crate::ApiError::from)?;
    let seqs: Vec<i64> = signals
        .iter()
        .filter(|s| s.signal.text().is_some())
        .map(|s| s.seq.0)
        .collect();
    // The texts' scores are extra, like the value box: the timeline stands without them.
    let analyses = match state.dashboard.text_analyses(ws, &seqs).await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %Chain(&e), "profile text analyses failed");
            Default::default()
        }
    };
    let value = serde_json::to_value(&profile).unwrap_or_default();
    let identities: Vec<(String, String)> = value
        .get("identities")
        .and_then(|v| v.as_array())
        .map(|ids| {
            ids.iter()
                .map(|i| {
                    let field =
                        |k: &str| i.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                    (field("kind"), field("value"))
                })
                .collect()
        })
        .unwrap_or_default();
    let name = display_name(&signals)
        .or_else(|| {
            identities
                .iter()
                .find(|(k, _)| k == "email")
                .map(|(_, v)| v.clone())
        })
        .unwrap_or_else(|| format!("Profile {id}"));
    let (groups, activity_summary) = timeline(&signals, &analyses, &show);
    let scored = match state.dashboard.profile_value(ws, profile.id.0).await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %Chain(&e), "profile value failed");
            None
        }
    };
    let (value_rows, reasons) = scored.map(|v| profile_value_view(&v)).unwrap_or_default();
    render(ProfilePage {
        id: profile.id.0,
        name,
        value: value_rows,
        reasons,
        stakeholder: value
            .get("stakeholder_type")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string(),
        identities,
        merges: merges
            .iter()
            .map(|m| serde_json::to_string(m).unwrap_or_default())
            .collect(),
        shown: signals.len(),
        most: MOST_SIGNALS,
        show,
        filters: GROUPS
            .iter()
            .map(|(k, title)| GroupFilter {
                key: k.to_string(),
                title: title.to_string(),
                signals: signals
                    .iter()
                    .filter(|s| group_of(s.signal.kind()) == *k)
                    .count(),
            })
            .collect(),
        groups,
        activity_summary,
        chrome,
    })
}

/// The person's name as their newest signal with a `properties.name` gives it.
fn display_name(signals: &[StoredSignal]) -> Option<String> {
    signals
        .iter()
        .filter_map(|s| {
            let name = s.signal.properties().get("name")?.as_str()?.trim();
            (!name.is_empty()).then(|| (s.signal.occurred_at(), name.to_string()))
        })
        .max_by_key(|(at, _)| *at)
        .map(|(_, name)| name)
}

/// The groups to show, newest first within each, and (when activity is not shown in
/// full) what the activity was, counted by event name.
fn timeline(
    signals: &[StoredSignal],
    analyses: &std::collections::HashMap<i64, TextAnalysis>,
    show: &str,
) -> (Vec<TimelineGroup>, String) {
    let mut newest: Vec<&StoredSignal> = signals.iter().collect();
    newest.sort_by_key(|s| std::cmp::Reverse(s.signal.occurred_at()));
    let summarise_activity = show.is_empty();
    let groups = GROUPS
        .iter()
        .filter(|(key, _)| {
            (show.is_empty() || show == *key) && !(summarise_activity && *key == "activity")
        })
        .map(|(key, title)| TimelineGroup {
            key,
            title,
            items: newest
                .iter()
                .filter(|s| group_of(s.signal.kind()) == *key)
                .map(|s| item(s, analyses.get(&s.seq.0)))
                .collect(),
        })
        .filter(|g| !g.items.is_empty())
        .collect();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for s in signals
        .iter()
        .filter(|s| group_of(s.signal.kind()) == "activity")
    {
        let what = s.signal.action().as_ref().map_or_else(
            || s.signal.kind().as_str().to_string(),
            |a| a.as_str().replace('_', " "),
        );
        *counts.entry(what).or_default() += 1;
    }
    let summary = if summarise_activity && !counts.is_empty() {
        let mut by: Vec<(String, usize)> = counts.into_iter().collect();
        by.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        by.iter()
            .map(|(what, n)| format!("{what} ×{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        String::new()
    };
    (groups, summary)
}

fn item(s: &StoredSignal, analysis: Option<&TextAnalysis>) -> TimelineItem {
    let w = &s.signal;
    let mut detail = Vec::new();
    if let Some(n) = w.nps() {
        detail.push(format!("NPS {n}"));
    }
    if let Some(c) = w.csat() {
        detail.push(format!("CSAT {c}"));
    }
    if let Some(a) = &w.action() {
        detail.push(a.as_str().replace('_', " "));
    }
    if let Some(a) = w.amount() {
        detail.push(fmt::price(w.currency().unwrap_or(""), a));
    }
    let (sentiment, sentiment_class, themes) = match analysis {
        Some(a) => {
            let score = a.sentiment.unwrap_or(0.0);
            let class = if score <= -0.05 {
                "bad"
            } else if score >= 0.05 {
                "good"
            } else {
                "neutral"
            };
            (
                format!("{} {score:+.2}", a.sentiment_label.as_deref().unwrap_or("")),
                class,
                a.themes.clone(),
            )
        }
        None => (String::new(), "neutral", Vec::new()),
    };
    TimelineItem {
        seq: s.seq.0,
        when: w.occurred_at().format("%Y-%m-%d %H:%M").to_string(),
        kind: w.kind().as_str().replace('_', " "),
        channel: w.dimension("channel").unwrap_or_default().to_string(),
        detail: detail.join(" · "),
        text: w.text().unwrap_or_default().to_owned(),
        sentiment,
        sentiment_class,
        themes,
    }
}

fn profile_value_view(
    v: &throughline_dashboard::ProfileValue,
) -> (Vec<(String, String)>, Vec<String>) {
    let cur = v.currency.as_deref().unwrap_or("");
    let pct = |p: f64| format!("{:.0}%", p * 100.0);
    let mut rows = Vec::new();
    if let Some(clv) = v.clv {
        let label = format!("Lifetime value ({:.0} weeks)", v.horizon_weeks);
        rows.push((label, fmt::amount(cur, clv)));
    }
    if v.left {
        rows.push(("Status".into(), "cancelled".into()));
    } else if let Some(p) = v.probability_alive {
        rows.push(("Probability still buying".into(), pct(p)));
    }
    if let Some(p) = v.churn_probability {
        let high = if v.high_risk { " — high risk" } else { "" };
        rows.push(("Churn risk".into(), format!("{}{high}", pct(p))));
    }
    let reasons = v
        .reasons
        .iter()
        .map(|f| {
            let way = if f.contribution > 0.0 {
                "raises"
            } else {
                "lowers"
            };
            format!(
                "{} {way} the risk ({:+.2} log-odds)",
                f.feature.replace('_', " "),
                f.contribution
            )
        })
        .collect();
    (rows, reasons)
}
