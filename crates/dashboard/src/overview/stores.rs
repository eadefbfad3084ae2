//! Stores on the overview: employee eNPS beside customer CSAT per store over a year,
//! eNPS tested against the other stores, and whether the two move together (EX–CX).

use std::sync::Arc;

use serde::Serialize;
use throughline_domain::WorkspaceId;
use throughline_metrics::{
    nps_segments_vs_rest, pearson, Correlation, Estimate, NpsCounts, SegmentComparison,
};

use crate::error::Result;
use crate::filters::Period;
use crate::folds::Grouped;
use crate::kpis;
use crate::read::Reader;

/// EX beside CX per store: employees' eNPS and customers' CSAT.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StoreRow {
    pub store: String,
    pub enps: SegmentComparison,
    pub csat: Estimate,
}

pub(crate) async fn stores(
    rd: &Reader,
    ws: WorkspaceId,
    fsql: &str,
    period: &Period,
) -> Result<Vec<StoreRow>> {
    let sql = format!(
        "SELECT store AS seg, stakeholder_type AS st, {} FROM signals \
         WHERE store IS NOT NULL{}{}{fsql} GROUP BY 1, 2, {}",
        kpis::select_list(),
        kpis::KPI_ROWS,
        period.sql(),
        kpis::GROUP
    );
    let grouped = rd
        .folded(ws, &sql, |a| {
            let keys = a.strings("seg")?.into_iter().zip(a.strings("st")?);
            Ok(Grouped::fold(keys, kpis::read(a)?))
        })
        .await?;
    let mut rows: Vec<(String, NpsCounts, Estimate)> = Vec::new();
    for ((name, t), k) in Arc::unwrap_or_clone(grouped).0 {
        let name = name.unwrap_or_default();
        let i = match rows.iter().position(|r| r.0 == name) {
            Some(i) => i,
            None => {
                rows.push((name, NpsCounts::default(), Estimate::empty()));
                rows.len() - 1
            }
        };
        match t.as_deref() {
            Some("employee") => rows[i].1.merge(&k.nps),
            Some("customer") => rows[i].2 = k.csat.top2box(),
            _ => {}
        }
    }
    let pairs: Vec<(String, NpsCounts)> = rows.iter().map(|r| (r.0.clone(), r.1)).collect();
    let tested = nps_segments_vs_rest(&pairs);
    let mut out: Vec<StoreRow> = tested
        .into_iter()
        .zip(rows)
        .map(|(enps, r)| StoreRow {
            store: r.0,
            enps,
            csat: r.2,
        })
        .collect();
    out.sort_by(|a, b| a.enps.estimate.value.total_cmp(&b.enps.estimate.value));
    Ok(out)
}

/// Months the stores table pools.
pub const STORE_MONTHS: u32 = 12;
/// Fewest eNPS and CSAT answers a store needs to count in the EX–CX correlation.
pub const EX_CX_MIN_ANSWERS: u64 = 10;

pub(super) fn ex_cx(stores: &[StoreRow]) -> Option<Correlation> {
    let pairs: Vec<(f64, f64)> = stores
        .iter()
        .filter(|s| s.enps.estimate.n >= EX_CX_MIN_ANSWERS && s.csat.n >= EX_CX_MIN_ANSWERS)
        .map(|s| (s.enps.estimate.value, s.csat.value))
        .collect();
    pearson(&pairs)
}
