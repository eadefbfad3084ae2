//! Explore: one KPI over time, sliced by any dimension, with every segment
//! tested against the rest, and the signals underneath (the comments, with
//! their sentiment and themes) for drill-down.

use serde::{Deserialize, Serialize};
use throughline_domain::WorkspaceId;
use throughline_metrics::{
    mean_segments_vs_rest, nps, nps_segments_vs_rest, proportion_segments_vs_rest, Estimate,
    SegmentComparison,
};

use crate::error::{DashboardError, Result};
use crate::filters::{quote, Filters, Grain, Period, DIMENSIONS};
use crate::kpis::{self, KpiCounts};
use crate::read::{micros_to_date, Reader};
use crate::themes::label;
use crate::tiles::{ces_mean, top2};

/// Comments listed under a chart.
const COMMENTS: usize = 50;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Kpi {
    #[default]
    Nps,
    Enps,
    Csat,
    Ces,
    Sentiment,
}

impl Kpi {
    pub const ALL: [Kpi; 5] = [Kpi::Nps, Kpi::Enps, Kpi::Csat, Kpi::Ces, Kpi::Sentiment];

    pub fn name(self) -> &'static str {
        match self {
            Kpi::Nps => "nps",
            Kpi::Enps => "enps",
            Kpi::Csat => "csat",
            Kpi::Ces => "ces",
            Kpi::Sentiment => "sentiment",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kpi::Nps => "NPS",
            Kpi::Enps => "eNPS",
            Kpi::Csat => "CSAT (top-2-box)",
            Kpi::Ces => "CES (mean, 1–7)",
            Kpi::Sentiment => "Sentiment (mean, −1..1)",
        }
    }

    fn stakeholder(self) -> &'static str {
        if self == Kpi::Enps {
            "employee"
        } else {
            "customer"
        }
    }

    fn estimate(self, k: &KpiCounts) -> Estimate {
        match self {
            Kpi::Nps | Kpi::Enps => nps(&k.nps),
            Kpi::Csat => k.csat.top2box(),
            Kpi::Ces => ces_mean(&k.ces.counts).estimate(),
            Kpi::Sentiment => k.sentiment.estimate(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ExploreQuery {
    #[serde(flatten)]
    pub filters: Filters,
    #[serde(default)]
    pub kpi: Kpi,
    /// A dimension from `DIMENSIONS`; none = the whole population.
    pub by: Option<String>,
    #[serde(default)]
    pub grain: Grain,
    /// Only signals whose text mentions this theme (comments and figures).
    pub theme: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TrendPoint {
    pub period: String,
    pub segment: String,
    pub estimate: Estimate,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Comment {
    pub seq: i64,
    pub profile_id: i64,
    pub occurred_at: String,
    pub kind: String,
    pub channel: Option<String>,
    pub brand: Option<String>,
    pub text: String,
    pub sentiment: Option<f64>,
    pub sentiment_label: Option<String>,
    /// Theme ids, as `theme=` takes them.
    pub themes: Vec<String>,
    /// The themes' labels, in the same order, as people read them.
    pub theme_labels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Explore {
    pub query: ExploreQuery,
    pub kpi_label: &'static str,
    pub period: Option<Period>,
    pub total: Estimate,
    pub points: Vec<TrendPoint>,
    /// Each segment over the whole window against the rest (BH-controlled).
    pub segments: Vec<SegmentComparison>,
    pub comments: Vec<Comment>,
    /// Growing themes the taxonomy has no name for, this window against the one before.
    pub emerging: Vec<crate::EmergingTheme>,
}

pub async fn explore(rd: &Reader, ws: WorkspaceId, q: &ExploreQuery) -> Result<Explore> {
    q.filters.validate()?;
    let by = q.by.as_deref().map(By::parse).transpose()?;
    let mut fsql = q.filters.sql();
    if let Some(theme) = q.theme.as_deref().filter(|t| !t.is_empty()) {
        if !theme
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(DashboardError::BadFilter {
                field: "theme",
                reason: "a theme id: a-z, 0-9, _".into(),
            });
        }
        fsql.push_str(&format!(
            " AND (',' || themes || ',') LIKE {}",
            quote(&format!("%,{theme},%"))
        ));
    }
    let mut out = Explore {
        query: q.clone(),
        kpi_label: q.kpi.label(),
        period: None,
        total: Estimate::empty(),
        points: Vec::new(),
        segments: Vec::new(),
        comments: Vec::new(),
        emerging: Vec::new(),
    };
    let Some(as_of) = rd.as_of(ws, &fsql).await? else {
        return Ok(out);
    };
    let (window, before) = Period::current_and_previous(as_of, q.filters.months.unwrap_or(12));
    out.period = Some(window);
    let (seg, join) = match &by {
        None => ("'all'".to_string(), String::new()),
        Some(By::Dimension(d)) => (format!("coalesce({d}, '(none)')"), String::new()),
        Some(By::Property(key)) => ("coalesce(pp.v, '(none)')".to_string(), property_join(key)),
    };
    let sql = format!(
        "SELECT date_trunc('{}', occurred_at) AS p, {seg} AS seg, {} FROM signals{join} \
         WHERE stakeholder_type = '{}'{}{}{fsql} GROUP BY 1, 2, {}",
        q.grain.sql_unit(),
        kpis::select_list(),
        q.kpi.stakeholder(),
        window.sql(),
        kpis::KPI_ROWS,
        kpis::GROUP
    );
    let comments_sql = format!(
        "SELECT seq, profile_id, occurred_at, kind, channel, brand, text, sentiment, sentiment_label, themes \
         FROM signals WHERE text IS NOT NULL AND stakeholder_type = '{}'{}{fsql} \
         ORDER BY occurred_at DESC, seq DESC LIMIT {COMMENTS}",
        q.kpi.stakeholder(),
        window.sql()
    );
    // Unnamed themes are customers' words no theme matched: none within one theme.
    let emerging = async {
        match q.theme.as_deref().filter(|t| !t.is_empty()) {
            None if q.kpi.stakeholder() == "customer" => {
                crate::emerging::emerging(rd, ws, &fsql, &window, &before).await
            }
            _ => Ok(Vec::new()),
        }
    };
    let (answer, comments, emerging) =
        tokio::try_join!(rd.sql(ws, &sql), rd.sql(ws, &comments_sql), emerging)?;
    out.emerging = emerging;
    let keys = answer.i64s("p")?.into_iter().zip(answer.strings("seg")?);
    let counts = kpis::fold(keys, kpis::read(&answer)?);
    let mut totals: Vec<(String, KpiCounts)> = Vec::new();
    let mut all = KpiCounts::default();
    for ((p, s), k) in &counts {
        let segment = s.clone().unwrap_or_default();
        let period = p
            .and_then(micros_to_date)
            .map_or_else(String::new, |d| d.to_string());
        out.points.push(TrendPoint {
            period,
            segment: segment.clone(),
            estimate: q.kpi.estimate(k),
        });
        all.merge(k);
        match totals.iter_mut().find(|(n, _)| *n == segment) {
            Some((_, t)) => t.merge(k),
            None => totals.push((segment, k.clone())),
        }
    }
    out.total = q.kpi.estimate(&all);
    if by.is_some() {
        out.segments = compare_segments(q.kpi, &totals);
    }
    out.comments = read_comments(&comments)?;
    for comment in &mut out.comments {
        comment.theme_labels = comment.themes.iter().map(|t| label(rd, t)).collect();
    }
    Ok(out)
}

/// What Explore slices by: a signal dimension, or a property of the person (`properties.KEY`:
/// the latest value any of their signals gave it, so a customer's plan or tier set on one
/// signal segments all their answers).
enum By {
    Dimension(&'static str),
    Property(String),
}

/// Longest property key accepted in `by`.
const MAX_PROPERTY_KEY: usize = 64;

impl By {
    fn parse(raw: &str) -> Result<By> {
        if let Some(d) = DIMENSIONS.iter().find(|d| d.as_str() == raw) {
            return Ok(By::Dimension(d.as_str()));
        }
        let key = raw.strip_prefix("properties.").unwrap_or("");
        let valid = !key.is_empty()
            && key.len() <= MAX_PROPERTY_KEY
            && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if valid {
            return Ok(By::Property(key.to_string()));
        }
        Err(DashboardError::BadFilter {
            field: "by",
            reason: format!(
                "one of {}, or properties.KEY (KEY: letters, digits, _; at most {MAX_PROPERTY_KEY})",
                DIMENSIONS.map(|d| d.as_str()).join(", ")
            ),
        })
    }
}

/// Each profile's latest value of a property, joined as `pp.v`. A signal without a
/// time (stored out of range, null in the copy) cannot be the latest.
fn property_join(key: &str) -> String {
    let (value, has) = crate::filters::property_sql(key);
    format!(
        " LEFT JOIN (SELECT profile_id AS pid, last_value(v ORDER BY occurred_at, seq) AS v FROM \
           (SELECT profile_id, occurred_at, seq, {value} AS v FROM signals \
            WHERE {has} AND occurred_at IS NOT NULL) \
           WHERE v IS NOT NULL GROUP BY profile_id) pp \
         ON signals.profile_id = pp.pid"
    )
}

fn compare_segments(kpi: Kpi, totals: &[(String, KpiCounts)]) -> Vec<SegmentComparison> {
    let mut rows = match kpi {
        Kpi::Nps | Kpi::Enps => nps_segments_vs_rest(
            &totals
                .iter()
                .map(|(s, k)| (s.clone(), k.nps))
                .collect::<Vec<_>>(),
        ),
        Kpi::Csat => proportion_segments_vs_rest(
            &totals
                .iter()
                .map(|(s, k)| {
                    let (x, n) = top2(&k.csat.counts);
                    (s.clone(), x, n)
                })
                .collect::<Vec<_>>(),
        ),
        Kpi::Ces => mean_segments_vs_rest(
            &totals
                .iter()
                .map(|(s, k)| (s.clone(), ces_mean(&k.ces.counts)))
                .collect::<Vec<_>>(),
        ),
        Kpi::Sentiment => mean_segments_vs_rest(
            &totals
                .iter()
                .map(|(s, k)| (s.clone(), k.sentiment))
                .collect::<Vec<_>>(),
        ),
    };
    rows.retain(|r| r.estimate.n > 0);
    rows.sort_by(|a, b| b.estimate.value.total_cmp(&a.estimate.value));
    rows
}

fn read_comments(answer: &throughline_analytics::QueryBatches) -> Result<Vec<Comment>> {
    let seq = answer.i64s("seq")?;
    let profile = answer.i64s("profile_id")?;
    let at = answer.i64s("occurred_at")?;
    let kind = answer.strings("kind")?;
    let channel = answer.strings("channel")?;
    let brand = answer.strings("brand")?;
    let text = answer.strings("text")?;
    let sentiment = answer.f64s("sentiment")?;
    let label = answer.strings("sentiment_label")?;
    let themes = answer.strings("themes")?;
    Ok((0..seq.len())
        .map(|i| Comment {
            seq: seq[i].unwrap_or(0),
            profile_id: profile[i].unwrap_or(0),
            occurred_at: at[i]
                .and_then(chrono::DateTime::from_timestamp_micros)
                .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M").to_string()),
            kind: kind[i].clone().unwrap_or_default(),
            channel: channel[i].clone(),
            brand: brand[i].clone(),
            text: text[i].clone().unwrap_or_default(),
            sentiment: sentiment[i],
            sentiment_label: label[i].clone(),
            themes: themes[i]
                .as_deref()
                .unwrap_or("")
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            theme_labels: Vec::new(),
        })
        .collect())
}
