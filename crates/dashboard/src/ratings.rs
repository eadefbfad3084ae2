//! Custom ratings on the overview: every named rating (`ratings` on the wire, e.g.
//! `{"delivery_speed": 4}` on 1–5) as a mean on its own scale with its 95% CI, for customers
//! and employees apart, tested against the previous period (Welch).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use throughline_analytics::{Partial, QueryBatches};
use throughline_domain::WorkspaceId;
use throughline_metrics::{compare, Estimate, MeanAcc};

use crate::error::Result;
use crate::filters::{day_start, Period};
use crate::read::Reader;

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RatingRow {
    pub name: String,
    /// `customer` or `employee`.
    pub stakeholder: String,
    /// The scale as answered (the widest seen in the window).
    pub min: f64,
    pub max: f64,
    pub current: Estimate,
    pub previous: Estimate,
    pub delta: f64,
    pub p_value: Option<f64>,
    pub significant: bool,
}

#[derive(Debug, Clone, Default)]
struct Acc {
    cur: MeanAcc,
    prev: MeanAcc,
    min: f64,
    max: f64,
}

/// Per (rating, stakeholder type), folded part by part.
#[derive(Debug, Clone, Default)]
struct Accs(BTreeMap<(String, String), Acc>);

impl Partial for Accs {
    fn merge(&mut self, other: Self) {
        for (key, a) in other.0 {
            match self.0.get_mut(&key) {
                Some(mine) => {
                    mine.cur.merge(&a.cur);
                    mine.prev.merge(&a.prev);
                    mine.min = mine.min.min(a.min);
                    mine.max = mine.max.max(a.max);
                }
                None => {
                    self.0.insert(key, a);
                }
            }
        }
    }

    fn bytes(&self) -> usize {
        self.0.len() * (std::mem::size_of::<Acc>() + 96)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn fold_ratings(answer: &QueryBatches) -> Result<Accs> {
    let (is_cur, st, r) = (
        answer.i64s("cur")?,
        answer.strings("st")?,
        answer.strings("r")?,
    );
    let mut accs: BTreeMap<(String, String), Acc> = BTreeMap::new();
    for i in 0..r.len() {
        let (Some(text), Some(who)) = (&r[i], &st[i]) else {
            continue;
        };
        // Written by our own encoder; a row that does not parse is skipped, not guessed.
        let Ok(map) = serde_json::from_str::<BTreeMap<String, Stored>>(text) else {
            continue;
        };
        for (name, rating) in map {
            let acc = accs.entry((name, who.clone())).or_insert_with(|| Acc {
                min: rating.min,
                max: rating.max,
                ..Acc::default()
            });
            acc.min = acc.min.min(rating.min);
            acc.max = acc.max.max(rating.max);
            if is_cur[i] == Some(1) {
                acc.cur.add(rating.value);
            } else {
                acc.prev.add(rating.value);
            }
        }
    }
    Ok(Accs(accs))
}

/// One rating as the analytics copy stores it: `{"value": v, "min": a, "max": b}`.
#[derive(serde::Deserialize)]
struct Stored {
    value: f64,
    min: f64,
    max: f64,
}

/// The values of a stored ratings object by name; a string that does not parse gives none.
pub(crate) fn values(text: &str) -> BTreeMap<String, f64> {
    serde_json::from_str::<BTreeMap<String, Stored>>(text)
        .map(|m| m.into_iter().map(|(k, v)| (k, v.value)).collect())
        .unwrap_or_default()
}

pub(crate) async fn ratings(
    rd: &Reader,
    ws: WorkspaceId,
    fsql: &str,
    cur: &Period,
    prev: &Period,
) -> Result<Vec<RatingRow>> {
    let window = Period::spanning(prev, cur);
    let sql = format!(
        "SELECT occurred_at >= {} AS cur, stakeholder_type AS st, ratings AS r \
         FROM signals WHERE ratings IS NOT NULL AND stakeholder_type IN ('customer', 'employee'){}{fsql}",
        day_start(cur.start),
        window.sql()
    );
    let accs = Arc::unwrap_or_clone(rd.folded(ws, &sql, fold_ratings).await?).0;
    Ok(accs
        .into_iter()
        .filter(|(_, a)| a.cur.n > 0)
        .map(|((name, stakeholder), a)| {
            let change = compare::mean_change(&a.cur, &a.prev);
            RatingRow {
                name,
                stakeholder,
                min: a.min,
                max: a.max,
                p_value: change.test.as_ref().map(|t| t.p_value),
                significant: change.significant,
                delta: change.delta,
                current: change.current,
                previous: change.previous,
            }
        })
        .collect())
}
