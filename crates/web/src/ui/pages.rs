//! The overview and explore handlers, and what every page shares: the chrome (menus,
//! workspace, partial-data banner), rendering, and the views of segments, tiles and
//! alerts. The other pages have a file each (`*_page.rs`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use throughline_charts::{self as charts, Bar, Highlight, Point, Series};
use throughline_dashboard::{
    Alert, Estimate, Filters, Format, Kpi, SegmentComparison, Tile, DIMENSIONS,
};
use throughline_domain::Dimension;

use super::format as fmt;
use super::views::*;
use super::{url_path, workspace, Local, PageError};
use crate::params::PageParams;
use crate::AppState;

/// Dimensions offered as filter menus on every page (the others stay in Explore's "by").
const MENU_DIMENSIONS: [Dimension; 4] = [
    Dimension::Brand,
    Dimension::Channel,
    Dimension::Region,
    Dimension::Store,
];

pub(super) async fn chrome(
    state: &AppState,
    ws_name: &str,
    nav: &'static str,
    filters: &Filters,
) -> Result<(Chrome, throughline_domain::WorkspaceId), PageError> {
    let ws = workspace(state, ws_name).await?;
    let partial = crate::lag::TenantLag::now(state).await?.banner();
    let values = state
        .dashboard
        .dimension_values(ws, &MENU_DIMENSIONS)
        .await?;
    let chosen: Vec<(&str, &str)> = filters.pairs();
    let menus = values
        .into_iter()
        .map(|(name, vs)| {
            let pick = chosen.iter().find(|(d, _)| *d == name).map(|(_, v)| *v);
            Menu {
                name,
                options: vs
                    .into_iter()
                    .map(|v| {
                        let sel = Some(v.as_str()) == pick;
                        (v, sel)
                    })
                    .collect(),
            }
        })
        .collect();
    Ok((
        Chrome {
            ws: ws_name.to_string(),
            ws_path: url_path(ws_name),
            nav,
            menus,
            months: filters.months(),
            query: filters.query_string(),
            export: String::new(),
            partial,
        },
        ws,
    ))
}

pub(super) fn render(t: impl Template) -> Result<Html<String>, PageError> {
    Ok(Html(t.render()?))
}

