//! The survey KPIs as counts a SQL `GROUP BY` can produce in one pass (NPS
//! buckets, CSAT and CES histograms, sentiment sums), read back into the
//! metrics crate's accumulators so CIs and tests come from one place.

use throughline_analytics::QueryBatches;
use throughline_metrics::{CesAcc, CsatAcc, MeanAcc, NpsCounts};

use crate::error::Result;

/// Rows that carry a KPI: an answer or an analysed text. Every aggregate of
/// [`select_list`] but `k_signals` is zero on the others, so adding this to a query
/// changes no KPI, and the scan skips the row groups of events and transactions by
/// their null counts (the demo's monthly KPIs: 280 → 55 ms).
pub const KPI_ROWS: &str =
    " AND (nps IS NOT NULL OR csat IS NOT NULL OR ces IS NOT NULL OR sentiment IS NOT NULL)";

/// The answers a signal gave, as one small integer a `GROUP BY` hashes cheaply:
/// NPS × 1024 + CSAT × 32 + CES, each 31 when not answered (see [`answers`]).
const ANSWERS: &str = "coalesce(nps, 31) * 1024 + coalesce(csat, 31) * 32 + coalesce(ces, 31)";
const NONE: i64 = 31;

/// The aggregate select list, a histogram: one row per group and answers given.
/// Pair it with `GROUP BY <the group's keys>, ` [`GROUP`], then [`read`] the rows
/// and [`fold`] them by key. One grouped answer column plans and runs faster than
/// a `CASE` per NPS, CSAT and CES bucket (fifteen of them) or three nullable keys.
pub fn select_list() -> String {
    format!(
        "{ANSWERS} AS k_ans, count(sentiment) AS k_sent_n, sum(sentiment) AS k_sent_sum, \
         sum(sentiment * sentiment) AS k_sent_sq, count(*) AS k_signals"
    )
}

/// The answer expression [`select_list`] groups by.
pub const GROUP: &str = ANSWERS;

/// `[nps, csat, ces]` from a `k_ans` value.
fn answers(code: i64) -> [Option<i64>; 3] {
    [(code >> 10) & 31, (code >> 5) & 31, code & 31].map(|v| (v != NONE).then_some(v))
}

/// What one group of signals says, as accumulators.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KpiCounts {
    pub nps: NpsCounts,
    pub csat: CsatAcc,
    pub ces: CesAcc,
    pub sentiment: MeanAcc,
    pub signals: u64,
}

impl KpiCounts {
    pub fn merge(&mut self, other: &KpiCounts) {
        self.nps.merge(&other.nps);
        self.csat.merge(&other.csat);
        self.ces.merge(&other.ces);
        self.sentiment.merge(&other.sentiment);
        self.signals += other.signals;
    }
}

/// One `KpiCounts` per row of an answer that used `select_list()` (one histogram
/// cell each: several rows may belong to the same group).
pub fn read(answer: &QueryBatches) -> Result<Vec<KpiCounts>> {
    let count = |name: &str| -> Result<Vec<u64>> {
        Ok(answer
            .i64s(name)?
            .into_iter()
            .map(|v| v.unwrap_or(0).max(0) as u64)
            .collect())
    };
    let codes = answer.i64s("k_ans")?;
    let signals = count("k_signals")?;
    let sent_n = count("k_sent_n")?;
    let (sent_sum, sent_sq) = (answer.f64s("k_sent_sum")?, answer.f64s("k_sent_sq")?);
    Ok((0..answer.num_rows())
        .map(|i| {
            let sentiment = MeanAcc {
                n: sent_n[i],
                sum: sent_sum[i].unwrap_or(0.0),
                sum_sq: sent_sq[i].unwrap_or(0.0),
            };
            let given = codes[i].map_or([None; 3], answers);
            cell(signals[i], given, sentiment)
        })
        .collect())
}

/// One histogram cell: `n` signals that answered `[nps, csat, ces]` (each or none).
fn cell(n: u64, [nps, csat, ces]: [Option<i64>; 3], sentiment: MeanAcc) -> KpiCounts {
    let mut k = KpiCounts {
        signals: n,
        sentiment,
        ..KpiCounts::default()
    };
    match nps {
        Some(9..=10) => k.nps.promoters = n,
        Some(7..=8) => k.nps.passives = n,
        Some(0..=6) => k.nps.detractors = n,
        _ => {}
    }
    let bucket = |v: Option<i64>| v.and_then(|v| usize::try_from(v - 1).ok());
    if let Some(c) = bucket(csat).and_then(|b| k.csat.counts.get_mut(b)) {
        *c = n;
    }
    if let Some(c) = bucket(ces).and_then(|b| k.ces.counts.get_mut(b)) {
        *c = n;
    }
    k
}

/// The histogram rows merged per group key, in key order.
pub fn fold<K: Ord>(
    keys: impl IntoIterator<Item = K>,
    counts: Vec<KpiCounts>,
) -> Vec<(K, KpiCounts)> {
    let mut groups: std::collections::BTreeMap<K, KpiCounts> = std::collections::BTreeMap::new();
    for (key, k) in keys.into_iter().zip(counts) {
        groups.entry(key).or_default().merge(&k);
    }
    groups.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_codes_decode_to_the_answers() {
        // NPS 10, CSAT 4, no CES: 10 × 1024 + 4 × 32 + 31.
        assert_eq!(answers(10 * 1024 + 4 * 32 + 31), [Some(10), Some(4), None]);
        assert_eq!(answers(31 * 1024 + 31 * 32 + 7), [None, None, Some(7)]);
        // NPS 0 (a detractor, not "unanswered").
        assert_eq!(answers(31 * 32 + 31), [Some(0), None, None]);
    }

    #[test]
    fn cells_fold_into_the_counts_of_their_group() {
        let none = MeanAcc::default();
        let text = MeanAcc {
            n: 2,
            sum: 0.5,
            sum_sq: 0.25,
        };
        // Brand A: 3 promoters (10), 2 detractors (4), 1 passive (8), 4 CSAT 5 answers,
        // 2 texts with no answer; brand B: 5 CES 2 answers.
        let rows = vec![
            ("A", cell(3, [Some(10), None, None], none)),
            ("B", cell(5, [None, None, Some(2)], none)),
            ("A", cell(2, [Some(4), None, None], none)),
            ("A", cell(1, [Some(8), None, None], none)),
            ("A", cell(4, [None, Some(5), None], none)),
            ("A", cell(2, [None, None, None], text)),
        ];
        let (keys, counts): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
        let folded = fold(keys, counts);
        assert_eq!(folded.len(), 2);
        let (key, a) = &folded[0];
        assert_eq!(*key, "A");
        assert_eq!(
            a.nps,
            NpsCounts {
                promoters: 3,
                passives: 1,
                detractors: 2
            }
        );
        assert_eq!(a.csat.counts, [0, 0, 0, 0, 4]);
        assert_eq!(a.signals, 12);
        assert_eq!(a.sentiment, text);
        let (key, b) = &folded[1];
        assert_eq!((*key, b.ces.counts[1], b.signals), ("B", 5, 5));
        assert_eq!(b.nps, NpsCounts::default());
    }
}
