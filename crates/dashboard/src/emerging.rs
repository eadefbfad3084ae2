//! Emerging themes: what customers write about that the taxonomy has no name for yet,
//! and whether it is growing. Comments of the current and previous period whose text
//! matched no theme are grouped by `throughline_text::discover_themes`; each group's
//! share of the period's analysed texts is set against its share before. Bounded: at
//! most [`MOST_TEXTS`] newest texts per period, grouped off the async workers.

use serde::Serialize;
use throughline_domain::WorkspaceId;
use throughline_metrics::{benjamini_hochberg, proportion_difference, ALPHA};
use throughline_text::{discover_themes, Analyzer, DiscoverOptions};

use crate::error::{DashboardError, Result};
use crate::filters::Period;
use crate::read::Reader;

/// Newest uncovered texts read per period.
pub const MOST_TEXTS: usize = 3_000;
/// Fewest comments a group needs in the current period to be shown.
pub const MIN_COMMENTS: usize = 5;
/// Groups shown.
const MOST_THEMES: usize = 5;

/// A group of comments no theme covers, growing or new this period.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EmergingTheme {
    /// A suggested name: the group's most characteristic phrase.
    pub name: String,
    pub phrases: Vec<String>,
    /// Comments in the group this period and the one before.
    pub comments: u64,
    pub previous_comments: u64,
    /// Those counts as shares of each period's analysed customer texts.
    pub share: f64,
    pub previous_share: f64,
    pub mean_sentiment: f64,
    /// The growth's two-proportion test, Benjamini–Hochberg adjusted over the groups
    /// found: only groups with q < 0.05 are shown.
    pub p_value: f64,
    pub q_value: f64,
    /// Up to three of this period's comments in the group.
    pub examples: Vec<String>,
}

/// The uncovered texts of one period and how many texts it analysed in all.
struct PeriodTexts {
    texts: Vec<String>,
    analysed: u64,
}

/// Growing unnamed themes of `cur` against `prev`, largest growth first.
pub(crate) async fn emerging(
    rd: &Reader,
    ws: WorkspaceId,
    fsql: &str,
    cur: &Period,
    prev: &Period,
) -> Result<Vec<EmergingTheme>> {
    let (now, before) =
        tokio::try_join!(uncovered(rd, ws, fsql, cur), uncovered(rd, ws, fsql, prev))?;
    // The copy's own analyser (its taxonomy, built once), not a fresh default one.
    let text = rd.analytics.text_analyzer().clone();
    tokio::task::spawn_blocking(move || group(&now, &before, text.analyzer()))
        .await
        .map_err(|e| DashboardError::Internal(format!("emerging themes: {e}")))
}

async fn uncovered(
    rd: &Reader,
    ws: WorkspaceId,
    fsql: &str,
    period: &Period,
) -> Result<PeriodTexts> {
    let scope = format!(
        "FROM signals WHERE stakeholder_type = 'customer' AND sentiment IS NOT NULL{}{fsql}",
        period.sql()
    );
    let texts_sql = format!(
        "SELECT text {scope} AND (themes IS NULL OR themes = '') AND text IS NOT NULL \
         ORDER BY occurred_at DESC LIMIT {MOST_TEXTS}"
    );
    let count_sql = format!("SELECT count(*) AS n {scope}");
    let (texts, count) = tokio::try_join!(rd.sql(ws, &texts_sql), rd.sql(ws, &count_sql))?;
    Ok(PeriodTexts {
        texts: texts.strings("text")?.into_iter().flatten().collect(),
        analysed: count
            .i64s("n")?
            .first()
            .copied()
            .flatten()
            .unwrap_or(0)
            .max(0) as u64,
    })
}