pub async fn overview(
    State(state): State<AppState>,
    _: Local,
    Path(ws_name): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Html<String>, PageError> {
    let filters = p.filters()?;
    let (mut chrome, ws) = chrome(&state, &ws_name, "overview", &filters).await?;
    chrome.export = super::export_page::link(&chrome, "overview", &p);
    let o = state.dashboard.overview(ws, &filters).await?;
    let tiles = o
        .tiles
        .iter()
        .map(|t| tile_view(t, &o.spark_months, &chrome))
        .collect();
    let brands: Vec<SegmentView> = o
        .brands
        .iter()
        .map(|b| segment_view(&b.nps, Format::Score, fmt::value(Format::Percent, &b.csat)))
        .collect();
    let channels: Vec<SegmentView> = o
        .channels
        .iter()
        .filter(|c| c.estimate.n > 0)
        .map(|c| segment_view(c, Format::Score, String::new()))
        .collect();
    let stores = o
        .stores
        .iter()
        .map(|s| {
            segment_view(
                &s.enps,
                Format::Score,
                format!(
                    "{} ({})",
                    fmt::value(Format::Percent, &s.csat),
                    fmt::n(&s.csat)
                ),
            )
        })
        .collect();
    let overall = o
        .tiles
        .iter()
        .find(|t| t.key == "nps")
        .map(|t| t.current.value);
    let (retention_chart, retention_detail) = retention_view(o.retention.as_ref());
    let voice_bars: Vec<Bar> = o
        .voice
        .iter()
        .map(|v| Bar {
            label: v.brand.clone(),
            value: v.share.value * 100.0,
            low: Some(v.share.ci_low * 100.0),
            high: Some(v.share.ci_high * 100.0),
            highlight: Highlight::None,
        })
        .collect();
    let voice = o
        .voice
        .iter()
        .map(|v| {
            let sentiment = format!(
                "{} ({})",
                signed2(v.sentiment.value),
                fmt::ci(Format::Mean, &v.sentiment)
            );
            VoiceView {
                brand: v.brand.clone(),
                share: fmt::value(Format::Percent, &v.share),
                sentiment,
                posts: fmt::group(v.share.n),
            }
        })
        .collect();
    let page = OverviewPage {
        headline: super::headline::headline(&o),
        emerging: o.emerging.iter().map(emerging_view).collect(),
        stores_period: o.stores_period.map(|p| p.label()).unwrap_or_default(),
        ex_cx: ex_cx_sentence(&o),
        alerts_month: o.alerts_month.clone().unwrap_or_default(),
        alert_months: o
            .months_with_alerts
            .iter()
            .map(|m| {
                let keep = if chrome.query.is_empty() { "" } else { "&" };
                let link = format!(
                    "/w/{}/alerts?month={}{keep}{}",
                    chrome.ws_path, m.month, chrome.query
                );
                MonthAlerts {
                    month: m.month.clone(),
                    alerts: m.complaint_alerts,
                    link,
                }
            })
            .collect(),
        empty: o.as_of.is_none(),
        period: o.current.map(|p| p.label()).unwrap_or_default(),
        previous: o.previous.map(|p| p.label()).unwrap_or_default(),
        as_of: o.as_of.map(|d| d.to_string()).unwrap_or_default(),
        fresh: o.freshness.as_ref().is_none_or(|f| f.fresh) && chrome.partial.is_empty(),
        computed: o.freshness.as_ref().map_or_else(String::new, |f| {
            let at = f.computed_at.format("%H:%M:%S UTC");
            if f.fresh {
                format!("computed at {at}")
            } else {
                format!("computed at {at}; newer signals are being added, reload in a moment")
            }
        }),
        brands_chart: charts::bar_chart(
            "brands",
            "Customer NPS by brand",
            &bars(o.brands.iter().map(|b| &b.nps)),
            "NPS",
            overall.map(|v| (v, "all brands")),
        ),
        channels_chart: charts::bar_chart(
            "channels",
            "Customer NPS by channel",
            &bars(o.channels.iter()),
            "NPS",
            overall.map(|v| (v, "all channels")),
        ),
        tiles,
        brands,
        channels,
        stores,
        themes: o.themes.iter().map(theme_view).collect(),
        retention_chart,
        retention_detail,
        voice_chart: if o.voice.is_empty() {
            String::new()
        } else {
            charts::bar_chart(
                "voice",
                "Share of voice in reviews and social posts (%)",
                &voice_bars,
                "% of posts",
                None,
            )
        },
        voice,
        ratings: o.ratings.iter().map(rating_view).collect(),
        movers: o
            .movers
            .iter()
            .map(|m| {
                let link = format!(
                    "/w/{}/explore?kpi={}&by={}&grain=month&{}",
                    chrome.ws_path, m.kpi, m.dimension, chrome.query
                );
                (m.headline.clone(), link)
            })
            .collect(),
        alerts: o.alerts.iter().map(|a| alert_view(a, &chrome)).collect(),
        risk: o
            .commercial
            .as_ref()
            .map(|c| fmt::amounts(&c.revenue_at_risk.revenue))
            .unwrap_or_else(|| "—".into()),
        risk_detail: o
            .commercial
            .as_ref()
            .map(|c| {
                format!(
                    "{} customers ({} wrote of leaving): {}.",
                    fmt::group(c.revenue_at_risk.customers),
                    fmt::group(c.revenue_at_risk.churn_intent_customers),
                    c.revenue_at_risk.definition
                )
            })
            .unwrap_or_default(),
        chrome,
    };
    render(page)
}

/// (name, who, scale, mean with CI and n, change against the previous period).
fn rating_view(r: &throughline_dashboard::RatingRow) -> RatingView {
    let change = match r.p_value {
        Some(p) if r.significant => format!("{:+.2} ({})", r.delta, fmt::p_value(Some(p))),
        Some(_) => format!("{:+.2} (not significant)", r.delta),
        None => "—".into(),
    };
    RatingView {
        name: r.name.replace('_', " "),
        who: r.stakeholder.clone(),
        scale: format!("{}–{}", r.min, r.max),
        mean: format!(
            "{:.2} ({}; {})",
            r.current.value,
            fmt::ci(Format::Mean, &r.current),
            fmt::n(&r.current)
        ),
        change,
    }
}

fn retention_view(r: Option<&throughline_dashboard::Retention>) -> (String, String) {
    let Some(r) = r.filter(|r| !r.curve.is_empty()) else {
        return (String::new(), "No purchases to follow yet.".into());
    };
    let x: Vec<String> = (0..r.curve.len()).map(|k| format!("+{k}")).collect();
    let series = Series {
        name: "still buying".into(),
        points: r
            .curve
            .iter()
            .enumerate()
            .map(|(k, e)| (e.n > 0).then(|| point(&x[k], e, Format::Percent)))
            .collect(),
    };
    let chart = charts::percent_line_chart(
        "retention",
        "Customers still buying k months after their first (%)",
        &x,
        &[series],
        "% of cohort",
    );
    let pct = |v: Option<f64>| v.map_or_else(|| "—".into(), |v| format!("{:.1}%", v * 100.0));
    let detail = format!(
        "Revenue retention {} → {} ({}): gross {}, net {}. Revenue that month: {} from existing customers, {} from new.",
        r.base_month.as_deref().unwrap_or("—"),
        r.compare_month.as_deref().unwrap_or("—"),
        r.currency.as_deref().unwrap_or(""),
        pct(r.gross),
        pct(r.net),
        fmt::amount(r.currency.as_deref().unwrap_or(""), r.existing_revenue),
        fmt::amount(r.currency.as_deref().unwrap_or(""), r.new_revenue)
    );
    (chart, detail)
}

fn emerging_view(e: &throughline_dashboard::EmergingTheme) -> EmergingView {
    let count = |n: u64, share: f64| {
        format!(
            "{} comment{} ({:.1}% of analysed texts)",
            fmt::group(n),
            if n == 1 { "" } else { "s" },
            share * 100.0
        )
    };
    EmergingView {
        name: e.name.clone(),
        phrases: e.phrases.join(", "),
        now: count(e.comments, e.share),
        before: count(e.previous_comments, e.previous_share),
        sentiment: format!("{:+.2}", e.mean_sentiment),
        examples: e.examples.clone(),
    }
}

/// Whether employee and customer experience move together across stores, in words
/// an executive can act on, with the figure behind them.
fn ex_cx_sentence(o: &throughline_dashboard::Overview) -> String {
    let min = throughline_dashboard::EX_CX_MIN_ANSWERS;
    let Some(c) = &o.ex_cx else {
        return format!(
            "Too few stores with at least {min} employee and {min} customer answers to relate employee and customer experience."
        );
    };
    let figure = format!(
        "r = {:.2}, 95% CI {:.2} to {:.2}, {}, {} stores with at least {min} answers of each",
        c.r,
        c.ci_low,
        c.ci_high,
        fmt::p_value(Some(c.p_value)),
        c.n
    );
    if c.ci_low > 0.0 {
        format!("Stores whose employees rate them higher have more satisfied customers ({figure}).")
    } else if c.ci_high < 0.0 {
        format!("Stores whose employees rate them higher have less satisfied customers ({figure}).")
    } else {
        format!("No clear link between store eNPS and customer CSAT yet: the interval includes no correlation ({figure}).")
    }
}

/// A tile and where clicking it leads: the KPI's monthly trend by segment in
/// explore, or, for figures explore does not chart, its glossary entry.
fn tile_view(t: &Tile, months: &[String], chrome: &Chrome) -> TileView {
    let link = if throughline_dashboard::Kpi::ALL
        .iter()
        .any(|k| k.name() == t.key)
    {
        let keep = if chrome.query.is_empty() { "" } else { "&" };
        format!(
            "/w/{}/explore?kpi={}&grain=month{keep}{}",
            chrome.ws_path, t.key, chrome.query
        )
    } else {
        format!("/w/{}/glossary#{}", chrome.ws_path, t.key)
    };
    let (class, verdict) = fmt::verdict(t);
    let spark = if t.spark.is_empty() {
        String::new()
    } else {
        let title = format!(
            "{} by month, {} to {}",
            t.label,
            months.first().map_or("", |s| s),
            months.last().map_or("", |s| s)
        );
        charts::sparkline(
            &format!("spark-{}", t.key),
            &title,
            &t.spark,
            t.higher_is_better,
        )
    };
    TileView {
        key: t.key,
        link,
        label: t.label,
        definition: t.definition,
        value: fmt::value(t.format, &t.current),
        ci: fmt::ci(t.format, &t.current),
        n: fmt::n(&t.current),
        delta: fmt::delta(t),
        verdict_class: class,
        verdict,
        spark,
    }
}

fn highlight(c: &SegmentComparison) -> Highlight {
    match (c.significant, c.delta > 0.0) {
        (false, _) => Highlight::None,
        (true, true) => Highlight::Good,
        (true, false) => Highlight::Bad,
    }
}

fn bars<'a>(rows: impl Iterator<Item = &'a SegmentComparison>) -> Vec<Bar> {
    rows.filter(|c| c.estimate.n > 0)
        .map(|c| Bar {
            label: c.segment.clone(),
            value: c.estimate.value,
            low: Some(c.estimate.ci_low),
            high: Some(c.estimate.ci_high),
            highlight: highlight(c),
        })
        .collect()
}

