//! Survey response rate where invitations are known: invitations are `event` signals with
//! action `survey_sent` and `properties.survey` naming the survey; responses are
//! `survey_response` signals naming the same survey. Only surveys with invitations count, and
//! a survey never answers more than it was sent.

use std::collections::BTreeMap;

use throughline_domain::WorkspaceId;
use throughline_metrics::{compare, proportion};

use crate::error::Result;
use crate::filters::{day_start, Period};
use crate::folds::Sums;
use crate::read::Reader;
use crate::tiles::{Format, Tile};

/// (responses counted, invitations) in one period, over surveys with invitations.
fn rate(per_survey: &BTreeMap<String, (u64, u64)>) -> (u64, u64) {
    per_survey
        .values()
        .filter(|(_, sent)| *sent > 0)
        .fold((0, 0), |(x, n), (answered, sent)| {
            (x + answered.min(sent), n + sent)
        })
}

/// The response-rate tile, or `None` when no invitations are known in either period.
pub(crate) async fn tile(
    rd: &Reader,
    ws: WorkspaceId,
    fsql: &str,
    cur: &Period,
    prev: &Period,
) -> Result<Option<Tile>> {
    let window = Period::spanning(prev, cur);
    let (survey, has_survey) = crate::filters::property_sql("survey");
    let sql = format!(
        "SELECT occurred_at >= {} AS c, kind AS k, {survey} AS s, count(*) AS n \
         FROM signals WHERE ((kind = 'event' AND action = 'survey_sent') OR kind = 'survey_response') \
           AND {has_survey}{}{fsql} GROUP BY 1, 2, 3",
        day_start(cur.start),
        window.sql()
    );
    // (current?, survey) → (responses, invitations)
    let counts: std::sync::Arc<Sums<(bool, String), 2>> = rd
        .folded(ws, &sql, |answer| {
            let (c, k, s, n) = (
                answer.i64s("c")?,
                answer.strings("k")?,
                answer.strings("s")?,
                answer.i64s("n")?,
            );
            let mut out = Sums::default();
            for i in 0..n.len() {
                let (Some(kind), Some(survey)) = (&k[i], &s[i]) else {
                    continue;
                };
                let count = n[i].unwrap_or(0).max(0) as f64;
                let sent = if kind == "event" {
                    [0.0, count]
                } else {
                    [count, 0.0]
                };
                out.add((c[i] == Some(1), survey.clone()), sent);
            }
            Ok(out)
        })
        .await?;
    let mut periods: [BTreeMap<String, (u64, u64)>; 2] = Default::default();
    for ((current, survey), [answered, sent]) in &counts.0 {
        periods[usize::from(!current)].insert(survey.clone(), (*answered as u64, *sent as u64));
    }
    let (now, before) = (rate(&periods[0]), rate(&periods[1]));
    if now.1 == 0 && before.1 == 0 {
        return Ok(None);
    }
    let mut change = compare::proportion_change(now, before);
    change.current = proportion(now.0, now.1);
    change.previous = proportion(before.0, before.1);
    Ok(Some(Tile::defined(
        &crate::glossary::RESPONSE_RATE,
        Format::Percent,
        true,
        change,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_surveys_with_invitations_count_and_never_above_them() {
        let mut m = BTreeMap::new();
        m.insert("contact_csat".to_string(), (30, 100));
        m.insert("web_intercept".to_string(), (50, 0)); // no invitations: left out
        m.insert("nps".to_string(), (12, 10)); // more answers than sent: capped
        assert_eq!(rate(&m), (40, 110));
    }
}