/// Groups both periods' texts together, so a group's comments can be counted on each
/// side, and keeps the groups with [`MIN_COMMENTS`] now whose share grew significantly
/// (two-proportion test, Benjamini–Hochberg over every group found): a handful of
/// comments more than last time is noise, not a topic.
fn group(now: &PeriodTexts, before: &PeriodTexts, analyzer: &Analyzer) -> Vec<EmergingTheme> {
    let all: Vec<&str> = now
        .texts
        .iter()
        .chain(&before.texts)
        .map(String::as_str)
        .collect();
    let options = DiscoverOptions {
        min_documents: MIN_COMMENTS,
        max_themes: 20,
        include_covered: true,
        ..DiscoverOptions::default()
    };
    let split = now.texts.len();
    let share = |n: u64, of: u64| if of == 0 { 0.0 } else { n as f64 / of as f64 };
    let mut found: Vec<EmergingTheme> = discover_themes(&all, analyzer, &options)
        .into_iter()
        .filter_map(|c| {
            let comments = c.documents.iter().filter(|&&d| d < split).count() as u64;
            let previous_comments = c.documents.len() as u64 - comments;
            let test =
                proportion_difference(comments, now.analysed, previous_comments, before.analysed);
            let theme = EmergingTheme {
                p_value: test.map_or(1.0, |t| t.p_value),
                q_value: 1.0,
                name: c.name,
                phrases: c.phrases.into_iter().map(|p| p.phrase).collect(),
                share: share(comments, now.analysed),
                previous_share: share(previous_comments, before.analysed),
                comments,
                previous_comments,
                mean_sentiment: f64::from(c.mean_sentiment),
                examples: c
                    .documents
                    .iter()
                    .filter(|&&d| d < split)
                    .take(3)
                    .map(|&d| all[d].to_string())
                    .collect(),
            };
            (comments >= MIN_COMMENTS as u64).then_some(theme)
        })
        .collect();
    let q = benjamini_hochberg(&found.iter().map(|t| t.p_value).collect::<Vec<_>>());
    for (t, q) in found.iter_mut().zip(q) {
        t.q_value = q;
    }
    found.retain(|t| t.share > t.previous_share && t.q_value < ALPHA);
    found.sort_by(|a, b| {
        (b.share - b.previous_share)
            .total_cmp(&(a.share - a.previous_share))
            .then_with(|| a.name.cmp(&b.name))
    });
    found.truncate(MOST_THEMES);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group_default(now: &PeriodTexts, before: &PeriodTexts) -> Vec<EmergingTheme> {
        group(now, before, &Analyzer::new())
    }

    fn texts(list: &[&str], analysed: u64) -> PeriodTexts {
        PeriodTexts {
            texts: list.iter().map(|s| s.to_string()).collect(),
            analysed,
        }
    }

    #[test]
    fn a_new_topic_is_found_with_its_growth_and_examples() {
        // Discovery ignores words in over half the comments, so the topic sits among others.
        const OTHER: [&str; 10] = [
            "lovely weather today",
            "my cousin visited",
            "bought a blue scarf",
            "the music was loud",
            "opening hours suit me",
            "gift wrapping option please",
            "prices seem fair",
            "tried the new recipe",
            "kids enjoyed the visit",
            "will come back soon",
        ];
        let mut now = vec!["the parking meter ate my coins"; 6];
        now.push("parking meter broken again");
        now.extend(OTHER);
        let mut before = vec!["parking meter was fine"];
        before.extend(OTHER);
        let found = group_default(&texts(&now, 100), &texts(&before, 500));
        let parking = found
            .iter()
            .find(|t| t.phrases.iter().any(|p| p.contains("park")))
            .unwrap_or_else(|| panic!("no parking group: {found:?}"));
        assert_eq!(parking.comments, 7);
        assert_eq!(parking.previous_comments, 1);
        assert!((parking.share - 0.07).abs() < 1e-12);
        assert!((parking.previous_share - 0.002).abs() < 1e-12);
        assert!(parking.q_value < 0.05, "{parking:?}");
        assert!(!parking.examples.is_empty() && parking.examples.len() <= 3);
    }

    #[test]
    fn growth_within_chance_is_not_emerging() {
        const OTHER: [&str; 6] = [
            "lovely weather today",
            "my cousin visited",
            "bought a blue scarf",
            "the music was loud",
            "prices seem fair",
            "will come back soon",
        ];
        let mut now = vec!["parking meter broken"; 6];
        now.extend(OTHER);
        let mut before = vec!["parking meter broken"; 4];
        before.extend(OTHER);
        // 6 of 1,000 against 4 of 1,000: p ≈ 0.53.
        assert!(group_default(&texts(&now, 1000), &texts(&before, 1000)).is_empty());
        // The same group is found when the growth is real: 6 of 1,000 against 4 of 100,000.
        assert_eq!(
            group_default(&texts(&now, 1000), &texts(&before, 100_000)).len(),
            1
        );
    }

    #[test]
    fn a_shrinking_or_small_group_is_not_emerging() {
        let now = ["parking meter broken"; 2];
        let before = ["parking meter broken"; 9];
        assert!(group_default(&texts(&now, 100), &texts(&before, 100)).is_empty());
    }
}
