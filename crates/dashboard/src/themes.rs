//! Themes in customers' own words: how often each is mentioned, how it feels
//! (mean aspect sentiment), and whether its share of texts changed.

use std::sync::Arc;

use serde::Serialize;
use throughline_domain::WorkspaceId;
use throughline_metrics::{compare, proportion, Estimate, MeanAcc};

use crate::error::Result;
use crate::filters::{day_start, Period};
use crate::folds::Sums;
use crate::read::Reader;
use crate::small_map::SmallMap;
use throughline_analytics::Partial;

/// Themes shown on the overview.
const TOP_THEMES: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ThemeRow {
    pub theme: String,
    pub label: String,
    pub mentions: u64,
    /// Share of analysed customer texts that mention the theme, with its CI.
    pub share: Estimate,
    pub previous_share: Estimate,
    pub share_p_value: Option<f64>,
    pub share_significant: bool,
    /// Mean aspect sentiment of the mentions, −1..1.
    pub sentiment: Estimate,
    /// Share of mentions with a negative aspect.
    pub negative_share: f64,
}

/// Customer texts' `aspects` (`theme:score,theme:score`, see the copy's text
/// columns) with `columns` before them, as SQL. The mentions are split in Rust
/// ([`each_mention`]): unnesting and parsing them in SQL cost more than the rest
/// of the theme queries together.
pub(crate) fn aspects_sql(columns: &str, where_sql: &str) -> String {
    format!(
        "SELECT {columns}, aspects FROM signals \
         WHERE aspects IS NOT NULL AND stakeholder_type = 'customer'{where_sql}"
    )
}

/// Each (theme, score) mention of an `aspects` value; a mention whose score does
/// not parse is skipped. Runs once per customer text per overview (hundreds of
/// thousands at scale), so it scans bytes instead of splitting strings.
pub(crate) fn each_mention(aspects: &str, mut f: impl FnMut(&str, f64)) {
    for mention in aspects.split(',') {
        let Some(colon) = mention.bytes().position(|b| b == b':') else {
            continue;
        };
        let (theme, rest) = (&mention[..colon], &mention[colon + 1..]);
        // Anything after a second colon was never part of the score.
        let score = rest.split(':').next().unwrap_or_default();
        if let Some(score) = decimal(score).or_else(|| score.trim().parse::<f64>().ok()) {
            f(theme, score);
        }
    }
}

/// `-?digits(.digits)?` with at most 15 digits, exactly as `str::parse::<f64>` reads
/// it: both the digits and the power of ten are exact doubles, and one IEEE division
/// rounds correctly. Anything else is `None` and left to the general parser.
fn decimal(s: &str) -> Option<f64> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (mut mantissa, mut count, mut scale, mut seen_point) = (0u64, 0u32, 0i32, false);
    for b in digits.bytes() {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                count += 1;
                scale += i32::from(seen_point);
            }
            b'.' if !seen_point => seen_point = true,
            _ => return None,
        }
    }
    if count == 0 || count > 15 {
        return None;
    }
    let value = mantissa as f64 / 10f64.powi(scale);
    Some(if negative { -value } else { value })
}

/// Theme label from the taxonomy the copy was analysed with; an id it does not name
/// (a sub-theme, or one of an older taxonomy) is spelled out (`staff_attitude` →
/// "Staff attitude") rather than shown raw.
pub(crate) fn label(rd: &Reader, id: &str) -> String {
    rd.analytics
        .text_analyzer()
        .analyzer()
        .taxonomy()
        .themes
        .iter()
        .find(|t| t.id == id)
        .map_or_else(|| spelled_out(id), |t| t.label.clone())
}