fn segment_view(c: &SegmentComparison, format: Format, extra: String) -> SegmentView {
    let (class, verdict) = if c.estimate.small_sample {
        ("neutral", "sample too small to judge".to_string())
    } else if c.significant {
        (
            if c.delta > 0.0 { "good" } else { "bad" },
            format!("differs from the rest (q = {:.3})", c.q_value),
        )
    } else {
        (
            "neutral",
            format!("no significant difference (q = {:.2})", c.q_value),
        )
    };
    let sign = if c.delta >= 0.0 { "+" } else { "−" };
    let size = match format {
        Format::Percent => format!("{:.1} pts", c.delta.abs() * 100.0),
        f => fmt::number(f, c.delta.abs()),
    };
    let versus_rest = if c.estimate.is_empty() {
        "—".to_string()
    } else {
        format!("{sign}{size}")
    };
    SegmentView {
        name: c.segment.clone(),
        value: fmt::value(format, &c.estimate),
        ci: fmt::ci(format, &c.estimate),
        n: fmt::group(c.estimate.n),
        versus_rest,
        verdict_class: class,
        verdict,
        extra,
    }
}

fn theme_view(t: &throughline_dashboard::ThemeRow) -> ThemeView {
    let change = t.share.value - t.previous_share.value;
    // "+40 pts" from 2 of 5 comments is no finding: the page says the sample is too
    // small to judge (such a change is never significant, `themes.rs`).
    let small = t.share.small_sample || t.previous_share.small_sample;
    let significant = t.share_significant;
    ThemeView {
        id: t.theme.clone(),
        label: t.label.clone(),
        mentions: fmt::group(t.mentions),
        share: fmt::value(Format::Percent, &t.share),
        change: format!(
            "{}{:.1} pts{}",
            if change >= 0.0 { "+" } else { "−" },
            change.abs() * 100.0,
            match (small, significant) {
                (true, _) => " (small sample)",
                (false, true) => " (significant)",
                (false, false) => "",
            }
        ),
        change_class: if !significant {
            "neutral"
        } else if change > 0.0 {
            "bad"
        } else {
            "good"
        },
        sentiment: signed2(t.sentiment.value),
        sentiment_class: sentiment_class(Some(t.sentiment.value)),
        negative: format!("{:.0}%", t.negative_share * 100.0),
    }
}

