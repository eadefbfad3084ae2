//! Times outside what intake accepts (a store filled before the check, or rows a
//! person wrote by hand) must not take a workspace's pages down: one signal dated
//! 2300-01-01 once made the overview, explore, drivers and alerts answer an Arrow
//! overflow for ever. Every page must answer, and the figures must be those of the
//! workspace without the out-of-range rows.

use std::sync::Arc;

use chrono::DateTime;
use serde_json::{json, Value};
use throughline_analytics::AnalyticsCopy;
use throughline_dashboard::{
    AlertQuery, Alerts, Dashboard, DashboardError, DashboardSettings, DriverQuery, DriversView,
    Explore, ExploreQuery, Filters, Overview, ValueView,
};
use throughline_domain::{IdentityPolicy, Signal, WorkspaceId};
use throughline_store::Store;
use throughline_store_sqlite::{Durability, SqliteStore};

struct World {
    _dir: tempfile::TempDir,
    copy: Arc<AnalyticsCopy>,
    dash: Dashboard,
    ws: WorkspaceId,
}

/// A workspace holding `good` and `bad` signals, refreshed into its copy.
async fn world(good: &[Signal], bad: &[Signal]) -> World {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("db.sqlite"), Durability::Normal).unwrap());
    let ws = store.ensure_workspace("w").await.unwrap().id;
    for batch in [good, bad] {
        if !batch.is_empty() {
            store
                .ingest(ws, batch, &IdentityPolicy::default())
                .await
                .unwrap();
        }
    }
    let copy = Arc::new(AnalyticsCopy::open(dir.path().join("analytics"), store).unwrap());
    copy.refresh().await.unwrap();
    let dash = Dashboard::new(copy.clone(), DashboardSettings::default());
    World {
        _dir: dir,
        copy,
        dash,
        ws,
    }
}

fn parse(record: Value) -> Signal {
    Signal::parse(&record).unwrap()
}

/// Survey answers and tickets over three months of 2026, with themes in their texts
/// so drivers and alerts have something to read.
fn good() -> Vec<Signal> {
    let texts = [
        "Delivery was late and the courier rude",
        "Great staff, friendly and helpful",
        "The price is too high for what you get",
        "Checkout was quick and easy",
    ];
    let mut out = Vec::new();
    for n in 0..120u32 {
        let day = format!("2026-{:02}-{:02}", 1 + n % 3, 1 + n % 27);
        let nps = (n * 7) % 11;
        out.push(parse(json!({"kind": "survey_response", "source": "survey",
            "external_id": format!("r{n}"), "occurred_at": format!("{day}T10:00:00Z"),
            "customer": {"email": format!("c{}@example.com", n % 40)}, "nps": nps,
            "csat": 1 + n % 5, "text": texts[n as usize % texts.len()],
            "touchpoint": if n % 3 == 0 { "delivery" } else { "store" },
            "properties": {"tier": if n % 40 < 20 { "gold" } else { "silver" }},
            "brand": if n % 2 == 0 { "Northwind" } else { "Lumen" }})));
        out.push(parse(json!({"kind": "ticket", "source": "desk",
            "external_id": format!("t{n}"), "occurred_at": format!("{day}T09:00:00Z"),
            "first_response_at": format!("{day}T11:00:00Z"),
            "resolved_at": format!("{day}T15:00:00Z"),
            "customer": {"email": format!("c{}@example.com", n % 40)},
            "text": texts[(n as usize + 1) % texts.len()]})));
    }
    out
}

fn at(t: &str) -> chrono::DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(t).unwrap()
}

/// A ticket in range whose response and resolution times are far out; without them
/// (`far_out: false`), it is what the copy should count.
fn far_ticket(far_out: bool) -> Signal {
    let ticket = parse(json!({"kind": "ticket", "source": "desk",
        "external_id": "far-ticket", "occurred_at": "2026-02-02T09:00:00Z",
        "customer": {"email": "c1@example.com"}, "text": "Price too high"}));
    if !far_out {
        return ticket;
    }
    // As a store filled before intake refused such times holds it.
    let mut parts = ticket.into_parts();
    parts.first_response_at = Some(at("2299-01-01T00:00:00Z"));
    parts.resolved_at = Some(at("2300-01-01T00:00:00Z"));
    Signal::from_stored(parts)
}

/// Signals dated where intake now refuses them, built the way a store filled before
/// the check holds them: past 2262-04-11 (from a customer who also has good
/// signals, with another tier) and before 1677-09-21 (from one who has only this),
/// both beyond Arrow's nanoseconds.
fn bad() -> Vec<Signal> {
    let mut future = parse(json!({"kind": "survey_response", "source": "survey",
        "external_id": "future", "occurred_at": "2026-02-01T10:00:00Z",
        "customer": {"email": "c2@example.com"}, "nps": 0, "csat": 1,
        "text": "Delivery was late", "brand": "Northwind", "touchpoint": "delivery",
        "properties": {"tier": "bronze"}}))
    .into_parts();
    future.occurred_at = at("2300-01-01T00:00:00Z");
    let mut past = future.clone();
    past.external_id = "past".into();
    past.identities = parse(json!({"kind": "event", "source": "web", "external_id": "e",
        "occurred_at": "2026-02-01T10:00:00Z", "action": "view",
        "customer": {"email": "past@example.com"}}))
    .identities()
    .to_vec();
    past.occurred_at = at("1500-06-01T00:00:00Z");
    vec![Signal::from_stored(future), Signal::from_stored(past)]
}

