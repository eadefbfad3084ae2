//! Service KPIs from contacts (tickets, chats, calls, emails): first response
//! and resolution times (median with CI), first-contact resolution and SLA
//! compliance, each for the current period beside the previous one.

use std::sync::Arc;

use throughline_domain::WorkspaceId;
use throughline_metrics::{
    compare, first_contact_resolution_between, median_p90, sla_compliance, Contact, Estimate,
};

use crate::error::Result;
use crate::filters::Period;
use crate::folds::Rows;
use crate::glossary::{Def, FCR, FIRST_RESPONSE, RESOLUTION, RESOLUTION_P90, SLA};
use crate::read::Reader;
use crate::tiles::{duration_tile, Format, Quantile, Tile};

const CONTACT_KINDS: &str = "('ticket', 'chat', 'call', 'email')";

/// One contact as read (kept per segment prefix by the copy).
#[derive(Debug, Clone, Copy)]
struct Row {
    at: i64,
    profile: i64,
    first_response: Option<f64>,
    resolution: Option<f64>,
}

pub(crate) async fn tiles(
    rd: &Reader,
    ws: WorkspaceId,
    fsql: &str,
    cur: &Period,
    prev: &Period,
) -> Result<Vec<Tile>> {
    // The FCR window needs the days after the period too; the metrics crate
    // leaves out contacts whose window runs past the last contact seen.
    let window = Period::spanning(prev, cur);
    let sql = format!(
        "SELECT profile_id, occurred_at, \
         CAST(date_part('epoch', first_response_at - occurred_at) AS DOUBLE) AS frt, \
         CAST(date_part('epoch', resolved_at - occurred_at) AS DOUBLE) AS res \
         FROM signals WHERE kind IN {CONTACT_KINDS} AND stakeholder_type = 'customer'{}{fsql}",
        window.sql()
    );
    let rows: Arc<Rows<Row>> = rd
        .folded(ws, &sql, |a| {
            let (at, profile) = (a.i64s("occurred_at")?, a.i64s("profile_id")?);
            let (frt, res) = (a.f64s("frt")?, a.f64s("res")?);
            Ok(Rows(
                (0..a.num_rows())
                    .map(|i| Row {
                        at: at[i].unwrap_or(0),
                        profile: profile[i].unwrap_or(0),
                        first_response: frt[i],
                        resolution: res[i],
                    })
                    .collect(),
            ))
        })
        .await?;
    let c = &rows.0;
    let settings = &rd.settings;
    let rows = |p: &Period| -> Vec<usize> {
        let (s, e) = (micros(p.start), micros(p.end));
        (0..c.len())
            .filter(|&i| c[i].at >= s && c[i].at < e)
            .collect()
    };
    let (rc, rp) = (rows(cur), rows(prev));
    let values = |rows: &[usize], col: fn(&Row) -> Option<f64>| -> Vec<f64> {
        rows.iter()
            .filter_map(|&i| col(&c[i]))
            .filter(|v| *v >= 0.0)
            .collect()
    };
    let frt = |rows: &[usize]| median_p90(&mut values(rows, |r| r.first_response));
    let res = |rows: &[usize]| median_p90(&mut values(rows, |r| r.resolution));
    let target = settings.first_response_sla_hours * 3600.0;
    let sla = |rows: &[usize]| sla_compliance(&values(rows, |r| r.first_response), target);
    let contacts: Vec<Contact> = c
        .iter()
        .map(|r| Contact {
            profile: r.profile,
            at: r.at / 1_000_000,
            issue: None,
        })
        .collect();
    let fcr = |p: &Period| {
        let (from, to) = (micros(p.start) / 1_000_000, micros(p.end) / 1_000_000);
        first_contact_resolution_between(&contacts, settings.fcr_window_days, from, to)
    };
    let share_tile = |def: &Def, a: (Estimate, u64), b: (Estimate, u64)| {
        let (x1, n1) = (a.1, a.0.n);
        let (x2, n2) = (b.1, b.0.n);
        let mut change = compare::proportion_change((x1, n1), (x2, n2));
        change.current = a.0;
        change.previous = b.0;
        Tile::defined(def, Format::Percent, true, change)
    };
    let with_count = |e: Estimate| {
        let x = (e.value * e.n as f64).round() as u64;
        (e, x)
    };
    let resolution = (res(&rc), res(&rp));
    Ok(vec![
        duration_tile(&FIRST_RESPONSE, Quantile::Median, frt(&rc), frt(&rp)),
        duration_tile(
            &RESOLUTION,
            Quantile::Median,
            resolution.0.clone(),
            resolution.1.clone(),
        ),
        duration_tile(&RESOLUTION_P90, Quantile::P90, resolution.0, resolution.1),
        share_tile(&SLA, with_count(sla(&rc)), with_count(sla(&rp))),
        share_tile(&FCR, with_count(fcr(cur)), with_count(fcr(prev))),
    ])
}

fn micros(d: chrono::NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp_micros())
}