/// `+0.12` / `−0.12`, and `0.00` rather than `-0.00` for a value that rounds to zero.
fn signed2(v: f64) -> String {
    if (v * 100.0).round() == 0.0 {
        "0.00".into()
    } else {
        format!("{v:+.2}")
    }
}

fn sentiment_class(s: Option<f64>) -> &'static str {
    match s {
        Some(v) if v <= -0.05 => "bad",
        Some(v) if v >= 0.05 => "good",
        _ => "neutral",
    }
}

pub(super) fn alert_view(a: &Alert, chrome: &Chrome) -> AlertView {
    let x: Vec<String> = a.evidence.iter().map(|e| e.0.clone()).collect();
    let series = Series {
        name: "complaints per 100 comments".into(),
        points: a
            .evidence
            .iter()
            .map(|e| {
                (e.2 > 0).then(|| Point {
                    label: e.0.clone(),
                    value: 100.0 * e.1 as f64 / e.2 as f64,
                    low: None,
                    high: None,
                })
            })
            .collect(),
    };
    AlertView {
        headline: a.headline.clone(),
        detail: format!("{} complaints against {:.1} expected from the {} months before (p = {:.2e}, q = {:.2e})", a.current, a.expected, a.evidence.len().saturating_sub(1), a.p_value, a.q_value),
        chart: charts::line_chart(&format!("alert-{}-{}", a.brand, a.theme), &a.headline, &x, &[series], "per 100 comments"),
        link: format!("/w/{}/explore?kpi=sentiment&theme={}&brand={}&months=12", chrome.ws_path, url_path(&a.theme), url_path(&a.brand)),
    }
}