/// Every page of the workspace, each of which must answer.
#[derive(Debug, PartialEq)]
struct Pages {
    overview: Overview,
    explore: Vec<Explore>,
    drivers: Vec<DriversView>,
    alerts: Alerts,
    value: ValueView,
}

async fn pages(w: &World) -> Pages {
    let f = Filters::default();
    let overview = w.dash.compute_overview(w.ws, &f).await;
    let overview = overview.expect("the overview answers");
    let mut explore = Vec::new();
    for by in [None, Some("brand"), Some("properties.tier")] {
        let q = ExploreQuery {
            by: by.map(str::to_string),
            ..ExploreQuery::default()
        };
        explore.push(w.dash.explore(w.ws, &q).await.expect("explore answers"));
    }
    let mut drivers = Vec::new();
    for (outcome, by) in [
        ("nps", "themes"),
        ("csat", "themes"),
        ("churn", "touchpoints"),
    ] {
        let q = DriverQuery {
            outcome: Some(outcome.into()),
            drivers: Some(by.into()),
            ..DriverQuery::default()
        };
        drivers.push(w.dash.drivers(w.ws, &q).await.expect("drivers answer"));
    }
    let alerts = w.dash.alerts(w.ws, &AlertQuery::latest(f.clone())).await;
    let value = w.dash.value(w.ws, &[]).await.expect("value answers");
    Pages {
        overview,
        explore,
        drivers,
        alerts: alerts.expect("alerts answer"),
        value,
    }
}

#[tokio::test]
async fn every_page_answers_with_signals_dated_out_of_range_and_leaves_them_out() {
    let mut bad = bad();
    bad.push(far_ticket(true));
    let with_bad = world(&good(), &bad).await;
    let clean = world(&good(), &[far_ticket(false)]).await;
    let mut got = pages(&with_bad).await;
    let want = pages(&clean).await;
    // The two signals without a time are counted apart, and nowhere else: the
    // far-future one does not move "as of" to 2300, nor count in any figure.
    assert_eq!(got.overview.untimed_signals, 2);
    assert_eq!(want.overview.untimed_signals, 0);
    got.overview.untimed_signals = 0;
    assert!(want.overview.as_of.is_some());
    // The value models were fitted through the copy's newest seq, which counts
    // every stored signal.
    assert_eq!(
        got.value.fitted_through_seq,
        want.value.fitted_through_seq + 2
    );
    got.value.fitted_through_seq = want.value.fitted_through_seq;
    assert_eq!(got, want);
}

#[tokio::test]
async fn a_workspace_with_only_out_of_range_signals_answers_as_empty() {
    let w = world(&[], &bad()).await;
    let got = pages(&w).await;
    assert!(got.overview.as_of.is_none(), "{:?}", got.overview.as_of);
    assert_eq!(got.overview.untimed_signals, 2);
    assert!(got.alerts.month.is_none());
}

/// SQL on the copy (`throughline query`, `POST /api/v1/query`) sees such a time as
/// null, so truncating and comparing times answer instead of overflowing.
#[tokio::test]
async fn sql_on_the_copy_sees_out_of_range_times_as_null() {
    let mut bad = bad();
    bad.push(far_ticket(true));
    let w = world(&good()[..4], &bad).await;
    let answer = w
        .copy
        .query_batches(
            w.ws,
            "SELECT count(*) AS n, count(occurred_at) AS timed, count(resolved_at) AS resolved, \
             count(date_trunc('month', occurred_at)) AS months \
             FROM signals WHERE occurred_at IS NULL OR occurred_at < TIMESTAMP '2262-01-01T00:00:00Z'",
        )
        .await
        .expect("the query answers");
    let one = |c: &str| answer.i64s(c).unwrap()[0];
    // 4 good signals and the far ticket have a time; 2 good tickets are resolved.
    assert_eq!(one("n"), Some(7));
    assert_eq!(one("timed"), Some(5));
    assert_eq!(one("months"), Some(5));
    assert_eq!(one("resolved"), Some(2));
}

/// A month to test past 2262 is refused as a bad filter, not sent to the engine.
#[tokio::test]
async fn alerts_refuse_a_month_no_signal_can_have() {
    let w = world(&good()[..4], &[]).await;
    for month in ["2300-01-01", "1899-12-31"] {
        let q = AlertQuery {
            month: Some(month.parse().unwrap()),
            ..AlertQuery::default()
        };
        let got = w.dash.alerts(w.ws, &q).await;
        assert!(
            matches!(got, Err(DashboardError::BadFilter { field: "month", .. })),
            "{month}: {got:?}"
        );
    }
}