fn spelled_out(id: &str) -> String {
    let words = id.replace(['_', '-'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// One theme's mentions: in the previous and current period, and the current
/// period's sentiment and negative mentions.
#[derive(Debug, Clone, Default)]
struct Acc {
    n: [u64; 2],
    sent: MeanAcc,
    neg: u64,
}

impl Acc {
    fn add(&mut self, current: bool, score: f64) {
        self.n[usize::from(current)] += 1;
        if current {
            self.sent.merge(&MeanAcc {
                n: 1,
                sum: score,
                sum_sq: score * score,
            });
            self.neg += u64::from(score < -0.05);
        }
    }
}

/// Parts add up; mentions per theme are a `SmallMap` of these (merged key by key).
impl Partial for Acc {
    fn merge(&mut self, other: Self) {
        self.n[0] += other.n[0];
        self.n[1] += other.n[1];
        self.sent.merge(&other.sent);
        self.neg += other.neg;
    }

    fn bytes(&self) -> usize {
        std::mem::size_of::<Acc>()
    }

    fn is_empty(&self) -> bool {
        self.n == [0, 0]
    }
}

pub(crate) async fn top(
    rd: &Reader,
    ws: WorkspaceId,
    fsql: &str,
    cur: &Period,
    prev: &Period,
) -> Result<Vec<ThemeRow>> {
    let window = Period::spanning(prev, cur);
    let is_cur = format!("occurred_at >= {}", day_start(cur.start));
    let sql = aspects_sql(
        &format!("CASE WHEN {is_cur} THEN 1 ELSE 0 END AS cur"),
        &format!("{}{fsql}", window.sql()),
    );
    let texts_sql = format!(
        "SELECT CASE WHEN {is_cur} THEN 1 ELSE 0 END AS cur, count(*) AS n FROM signals \
         WHERE sentiment IS NOT NULL AND stakeholder_type = 'customer'{}{fsql} GROUP BY 1",
        window.sql()
    );
    let texts = |a: &throughline_analytics::QueryBatches| {
        let mut n = Sums::default();
        for (c, k) in a.i64s("cur")?.into_iter().zip(a.i64s("n")?) {
            n.add(c == Some(1), [k.unwrap_or(0).max(0) as f64]);
        }
        Ok(n)
    };
    let mentions = |a: &throughline_analytics::QueryBatches| {
        let mut by_theme: SmallMap<Acc> = SmallMap::default();
        let curs = a.i64s("cur")?;
        a.for_each_str("aspects", |i, aspects| {
            let current = curs[i] == Some(1);
            each_mention(aspects.unwrap_or_default(), |theme, score| {
                by_theme
                    .get_or_insert_with(theme, Acc::default)
                    .add(current, score);
            });
        })?;
        Ok(by_theme)
    };
    let (by_theme, texts): (Arc<SmallMap<Acc>>, Arc<Sums<bool, 1>>) = tokio::try_join!(
        rd.folded(ws, &sql, mentions),
        rd.folded(ws, &texts_sql, texts)
    )?;
    let count = |current: bool| texts.0.get(&current).map_or(0, |v| v[0] as u64);
    let texts_in = [count(false), count(true)];
    let by_theme = Arc::unwrap_or_clone(by_theme);
    let mut rows: Vec<ThemeRow> = by_theme
        .entries
        .into_iter()
        .filter(|(_, a)| a.n[1] > 0)
        .map(|(theme, a)| {
            let test = compare::proportion_difference(a.n[1], texts_in[1], a.n[0], texts_in[0]);
            let share = proportion(a.n[1], texts_in[1]);
            let previous_share = proportion(a.n[0], texts_in[0]);
            let p = test.as_ref().map(|t| t.p_value);
            ThemeRow {
                label: label(rd, &theme),
                theme,
                mentions: a.n[1],
                share_significant: p.is_some_and(|p| p < compare::ALPHA)
                    && !share.small_sample
                    && !previous_share.small_sample,
                share,
                previous_share,
                share_p_value: p,
                sentiment: a.sent.estimate(),
                negative_share: a.neg as f64 / a.n[1] as f64,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.mentions
            .cmp(&a.mentions)
            .then_with(|| a.theme.cmp(&b.theme))
    });
    rows.truncate(TOP_THEMES);
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::{decimal, each_mention, spelled_out};

    #[test]
    fn an_unknown_id_is_spelled_out() {
        assert_eq!(spelled_out("staff_attitude"), "Staff attitude");
        assert_eq!(spelled_out("x"), "X");
        assert_eq!(spelled_out(""), "");
    }

    #[test]
    fn scores_read_exactly_as_the_general_parser_reads_them() {
        for s in [
            "0.000",
            "-0.500",
            "0.250",
            "0.181",
            "-0.020",
            "1",
            "-1.000",
            "0.1",
            "12.34567",
            "0.333",
            "-0.459",
            "999999999999999",
        ] {
            assert_eq!(decimal(s), Some(s.parse::<f64>().unwrap()), "{s}");
        }
        // Every three-decimal score the copy writes, both signs.
        for i in 0..=1000 {
            for s in [
                format!("{:.3}", i as f64 / 1000.0),
                format!("-{:.3}", i as f64 / 1000.0),
            ] {
                assert_eq!(decimal(&s), Some(s.parse::<f64>().unwrap()), "{s}");
            }
        }
        for s in [
            "",
            "-",
            ".",
            "1e3",
            "1.2.3",
            " 0.5",
            "x",
            "1234567890123456",
        ] {
            assert_eq!(decimal(s), None, "{s}");
        }
    }

    #[test]
    fn mentions_are_split_as_the_copy_writes_them() {
        let mut seen = Vec::new();
        each_mention(
            "delivery:-0.500,price:0.250,staff:x,wait: 1e-1,nocolon,x:1:2",
            |t, s| seen.push((t.to_string(), s)),
        );
        assert_eq!(
            seen,
            vec![
                ("delivery".to_string(), -0.5),
                ("price".to_string(), 0.25),
                ("wait".to_string(), 0.1),
                ("x".to_string(), 1.0),
            ]
        );
    }
}