pub async fn explore(
    State(state): State<AppState>,
    _: Local,
    Path(ws_name): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Html<String>, PageError> {
    let mut q = p.explore()?;
    q.filters.months.get_or_insert(12);
    let (mut chrome, ws) = chrome(&state, &ws_name, "explore", &q.filters).await?;
    chrome.export = super::export_page::link(&chrome, "explore", &p);
    let ex = state.dashboard.explore(ws, &q).await?;
    let format = match q.kpi {
        Kpi::Nps | Kpi::Enps => Format::Score,
        Kpi::Csat => Format::Percent,
        _ => Format::Mean,
    };
    let mut periods: Vec<String> = ex.points.iter().map(|p| p.period.clone()).collect();
    periods.dedup();
    let (names, hidden) = super::trend::busiest_segments(&ex.points);
    let series: Vec<Series> = names
        .iter()
        .map(|n| Series {
            name: n.clone(),
            points: periods
                .iter()
                .map(|per| {
                    ex.points
                        .iter()
                        .find(|p| &p.period == per && &p.segment == n)
                        .filter(|p| p.estimate.n > 0)
                        .map(|p| point(per, &p.estimate, format))
                })
                .collect(),
        })
        .collect();
    let page = ExplorePage {
        emerging: ex.emerging.iter().map(emerging_view).collect(),
        show_emerging: q.theme.as_deref().unwrap_or("").is_empty() && q.kpi != Kpi::Enps,
        kpis: Kpi::ALL
            .iter()
            .map(|k| (k.name(), k.label(), *k == q.kpi))
            .collect(),
        bys: DIMENSIONS
            .iter()
            .map(|d| d.to_string())
            .chain(
                state
                    .dashboard
                    .settings()
                    .segment_properties
                    .iter()
                    .map(|k| format!("properties.{k}")),
            )
            .map(|d| {
                let sel = q.by.as_deref() == Some(d.as_str());
                (d, sel)
            })
            .collect(),
        grains: ["day", "week", "month", "quarter"]
            .iter()
            .map(|g| (*g, *g == q.grain.sql_unit()))
            .collect(),
        theme: q.theme.clone().unwrap_or_default(),
        kpi_label: ex.kpi_label.to_string(),
        period: ex.period.map(|p| p.label()).unwrap_or_default(),
        total: format!(
            "{} ({}, {})",
            fmt::value(format, &ex.total),
            fmt::ci(format, &ex.total),
            fmt::n(&ex.total)
        ),
        trend_chart: charts::line_chart(
            "trend",
            &match hidden {
                0 => format!("{} by {}", ex.kpi_label, q.grain.sql_unit()),
                n => format!(
                    "{} by {}: the {} busiest of {}",
                    ex.kpi_label,
                    q.grain.sql_unit(),
                    names.len(),
                    names.len() + n
                ),
            },
            &periods,
            &series,
            ex.kpi_label,
        ),
        segments_chart: charts::bar_chart(
            "segments",
            &format!("{} by {}", ex.kpi_label, q.by.clone().unwrap_or_default()),
            &scaled_bars(&ex.segments, format),
            ex.kpi_label,
            Some((scale(ex.total.value, format), "overall")),
        ),
        segments: ex
            .segments
            .iter()
            .map(|s| segment_view(s, format, String::new()))
            .collect(),
        comments: ex
            .comments
            .iter()
            .map(|c| CommentView {
                when: c.occurred_at.clone(),
                kind: c.kind.clone(),
                channel: c.channel.clone().unwrap_or_default(),
                brand: c.brand.clone().unwrap_or_default(),
                text: c.text.clone(),
                sentiment: c.sentiment_label.clone().map_or_else(
                    || "not analysed".into(),
                    |l| format!("{l} {:+.2}", c.sentiment.unwrap_or(0.0)),
                ),
                sentiment_class: sentiment_class(c.sentiment),
                themes: c
                    .themes
                    .iter()
                    .zip(&c.theme_labels)
                    .map(|(id, name)| {
                        let link = format!(
                            "/w/{}/explore?theme={}&{}",
                            chrome.ws_path,
                            throughline_dashboard::url_encode(id),
                            chrome.query
                        );
                        (link, name.clone())
                    })
                    .collect(),
                profile_link: format!("/w/{}/profiles/{}", chrome.ws_path, c.profile_id),
                // The signal's number, not its text: a comment in a URL would end up in
                // logs, browser history and Referer headers.
                explain_link: format!("/w/{}/explain?signal={}", chrome.ws_path, c.seq),
            })
            .collect(),
        chrome,
    };
    render(page)
}

/// Shares are drawn in percent.
fn scale(v: f64, format: Format) -> f64 {
    if format == Format::Percent {
        v * 100.0
    } else {
        v
    }
}

fn point(label: &str, e: &Estimate, format: Format) -> Point {
    Point {
        label: label.to_string(),
        value: scale(e.value, format),
        low: Some(scale(e.ci_low, format)),
        high: Some(scale(e.ci_high, format)),
    }
}

/// Where a driver's row leads: the comments mentioning the theme, or the KPI by touchpoint.
/// Churn is no Explore KPI, so its drivers lead to sentiment.
pub(super) fn driver_link(chrome: &Chrome, outcome: &str, set: &str, name: &str) -> String {
    let kpi = if outcome == "churn" {
        "sentiment"
    } else {
        outcome
    };
    if set == "touchpoints" {
        format!(
            "/w/{}/explore?kpi={kpi}&by=touchpoint&{}",
            chrome.ws_path, chrome.query
        )
    } else {
        format!(
            "/w/{}/explore?kpi={kpi}&theme={}&{}",
            chrome.ws_path,
            url_path(name),
            chrome.query
        )
    }
}

fn scaled_bars(rows: &[SegmentComparison], format: Format) -> Vec<Bar> {
    rows.iter()
        .filter(|c| c.estimate.n > 0)
        .map(|c| Bar {
            label: c.segment.clone(),
            value: scale(c.estimate.value, format),
            low: Some(scale(c.estimate.ci_low, format)),
            high: Some(scale(c.estimate.ci_high, format)),
            highlight: highlight(c),
        })
        .collect()
}
