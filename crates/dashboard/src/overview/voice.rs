//! Share of voice on the overview: each brand's share of the reviews and social posts,
//! and how they feel about it.

use std::sync::Arc;

use serde::Serialize;
use throughline_domain::WorkspaceId;
use throughline_metrics::Estimate;

use crate::error::Result;
use crate::filters::Period;
use crate::folds::Sums;
use crate::read::Reader;

/// One brand's share of the review and social conversation, and how it feels.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct VoiceRow {
    pub brand: String,
    pub share: Estimate,
    pub sentiment: Estimate,
}

/// Reviews and social posts per brand in `period`: share of voice (Wilson CI)
/// and mean sentiment (t CI).
pub(crate) async fn voice(
    rd: &Reader,
    ws: WorkspaceId,
    fsql: &str,
    period: &Period,
) -> Result<Vec<VoiceRow>> {
    let sql = format!(
        "SELECT brand AS b, count(*) AS n, count(sentiment) AS sn, sum(sentiment) AS s, \
         sum(sentiment * sentiment) AS sq FROM signals WHERE kind IN ('review', 'social_post') \
         AND brand IS NOT NULL{}{fsql} GROUP BY 1",
        period.sql()
    );
    let sums: Arc<Sums<String, 4>> = rd
        .folded(ws, &sql, |a| {
            let (n, sn, s, sq) = (a.i64s("n")?, a.i64s("sn")?, a.f64s("s")?, a.f64s("sq")?);
            let mut out = Sums::default();
            for (i, b) in a.strings("b")?.into_iter().enumerate() {
                let count = |v: Option<i64>| v.unwrap_or(0).max(0) as f64;
                let values = [
                    count(n[i]),
                    count(sn[i]),
                    s[i].unwrap_or(0.0),
                    sq[i].unwrap_or(0.0),
                ];
                out.add(b.unwrap_or_default(), values);
            }
            Ok(out)
        })
        .await?;
    // Most reviewed first; a tie in brand order.
    let mut brands: Vec<(String, [f64; 4])> = Arc::unwrap_or_clone(sums).0.into_iter().collect();
    brands.sort_by(|a, b| b.1[0].total_cmp(&a.1[0]));
    let total: u64 = brands.iter().map(|(_, v)| v[0] as u64).sum();
    Ok(brands
        .into_iter()
        .map(|(brand, [n, sn, s, sq])| VoiceRow {
            brand,
            share: throughline_metrics::proportion(n as u64, total),
            sentiment: throughline_metrics::MeanAcc {
                n: sn as u64,
                sum: s,
                sum_sq: sq,
            }
            .estimate(),
        })
        .collect())
}
