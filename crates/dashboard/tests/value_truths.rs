//! End to end on the demo company: the value models recover the planted churn pattern
//! (repeat contacts and unhappy customers churn more), and the value page's figures
//! agree with a recount from the raw rows.

mod common;

use common::world;
use throughline_domain::AcquisitionSpend;

const WINDOW: &str = "occurred_at > TIMESTAMP '2026-10-31T23:59:59Z' - INTERVAL '182 days'";

async fn ids(sql: &str) -> Vec<i64> {
    let w = world().await;
    let answer = w.copy.query_batches(w.ws, sql).await.unwrap();
    answer.i64s("p").unwrap().into_iter().flatten().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_churn_model_recovers_the_planted_pattern() {
    let w = world().await;
    let view = w.dash.value(w.ws, &[]).await.unwrap();
    assert!(view.refusals.is_empty(), "{:?}", view.refusals);
    let churn = view.churn.as_ref().unwrap();
    let auc = churn.holdout_auc.unwrap();
    assert!(auc > 0.65, "held-out AUC {auc}");
    let coef = |name: &str| {
        churn
            .coefficients
            .iter()
            .find(|(n, _)| n == name)
            .unwrap()
            .1
    };
    // c) repeat contacts raise churn; f) unhappy customers churn more.
    assert!(coef("repeat_contacts") > 0.05, "{:?}", churn.coefficients);
    assert!(coef("nps") < -0.05, "{:?}", churn.coefficients);
    // Calibrated in aggregate on held-out customers: predicted ≈ observed churners.
    let (predicted, observed): (f64, f64) = churn.reliability.iter().fold((0.0, 0.0), |acc, b| {
        (
            acc.0 + b.mean_predicted * b.count as f64,
            acc.1 + b.observed_rate * b.count as f64,
        )
    });
    assert!(
        (predicted - observed).abs() < 0.35 * observed + 5.0,
        "{predicted} vs {observed}"
    );

    // Customers with a repeat contact in the last half-year score riskier than the rest.
    let repeaters = ids(&format!(
        "SELECT DISTINCT a.profile_id AS p FROM signals a JOIN signals b ON a.profile_id = b.profile_id \
         WHERE a.kind IN ('ticket','chat','call','email') AND b.kind IN ('ticket','chat','call','email') \
           AND a.stakeholder_type = 'customer' AND b.seq <> a.seq AND b.occurred_at > a.occurred_at \
           AND b.occurred_at <= a.occurred_at + INTERVAL '7 days' AND b.{WINDOW}"
    ))
    .await;
    assert!(repeaters.len() > 50, "{}", repeaters.len());
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for p in ids("SELECT DISTINCT profile_id AS p FROM signals WHERE stakeholder_type = 'customer'")
        .await
    {
        let Some(v) = w.dash.profile_value(w.ws, p).await.unwrap() else {
            continue;
        };
        let Some(risk) = v.churn_probability else {
            continue;
        };
        if repeaters.contains(&p) {
            with.push(risk);
            assert!(v.reasons.len() <= 3 && !v.reasons.is_empty(), "{v:?}");
        } else {
            without.push(risk);
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let ratio = mean(&with) / mean(&without);
    assert!(
        ratio > 1.3,
        "risk ratio {ratio} ({} vs {})",
        with.len(),
        without.len()
    );

    // f) Detractors churn more and are worth less than promoters, significantly.
    let promoter = &view.by_nps[0];
    let detractor = &view.by_nps[2];
    assert!(
        detractor.churn_rate.value > 2.0 * promoter.churn_rate.value,
        "{:?}",
        view.by_nps
    );
    let cost = view.detractor_cost.as_ref().unwrap();
    assert!(
        cost.difference > 0.0 && cost.p_value.unwrap() < 0.05,
        "{cost:?}"
    );
    assert!(cost.ci_low < cost.difference && cost.difference < cost.ci_high);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn value_figures_agree_with_a_recount() {
    let w = world().await;
    let view = w.dash.value(w.ws, &[]).await.unwrap();
    let paying = ids(
        "SELECT DISTINCT profile_id AS p FROM signals WHERE stakeholder_type = 'customer' \
         AND kind = 'transaction' AND action IN ('purchase', 'renewal')",
    )
    .await;
    assert_eq!(view.paying_customers, paying.len() as u64);
    // Left = cancelled with no payment after the cancellation.
    let left = ids(
        "SELECT c.profile_id AS p FROM (SELECT profile_id, min(occurred_at) AS t FROM signals \
           WHERE kind = 'transaction' AND action = 'cancellation' GROUP BY 1) c \
         WHERE NOT EXISTS (SELECT 1 FROM signals s WHERE s.profile_id = c.profile_id \
           AND s.kind = 'transaction' AND s.action IN ('purchase', 'renewal') AND s.occurred_at > c.t)",
    )
    .await;
    assert_eq!(view.left, left.len() as u64);
    let dist = view.distribution.as_ref().unwrap();
    assert_eq!(
        dist.buckets.iter().map(|b| b.customers).sum::<u64>(),
        dist.customers
    );
    let in_buckets: f64 = dist.buckets.iter().map(|b| b.value).sum();
    let total = view
        .total_clv
        .iter()
        .find(|m| m.currency == dist.currency)
        .unwrap()
        .amount;
    assert!(
        (in_buckets - total).abs() < 1e-6 * total,
        "{in_buckets} vs {total}"
    );
    assert!((dist.mean.value * dist.customers as f64 - total).abs() < 1e-6 * total);
    // The BG/NBD forecast of the held-out half-year is close to what happened.
    let all = view.calibration.last().unwrap();
    assert_eq!(all.label, "all");
    assert!(
        (all.expected - all.actual).abs() < 0.1 * all.actual,
        "{all:?}"
    );
    // Renewals: quarterly in the demo; the sBG curve follows the observed (Kaplan–Meier) one.
    let m = view.membership.as_ref().unwrap();
    assert!((m.period_days - 91.0).abs() < 3.0, "{}", m.period_days);
    for (t, observed, se) in m.observed.iter().take(4) {
        let projected = m.projected[*t as usize].1;
        assert!(
            (projected - observed).abs() < 3.0 * se + 0.01,
            "t={t}: sBG {projected} vs KM {observed} ± {se}"
        );
    }
    // f) Purchases follow a BG/NBD-like process with dropout ~ Beta(a, b) after each
    // purchase: the fitted dropout parameters recover the planted ones.
    let pm = view.purchase_model.as_ref().unwrap();
    let (a, b) = throughline_demo::truths::DROPOUT_BETA;
    assert!(
        (pm.a.value - a).abs() < 3.0 * pm.a.se,
        "a {:?} vs planted {a}",
        pm.a
    );
    assert!(
        (pm.b.value - b).abs() < 3.0 * pm.b.se,
        "b {:?} vs planted {b}",
        pm.b
    );
    // A cancelled customer is worth nothing and is not scored for churn.
    let gone = w.dash.profile_value(w.ws, left[0]).await.unwrap().unwrap();
    assert!(
        gone.left && gone.clv == Some(0.0) && gone.churn_probability.is_none(),
        "{gone:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cac_is_spend_over_customers_acquired_in_the_spend_months() {
    let w = world().await;
    let spend = [
        AcquisitionSpend {
            channel: "web".into(),
            campaign: String::new(),
            month: "2025-03".into(),
            amount: 6000.0,
            currency: "GBP".into(),
        },
        AcquisitionSpend {
            channel: "web".into(),
            campaign: "spring".into(),
            month: "2025-04".into(),
            amount: 4000.0,
            currency: "GBP".into(),
        },
        AcquisitionSpend {
            channel: "social".into(),
            campaign: "spring_sale".into(),
            month: "2025-03".into(),
            amount: 1500.0,
            currency: "GBP".into(),
        },
    ];
    let view = w.dash.value(w.ws, &spend).await.unwrap();
    let web = view
        .acquisition
        .iter()
        .find(|c| c.channel == "web" && c.campaign.is_none() && c.spend.is_some())
        .unwrap();
    let acquired = ids(
        "SELECT profile_id AS p FROM signals WHERE stakeholder_type = 'customer' GROUP BY profile_id \
         HAVING first_value(channel ORDER BY occurred_at, seq) = 'web' \
            AND max(CASE WHEN kind = 'transaction' AND action IN ('purchase', 'renewal') THEN 1 ELSE 0 END) = 1 \
            AND date_trunc('month', min(occurred_at)) IN (TIMESTAMP '2025-03-01T00:00:00Z', TIMESTAMP '2025-04-01T00:00:00Z')",
    )
    .await;
    assert_eq!(web.customers, acquired.len() as u64);
    let cac = web.cac.unwrap();
    assert!(
        (cac - 10_000.0 / acquired.len() as f64).abs() < 1e-9,
        "{cac}"
    );
    assert!((web.clv_to_cac.unwrap() - web.mean_clv.value / cac).abs() < 1e-9);
    assert!(web.payback_months.unwrap() > 0.0);
    // A campaign's own row: customers whose first signal named it, in its months.
    let campaign = view
        .acquisition
        .iter()
        .find(|c| c.campaign.as_deref() == Some("spring_sale"))
        .unwrap();
    let rows = w
        .copy
        .query_batches(
            w.ws,
            "SELECT profile_id AS p, first_value(properties ORDER BY occurred_at, seq) AS props \
             FROM signals WHERE stakeholder_type = 'customer' GROUP BY profile_id \
             HAVING first_value(channel ORDER BY occurred_at, seq) = 'social' \
                AND max(CASE WHEN kind = 'transaction' AND action IN ('purchase', 'renewal') THEN 1 ELSE 0 END) = 1 \
                AND date_trunc('month', min(occurred_at)) = TIMESTAMP '2025-03-01T00:00:00Z'",
        )
        .await
        .unwrap();
    let named = rows
        .strings("props")
        .unwrap()
        .into_iter()
        .flatten()
        .filter(|p| p.contains("\"campaign\":\"spring_sale\""))
        .count() as u64;
    assert!(named > 0);
    assert_eq!(campaign.customers, named);
    assert!((campaign.cac.unwrap() - 1500.0 / named as f64).abs() < 1e-9);
    // Channels without spend are listed with their customers but no CAC.
    let store = view
        .acquisition
        .iter()
        .find(|c| c.channel == "store")
        .unwrap();
    assert!(store.cac.is_none() && store.customers > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn social_ads_cost_more_than_their_customers_are_worth() {
    // g) The planted CAC per channel against what those customers are worth.
    let w = world().await;
    let spend = w.store.acquisition_spend(w.ws).await.unwrap();
    assert!(!spend.is_empty());
    let view = w.dash.value(w.ws, &spend).await.unwrap();
    for (channel, planted) in throughline_demo::truths::ACQUISITION_CAC {
        let row = view
            .acquisition
            .iter()
            .find(|c| c.channel == channel && c.campaign.is_none() && c.spend.is_some())
            .unwrap_or_else(|| panic!("{channel}: {:?}", view.acquisition));
        let cac = row.cac.unwrap();
        assert!(
            (cac / planted - 1.0).abs() < 0.15,
            "{channel}: CAC {cac} vs planted {planted}"
        );
        let ratio = row.clv_to_cac.unwrap();
        if channel == "social" {
            assert!(ratio < 1.0, "social should not pay back: {row:?}");
        } else {
            assert!(ratio > 1.0, "{channel} should pay back: {row:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn churn_drivers_put_the_themes_that_raise_churn_first() {
    let w = world().await;
    let q = last_year_drivers("churn", None);
    let v = w.dash.drivers(w.ws, &q).await.unwrap();
    let report = v
        .report
        .as_ref()
        .unwrap_or_else(|| panic!("{:?}", v.refusal));
    assert!(v.respondents > 1000 && report.r_squared > 0.0);
    // Churn is worse when higher: "fix first" means important and raising churn.
    for d in &report.drivers {
        let (present, absent) = (
            d.outcome_when_present.unwrap(),
            d.outcome_when_absent.unwrap(),
        );
        if d.quadrant == throughline_dashboard::Quadrant::FixFirst {
            assert!(present > absent, "{d:?}");
        }
    }
    let top = &report.drivers[0];
    let (present, absent) = (
        top.outcome_when_present.unwrap(),
        top.outcome_when_absent.unwrap(),
    );
    assert!(
        present > 1.5 * absent,
        "the strongest driver should go with much more churn: {top:?}"
    );
    // Unknown outcomes are refused by name.
    let bad = throughline_dashboard::DriverQuery {
        outcome: Some("revenue".into()),
        ..Default::default()
    };
    assert!(w
        .dash
        .drivers(w.ws, &bad)
        .await
        .unwrap_err()
        .to_string()
        .contains("churn"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn touchpoint_drivers_rank_where_bad_experiences_go_with_churn() {
    let w = world().await;
    let q = last_year_drivers("churn", Some("touchpoints"));
    let v = w.dash.drivers(w.ws, &q).await.unwrap();
    let report = v
        .report
        .as_ref()
        .unwrap_or_else(|| panic!("{:?}", v.refusal));
    assert_eq!(v.drivers, "touchpoints");
    // c) Repeat support contacts drive churn: a bad support experience is among the top two.
    let top: Vec<&str> = report
        .drivers
        .iter()
        .take(2)
        .map(|d| d.name.as_str())
        .collect();
    assert!(top.contains(&"support_contact"), "{top:?}");
    let support = report
        .drivers
        .iter()
        .find(|d| d.name == "support_contact")
        .unwrap();
    assert!(
        support.outcome_when_present.unwrap() > 1.5 * support.outcome_when_absent.unwrap(),
        "{support:?}"
    );
    let bad = throughline_dashboard::DriverQuery {
        drivers: Some("stores".into()),
        ..Default::default()
    };
    assert!(w.dash.drivers(w.ws, &bad).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ratings_answered_with_csat_are_its_drivers() {
    let w = world().await;
    let q = last_year_drivers("csat", Some("ratings"));
    let v = w.dash.drivers(w.ws, &q).await.unwrap();
    let report = v
        .report
        .as_ref()
        .unwrap_or_else(|| panic!("{:?}", v.refusal));
    let period = v.period.unwrap();
    let answered = w
        .copy
        .query_batches(
            w.ws,
            &format!(
                "SELECT count(*) AS n FROM signals WHERE csat IS NOT NULL AND stakeholder_type = 'customer' \
                 AND ratings LIKE '%\"delivery_speed\"%' AND occurred_at >= TIMESTAMP '{}T00:00:00Z' \
                 AND occurred_at < TIMESTAMP '{}T00:00:00Z'",
                period.start, period.end
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        v.respondents,
        answered.i64s("n").unwrap()[0].unwrap() as u64
    );
    assert_eq!(report.drivers[0].name, "delivery_speed");
    // Faster delivery goes with happier customers in the demo's order surveys.
    assert!(report.r_squared > 0.05, "{}", report.r_squared);
    let churn = throughline_dashboard::DriverQuery {
        outcome: Some("churn".into()),
        ..q.clone()
    };
    assert!(
        w.dash.drivers(w.ws, &churn).await.is_err(),
        "ratings are not drivers of churn"
    );
}

/// Drivers of `outcome` over the last 12 months, with `drivers` (None: themes).
fn last_year_drivers(outcome: &str, drivers: Option<&str>) -> throughline_dashboard::DriverQuery {
    throughline_dashboard::DriverQuery {
        outcome: Some(outcome.into()),
        filters: throughline_dashboard::Filters {
            months: Some(12),
            ..Default::default()
        },
        drivers: drivers.map(str::to_string),
    }
}
