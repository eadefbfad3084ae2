//! End to end on the demo company: the dashboard finds the truths the generator
//! planted (`throughline_demo::truths`), and its headline figures agree with a
//! recount from the raw rows.

mod common;

use common::world;
use throughline_dashboard::{AlertQuery, DriverQuery, ExploreQuery, Filters, Kpi};
use throughline_demo::{truths, DemoConfig};

/// (profile, occurred_at µs, action, amount, currency)
type TransactionRow = (i64, i64, String, Option<f64>, Option<String>);

fn whole_window() -> Filters {
    Filters {
        months: Some(24),
        ..Filters::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_planted_truths_are_found() {
    let w = world().await;
    let overview = w.dash.overview(w.ws, &whole_window()).await.unwrap();

    // e) The outlier channel: significantly below the rest, and the only one that is.
    let phone = overview
        .channels
        .iter()
        .find(|c| c.segment == truths::OUTLIER_CHANNEL)
        .unwrap();
    assert!(phone.significant && phone.delta < -20.0, "{phone:?}");
    let others: Vec<_> = overview
        .channels
        .iter()
        .filter(|c| c.significant && c.segment != truths::OUTLIER_CHANNEL)
        .collect();
    assert!(
        others.iter().all(|c| c.delta > 0.0),
        "only phone is significantly worse: {others:?}"
    );

    // a) The store whose low eNPS goes with low CSAT: lowest eNPS, significantly, and
    // CSAT in the bottom half of stores.
    let first = &overview.stores[0];
    assert_eq!(first.store, truths::LOW_ENPS_STORE, "{:?}", overview.stores);
    assert!(
        first.enps.significant && first.enps.delta < 0.0,
        "{first:?}"
    );
    let mut csats: Vec<f64> = overview.stores.iter().map(|s| s.csat.value).collect();
    csats.sort_by(f64::total_cmp);
    assert!(
        first.csat.value <= csats[csats.len() / 2],
        "{first:?} vs {csats:?}"
    );

    // Across stores, eNPS and CSAT move together (the planted store quality, r ≈ 0.9 in
    // the generator's own answers): the overview's EX–CX correlation finds it.
    let link = overview.ex_cx.expect("an EX–CX correlation");
    assert!(
        link.n >= 10 && link.r > 0.5 && link.ci_low > 0.0,
        "{link:?}"
    );

    // The planted unnamed topic (loyalty points expiring, late in the window) is the
    // overview's emerging theme, with comments about it as examples.
    let recent = w.dash.overview(w.ws, &Filters::default()).await.unwrap();
    let points = recent
        .emerging
        .iter()
        .find(|e| {
            e.phrases
                .iter()
                .any(|p| p.contains(truths::EMERGING_KEYWORD))
        })
        .unwrap_or_else(|| panic!("no emerging theme about points: {:#?}", recent.emerging));
    assert!(
        points.q_value < 0.05 && points.share > points.previous_share,
        "{points:?}"
    );
    assert!(
        points
            .examples
            .iter()
            .all(|x| x.contains(truths::EMERGING_KEYWORD)),
        "{points:?}"
    );

    // b) The delivery spike: an alert for the brand and the month, and none for others.
    let spike = truths::delay_spike_month(&DemoConfig::default());
    let alerts = w
        .dash
        .alerts(
            w.ws,
            &AlertQuery {
                month: Some(spike),
                ..AlertQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(alerts.month.as_deref(), Some(truths::DELAY_SPIKE_MONTH));
    let delivery = alerts
        .alerts
        .iter()
        .find(|a| a.brand == truths::DELAY_SPIKE_BRAND && a.theme == "delivery")
        .unwrap_or_else(|| panic!("no delivery alert for the brand: {:#?}", alerts.alerts));
    assert!(
        delivery.change > 0.4 && delivery.q_value < 0.01,
        "{delivery:?}"
    );
    assert!(delivery.headline.contains("up"), "{}", delivery.headline);
    // The month picker's calendar: the newest twelve months, the spike among those with
    // findings, each month's count the count that month's own page shows.
    let calendar = &alerts.calendar;
    assert_eq!(
        calendar.len(),
        throughline_dashboard::CALENDAR_MONTHS as usize
    );
    let marked = calendar
        .iter()
        .find(|m| m.month == truths::DELAY_SPIKE_MONTH)
        .expect("the spike month in the calendar");
    assert_eq!(marked.complaint_alerts, alerts.alerts.len());
    for m in calendar.iter().step_by(4) {
        let day =
            chrono::NaiveDate::parse_from_str(&format!("{}-01", m.month), "%Y-%m-%d").unwrap();
        let page = w
            .dash
            .alerts(
                w.ws,
                &AlertQuery {
                    month: Some(day),
                    ..AlertQuery::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(page.alerts.len(), m.complaint_alerts, "{}", m.month);
    }
    // The same late deliveries pull the brand's CSAT down that month: the KPI-shift scan over
    // every segment and KPI (BH-controlled) finds it, and finds next to nothing elsewhere.
    let shifts = &alerts.kpi_shifts;
    assert!(shifts.tested > 10, "{shifts:?}");
    let csat = shifts
        .shifts
        .iter()
        .find(|s| {
            s.dimension == "brand" && s.segment == truths::DELAY_SPIKE_BRAND && s.kpi == "csat"
        })
        .unwrap_or_else(|| panic!("no CSAT shift for the brand: {shifts:#?}"));
    assert!(csat.delta < -0.15 && csat.q_value < 0.05, "{csat:?}");
    assert!(csat.headline.contains("down"), "{}", csat.headline);
    let quiet = w
        .dash
        .alerts(
            w.ws,
            &AlertQuery {
                month: Some(spike - chrono::Months::new(6)),
                ..AlertQuery::default()
            },
        )
        .await
        .unwrap();
    assert!(
        quiet.kpi_shifts.shifts.len() <= 1,
        "{:#?}",
        quiet.kpi_shifts
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headline_figures_match_a_recount_of_the_rows() {
    let w = world().await;
    let overview = w.dash.overview(w.ws, &whole_window()).await.unwrap();
    let (cur, _) = (overview.current.unwrap(), overview.previous.unwrap());
    let rows = w
        .copy
        .query_batches(
            w.ws,
            &format!(
                "SELECT nps FROM signals WHERE nps IS NOT NULL AND stakeholder_type = 'customer' \
                 AND occurred_at >= TIMESTAMP '{}T00:00:00Z' AND occurred_at < TIMESTAMP '{}T00:00:00Z'",
                cur.start, cur.end
            ),
        )
        .await
        .unwrap();
    let scores: Vec<i64> = rows.i64s("nps").unwrap().into_iter().flatten().collect();
    let promoters = scores.iter().filter(|s| **s >= 9).count() as f64;
    let detractors = scores.iter().filter(|s| **s <= 6).count() as f64;
    let n = scores.len() as f64;
    let tile = overview.tiles.iter().find(|t| t.key == "nps").unwrap();
    assert_eq!(tile.current.n, scores.len() as u64);
    assert!((tile.current.value - 100.0 * (promoters - detractors) / n).abs() < 1e-9);
    assert!(tile.current.ci_low < tile.current.value && tile.current.value < tile.current.ci_high);
    // Every tile the overview promises is there, each with its sample size.
    // (Churn needs customers from before the period: the default 3-month window.)
    let recent = w.dash.overview(w.ws, &Filters::default()).await.unwrap();
    for key in [
        "nps",
        "csat",
        "ces",
        "enps",
        "sentiment",
        "first_response",
        "resolution",
        "resolution_p90",
        "sla",
        "fcr",
        "churn",
        "response_rate",
    ] {
        let t = recent
            .tiles
            .iter()
            .find(|t| t.key == key)
            .unwrap_or_else(|| panic!("no {key} tile"));
        assert!(t.current.n > 0, "{key}: {t:?}");
    }
    // Resolution p90 recounted by hand: the 0.9 quantile of the period's resolved customer
    // contacts, interpolated between order statistics (type 7, as R and numpy do).
    let tile = |key: &str| recent.tiles.iter().find(|t| t.key == key).unwrap().clone();
    let (median, p90) = (tile("resolution"), tile("resolution_p90"));
    let period = recent.current.as_ref().unwrap();
    let answer = w
        .copy
        .query_batches(
            w.ws,
            &format!(
                "SELECT CAST(date_part('epoch', resolved_at - occurred_at) AS DOUBLE) AS s FROM signals \
                 WHERE kind IN ('ticket', 'chat', 'call', 'email') AND stakeholder_type = 'customer' \
                   AND resolved_at IS NOT NULL AND occurred_at >= TIMESTAMP '{}T00:00:00Z' \
                   AND occurred_at < TIMESTAMP '{}T00:00:00Z'",
                period.start, period.end
            ),
        )
        .await
        .unwrap();
    let mut hours: Vec<f64> = answer
        .f64s("s")
        .unwrap()
        .into_iter()
        .flatten()
        .filter(|v| *v >= 0.0)
        .collect();
    hours.sort_by(f64::total_cmp);
    assert_eq!(p90.current.n, hours.len() as u64);
    let h = 0.9 * (hours.len() - 1) as f64;
    let lo = h.floor() as usize;
    let want = hours[lo] + (h - lo as f64) * (hours[lo + 1] - hours[lo]);
    assert!(
        (p90.current.value - want / 3600.0).abs() < 1e-9,
        "{} vs {}",
        p90.current.value,
        want / 3600.0
    );
    assert!(p90.current.value > median.current.value);
    assert!(p90.current.ci_low <= p90.current.value && p90.current.value <= p90.current.ci_high);
    // Response rate: the demo sends a CSAT survey after every support contact and about a
    // third are answered (half after a repeat contact); recounted from the rows.
    let count = |sql: String| {
        let copy = w.copy.clone();
        async move {
            let a = copy.query_batches(w.ws, &sql).await.unwrap();
            a.i64s("n").unwrap()[0].unwrap() as u64
        }
    };
    let in_period = format!(
        "properties LIKE '%\"survey\":\"contact_csat\"%' AND occurred_at >= TIMESTAMP '{}T00:00:00Z' \
         AND occurred_at < TIMESTAMP '{}T00:00:00Z'",
        period.start, period.end
    );
    let sent = count(format!("SELECT count(*) AS n FROM signals WHERE kind = 'event' AND action = 'survey_sent' AND {in_period}")).await;
    let answered = count(format!(
        "SELECT count(*) AS n FROM signals WHERE kind = 'survey_response' AND {in_period}"
    ))
    .await;
    let rate = tile("response_rate");
    assert_eq!(rate.current.n, sent);
    assert!((rate.current.value - answered as f64 / sent as f64).abs() < 1e-12);
    assert!((0.28..0.45).contains(&rate.current.value), "{rate:?}");
    // Churn recounted in Rust, for both periods: customers who paid before the period and
    // had not cancelled before it (n), and of them those who cancelled in it.
    let tx = w
        .copy
        .query_batches(
            w.ws,
            "SELECT profile_id AS p, occurred_at AS t, action AS a, amount AS x, currency AS c \
             FROM signals WHERE kind = 'transaction'",
        )
        .await
        .unwrap();
    let rows: Vec<TransactionRow> = tx
        .i64s("p")
        .unwrap()
        .into_iter()
        .zip(tx.i64s("t").unwrap())
        .zip(tx.strings("a").unwrap())
        .zip(
            tx.f64s("x")
                .unwrap()
                .into_iter()
                .zip(tx.strings("c").unwrap()),
        )
        .filter_map(|(((p, t), a), (x, c))| Some((p?, t?, a?, x, c)))
        .collect();
    let mut first_paid: std::collections::HashMap<i64, i64> = Default::default();
    let mut first_cancel: std::collections::HashMap<i64, i64> = Default::default();
    for (p, t, a, _, _) in &rows {
        let slot = match a.as_str() {
            "purchase" | "renewal" => first_paid.entry(*p).or_insert(*t),
            "cancellation" => first_cancel.entry(*p).or_insert(*t),
            _ => continue,
        };
        *slot = (*slot).min(*t);
    }
    let micros =
        |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_micros();
    let churn_of = |p: &throughline_dashboard::Period| -> (u64, f64) {
        let (start, end) = (micros(p.start), micros(p.end));
        let base: Vec<i64> = first_paid
            .iter()
            .filter(|(p, t)| **t < start && first_cancel.get(p).is_none_or(|c| *c >= start))
            .map(|(p, _)| *p)
            .collect();
        let lost = base
            .iter()
            .filter(|p| first_cancel.get(p).is_some_and(|c| *c < end))
            .count();
        (base.len() as u64, lost as f64 / base.len() as f64)
    };
    let churn = tile("churn");
    let previous = recent.previous.as_ref().unwrap();
    for (estimate, p) in [(&churn.current, period), (&churn.previous, previous)] {
        let (n, rate) = churn_of(p);
        assert_eq!(estimate.n, n);
        assert!((estimate.value - rate).abs() < 1e-12);
    }
    // Revenue at risk recounted: customers who answered 0–6 or wrote of leaving in the
    // period and never cancelled, with their trailing 12-month paid revenue per currency.
    let risky = w
        .copy
        .query_batches(
            w.ws,
            &format!(
                "SELECT profile_id AS p, max(CASE WHEN intents LIKE '%churn%' THEN 1 ELSE 0 END) AS i \
                 FROM signals WHERE stakeholder_type = 'customer' AND (nps <= 6 OR intents LIKE '%churn%') \
                 AND occurred_at >= TIMESTAMP '{}T00:00:00Z' AND occurred_at < TIMESTAMP '{}T00:00:00Z' \
                 GROUP BY 1",
                period.start, period.end
            ),
        )
        .await
        .unwrap();
    let risky: std::collections::HashMap<i64, i64> = risky
        .i64s("p")
        .unwrap()
        .into_iter()
        .zip(risky.i64s("i").unwrap())
        .filter_map(|(p, i)| Some((p?, i?)))
        .collect();
    let trailing_start = micros(period.end - chrono::Months::new(12));
    let mut at_risk_revenue: std::collections::BTreeMap<String, f64> = Default::default();
    let mut at_risk: std::collections::BTreeSet<i64> = Default::default();
    for (p, t, a, x, c) in &rows {
        let paid_in_trailing = matches!(a.as_str(), "purchase" | "renewal")
            && *t >= trailing_start
            && *t < micros(period.end);
        if paid_in_trailing && risky.contains_key(p) && !first_cancel.contains_key(p) {
            at_risk.insert(*p);
            *at_risk_revenue
                .entry(c.clone().unwrap_or_else(|| "?".into()))
                .or_default() += x.unwrap_or(0.0);
        }
    }
    let shown = &recent.commercial.as_ref().unwrap().revenue_at_risk;
    assert_eq!(shown.customers, at_risk.len() as u64);
    let intent = at_risk.iter().filter(|p| risky[p] == 1).count() as u64;
    assert_eq!(shown.churn_intent_customers, intent);
    assert_eq!(shown.revenue.len(), at_risk_revenue.len());
    for m in &shown.revenue {
        let want = at_risk_revenue[&m.currency];
        assert!(
            (m.amount - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{m:?} vs {want}"
        );
    }
    // Paid revenue per currency recounted, for both periods.
    let revenue_of = |p: &throughline_dashboard::Period| {
        let (start, end) = (micros(p.start), micros(p.end));
        let mut sums: std::collections::BTreeMap<String, f64> = Default::default();
        for (_, t, a, x, c) in &rows {
            if matches!(a.as_str(), "purchase" | "renewal") && *t >= start && *t < end {
                let currency = c.clone().unwrap_or_else(|| "?".into());
                *sums.entry(currency).or_default() += x.unwrap_or(0.0);
            }
        }
        sums
    };
    let commercial = recent.commercial.as_ref().unwrap();
    for (shown, p) in [
        (&commercial.revenue, period),
        (&commercial.previous_revenue, previous),
    ] {
        let expected = revenue_of(p);
        assert_eq!(shown.len(), expected.len(), "{shown:?} vs {expected:?}");
        for m in shown {
            let want = expected[&m.currency];
            assert!(
                (m.amount - want).abs() <= 1e-9 * want.abs().max(1.0),
                "{m:?} vs {want}"
            );
        }
    }
    // Top movers are the KPI shifts of the month the overview's alerts are for, as the
    // alerts page lists them for that month.
    let month = recent.alerts_month.as_deref().expect("an alerts month");
    let day = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").unwrap();
    let that_month = w
        .dash
        .alerts(
            w.ws,
            &AlertQuery {
                month: Some(day),
                ..AlertQuery::latest(Filters::default())
            },
        )
        .await
        .unwrap();
    assert_eq!(recent.movers, that_month.kpi_shifts.shifts);
    assert_eq!(recent.alerts, that_month.alerts);
    // Custom ratings: delivery speed (customers, 1–5) recounted from the raw JSON.
    let answer = w
        .copy
        .query_batches(
            w.ws,
            &format!(
                "SELECT ratings FROM signals WHERE ratings LIKE '%delivery_speed%' \
                 AND stakeholder_type = 'customer' AND occurred_at >= TIMESTAMP '{}T00:00:00Z' \
                 AND occurred_at < TIMESTAMP '{}T00:00:00Z'",
                period.start, period.end
            ),
        )
        .await
        .unwrap();
    let values: Vec<f64> = answer
        .strings("ratings")
        .unwrap()
        .into_iter()
        .flatten()
        .map(|r| {
            let v: serde_json::Value = serde_json::from_str(&r).unwrap();
            v["delivery_speed"]["value"].as_f64().unwrap()
        })
        .collect();
    let rating = recent
        .ratings
        .iter()
        .find(|r| r.name == "delivery_speed" && r.stakeholder == "customer")
        .unwrap_or_else(|| panic!("{:?}", recent.ratings));
    assert_eq!(rating.current.n, values.len() as u64);
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    assert!((rating.current.value - mean).abs() < 1e-9);
    assert_eq!((rating.min, rating.max), (1.0, 5.0));
    assert!(recent.ratings.iter().any(|r| r.stakeholder == "employee"));
    // A revenue-at-risk figure exists and is a part of the revenue.
    let commercial = overview.commercial.as_ref().unwrap();
    let risk = &commercial.revenue_at_risk;
    assert!(
        risk.customers > 0
            && risk.revenue.iter().all(|m| m.amount > 0.0)
            && !risk.revenue.is_empty()
    );
    // Currencies are never added together: one figure per currency in the data.
    let mut currencies: Vec<&str> = commercial
        .revenue
        .iter()
        .map(|m| m.currency.as_str())
        .collect();
    currencies.sort();
    currencies.dedup();
    assert_eq!(currencies.len(), commercial.revenue.len());
    assert!(!overview.themes.is_empty() && overview.themes[0].mentions > 0);
    // Retention: everyone is there in their first month; later months are shares.
    let retention = recent.retention.as_ref().unwrap();
    assert_eq!(retention.curve[0].value, 1.0, "{:?}", retention.curve);
    assert!(retention.curve[1..]
        .iter()
        .all(|e| e.value < 1.0 && e.n > 0));
    // Still-buying shares of the same (complete) cohorts never rise: a
    // customer counts until their last purchase (quarterly renewals are not churn).
    let values: Vec<f64> = retention.curve.iter().map(|e| e.value).collect();
    assert!(
        values.windows(2).all(|w| w[1] <= w[0] + 1e-12),
        "{values:?}"
    );
    assert!(retention.gross.unwrap() <= 1.0 && retention.net.unwrap() >= retention.gross.unwrap());
    // Share of voice: the brands' shares of the same posts add up to one.
    let total: f64 = recent.voice.iter().map(|v| v.share.value).sum();
    assert!(
        recent.voice.len() >= 2 && (total - 1.0).abs() < 1e-9,
        "{:?}",
        recent.voice
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explore_slices_and_drills_down_and_drivers_decompose() {
    let w = world().await;
    let q = ExploreQuery {
        kpi: Kpi::Nps,
        by: Some("channel".into()),
        filters: whole_window(),
        ..ExploreQuery::default()
    };
    let ex = w.dash.explore(w.ws, &q).await.unwrap();
    assert!(ex.points.len() > 12, "monthly points per channel");
    let phone = ex
        .segments
        .iter()
        .find(|s| s.segment == truths::OUTLIER_CHANNEL)
        .unwrap();
    assert!(phone.significant);
    assert_eq!(
        ex.segments.last().unwrap().segment,
        truths::OUTLIER_CHANNEL,
        "phone ranks last"
    );
    assert!(!ex.comments.is_empty() && ex.comments.len() <= 50);

    // By a customer property set once on the account (`tier`), recounted in Rust: each
    // customer's tier from their own signals, then their NPS answers in the window.
    let by_tier = ExploreQuery {
        by: Some("properties.tier".into()),
        ..q.clone()
    };
    let ex = w.dash.explore(w.ws, &by_tier).await.unwrap();
    let period = ex.period.unwrap();
    let rows = w
        .copy
        .query_batches(
            w.ws,
            "SELECT profile_id, properties FROM signals WHERE properties LIKE '%\"tier\"%'",
        )
        .await
        .unwrap();
    let tiers: std::collections::HashMap<i64, String> = rows
        .i64s("profile_id")
        .unwrap()
        .into_iter()
        .zip(rows.strings("properties").unwrap())
        .filter_map(|(p, props)| {
            let v: serde_json::Value = serde_json::from_str(&props?).ok()?;
            Some((p?, v["tier"].as_str()?.to_string()))
        })
        .collect();
    let answers = w
        .copy
        .query_batches(
            w.ws,
            &format!(
                "SELECT profile_id FROM signals WHERE nps IS NOT NULL AND stakeholder_type = 'customer' \
                 AND occurred_at >= TIMESTAMP '{}T00:00:00Z' AND occurred_at < TIMESTAMP '{}T00:00:00Z'",
                period.start, period.end
            ),
        )
        .await
        .unwrap();
    let mut gold = 0u64;
    for p in answers.i64s("profile_id").unwrap().into_iter().flatten() {
        gold += u64::from(tiers.get(&p).is_some_and(|t| t == "gold"));
    }
    let seg = ex.segments.iter().find(|s| s.segment == "gold").unwrap();
    assert_eq!(seg.estimate.n, gold, "{:?}", ex.segments);
    assert!(ex.segments.iter().any(|s| s.segment == "standard"));
    let bad = ExploreQuery {
        by: Some("properties.x'; DROP".into()),
        ..q.clone()
    };
    assert!(w.dash.explore(w.ws, &bad).await.is_err());

    let themed = ExploreQuery {
        theme: Some("delivery".into()),
        ..q.clone()
    };
    let ex = w.dash.explore(w.ws, &themed).await.unwrap();
    assert!(
        ex.comments
            .iter()
            .all(|c| c.themes.iter().any(|t| t == "delivery")),
        "{:?}",
        ex.comments.first()
    );

    let bad = ExploreQuery {
        by: Some("favourite_colour".into()),
        ..q
    };
    assert!(w
        .dash
        .explore(w.ws, &bad)
        .await
        .unwrap_err()
        .is_user_error());

    let drivers = w
        .dash
        .drivers(
            w.ws,
            &DriverQuery {
                filters: whole_window(),
                outcome: None,
                drivers: None,
            },
        )
        .await
        .unwrap();
    let report = drivers
        .report
        .unwrap_or_else(|| panic!("{:?}", drivers.refusal));
    let total: f64 = report.drivers.iter().map(|d| d.raw_importance).sum();
    assert!(
        (total - report.r_squared).abs() < 1e-9,
        "importances add up to R²"
    );
    assert!(report.r_squared > 0.0 && report.n >= 30);
    // The page's drivers come with bootstrap intervals around their shares.
    assert!(
        report.resamples >= throughline_drivers::MIN_RESAMPLES,
        "{}",
        report.resamples
    );
    for d in &report.drivers {
        let [low, high] = d.importance_ci.expect("an interval");
        // A share near 0 may sit just below its percentile interval (shares cannot
        // go negative), never above it.
        assert!(
            (0.0..=1.0).contains(&low) && low <= high && high <= 1.0,
            "{}",
            d.name
        );
        assert!(
            d.importance <= high,
            "{}: {} above {high}",
            d.name,
            d.importance
        );
    }
}

/// The drivers page reads its rows in a fixed order: the bootstrap resamples rows by
/// position, so rows in the engine's order of the moment (a first read of the
/// segments, then the hot cache's) gave intervals that moved between page views.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drivers_answer_the_same_on_every_read() {
    let w = common::world().await;
    let query = DriverQuery {
        filters: whole_window(),
        outcome: None,
        drivers: None,
    };
    let first = w.dash.drivers(w.ws, &query).await.unwrap();
    for _ in 0..2 {
        let again = w.dash.drivers(w.ws, &query).await.unwrap();
        assert_eq!(again, first);
    }
}
