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

/// The aggregate select list; pair it with any `GROUP BY`.
pub fn select_list() -> String {
    let mut cols = vec![
        "sum(CASE WHEN nps >= 9 THEN 1 ELSE 0 END) AS k_prom".to_string(),
        "sum(CASE WHEN nps BETWEEN 7 AND 8 THEN 1 ELSE 0 END) AS k_pass".to_string(),
        "sum(CASE WHEN nps <= 6 THEN 1 ELSE 0 END) AS k_detr".to_string(),
    ];
    cols.extend(
        (1..=5).map(|s| format!("sum(CASE WHEN csat = {s} THEN 1 ELSE 0 END) AS k_csat{s}")),
    );
    cols.extend((1..=7).map(|s| format!("sum(CASE WHEN ces = {s} THEN 1 ELSE 0 END) AS k_ces{s}")));
    cols.push("count(sentiment) AS k_sent_n".into());
    cols.push("sum(sentiment) AS k_sent_sum".into());
    cols.push("sum(sentiment * sentiment) AS k_sent_sq".into());
    cols.push("count(*) AS k_signals".into());
    cols.join(", ")
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

/// One `KpiCounts` per row of an answer that used `select_list()`.
pub fn read(answer: &QueryBatches) -> Result<Vec<KpiCounts>> {
    let n = answer.num_rows();
    let count = |name: &str| -> Result<Vec<u64>> {
        Ok(answer
            .i64s(name)?
            .into_iter()
            .map(|v| v.unwrap_or(0).max(0) as u64)
            .collect())
    };
    let prom = count("k_prom")?;
    let pass = count("k_pass")?;
    let detr = count("k_detr")?;
    let csat: Vec<Vec<u64>> = (1..=5)
        .map(|s| count(&format!("k_csat{s}")))
        .collect::<Result<_>>()?;
    let ces: Vec<Vec<u64>> = (1..=7)
        .map(|s| count(&format!("k_ces{s}")))
        .collect::<Result<_>>()?;
    let sent_n = count("k_sent_n")?;
    let sent_sum = answer.f64s("k_sent_sum")?;
    let sent_sq = answer.f64s("k_sent_sq")?;
    let signals = count("k_signals")?;
    Ok((0..n)
        .map(|i| {
            let mut k = KpiCounts {
                nps: NpsCounts {
                    promoters: prom[i],
                    passives: pass[i],
                    detractors: detr[i],
                },
                signals: signals[i],
                ..KpiCounts::default()
            };
            for (s, col) in csat.iter().enumerate() {
                k.csat.counts[s] = col[i];
            }
            for (s, col) in ces.iter().enumerate() {
                k.ces.counts[s] = col[i];
            }
            k.sentiment = MeanAcc {
                n: sent_n[i],
                sum: sent_sum[i].unwrap_or(0.0),
                sum_sq: sent_sq[i].unwrap_or(0.0),
            };
            k
        })
        .collect())
}
