//! Each planted truth in `throughline_demo::truths` holds in a generated sample,
//! computed from the signals alone (people found by identity resolution).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Datelike;
use throughline_demo::truths::*;
use throughline_domain::{Signal, SignalKind, StakeholderType};

use crate::common::*;

/// People who signed up: the customers, as resolution sees them.
fn customers(sample: &Sample) -> HashSet<u32> {
    let signed_up = sample
        .signals
        .iter()
        .zip(&sample.person)
        .filter(|(s, _)| action(s) == "sign_up");
    signed_up.filter_map(|(_, p)| *p).collect()
}

#[test]
fn a_low_enps_store_has_low_csat_and_store_enps_tracks_store_csat() {
    let sample = sample();
    let mut enps: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    let mut csat: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for s in &sample.signals {
        let Some(store) = s.dimension("store") else {
            continue;
        };
        match (s.kind(), s.nps(), s.csat()) {
            (SignalKind::EmployeeFeedback, Some(n), _) => enps.entry(store).or_default().push(n),
            (SignalKind::SurveyResponse, _, Some(c)) => {
                csat.entry(store).or_default().push(f64::from(c))
            }
            _ => {}
        }
    }
    let stores: Vec<&str> = enps
        .keys()
        .copied()
        .filter(|s| csat.get(s).is_some_and(|c| c.len() >= 20))
        .collect();
    assert_eq!(
        stores.len(),
        18,
        "every store has staff answers and customer CSAT"
    );
    let e: Vec<f64> = stores.iter().map(|s| nps(&enps[s]).0).collect();
    let c: Vec<f64> = stores.iter().map(|s| mean(&csat[s])).collect();
    let lowest = |xs: &[f64]| {
        stores[xs
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .unwrap()
            .0]
    };
    assert_eq!(
        lowest(&e),
        LOW_ENPS_STORE,
        "eNPS by store {:?}",
        stores.iter().zip(&e).collect::<Vec<_>>()
    );
    assert_eq!(
        lowest(&c),
        LOW_ENPS_STORE,
        "CSAT by store {:?}",
        stores.iter().zip(&c).collect::<Vec<_>>()
    );
    let r = pearson(&e, &c);
    let low = stores.iter().position(|s| *s == LOW_ENPS_STORE).unwrap();
    eprintln!("a) {LOW_ENPS_STORE}: eNPS {:.1}, CSAT {:.2}; all stores: eNPS {:.1}, CSAT {:.2}; r = {r:.2}", e[low], c[low], mean(&e), mean(&c));
    assert!(r > 0.6, "store eNPS and CSAT correlate weakly: r = {r}");
}

fn mentions_delay(text: &str) -> bool {
    let lower = text.to_lowercase();
    DELAY_THEME_KEYWORDS.iter().any(|k| lower.contains(k))
}

#[test]
fn b_late_delivery_comments_spike_for_one_brand_in_one_month() {
    let sample = sample();
    let mut cells: HashMap<(String, String), (usize, usize)> = HashMap::new();
    for s in sample
        .signals
        .iter()
        .filter(|s| s.stakeholder_type() == StakeholderType::Customer)
    {
        let (Some(text), Some(brand)) = (&s.text(), s.dimension("brand")) else {
            continue;
        };
        let month = format!("{}-{:02}", s.occurred_at().year(), s.occurred_at().month());
        let cell = cells.entry((brand.to_string(), month)).or_default();
        cell.0 += usize::from(mentions_delay(text));
        cell.1 += 1;
    }
    let spike_key = (DELAY_SPIKE_BRAND.to_string(), DELAY_SPIKE_MONTH.to_string());
    let share = |c: &(usize, usize)| c.0 as f64 / c.1 as f64;
    let spike = share(&cells[&spike_key]);
    let mut others: Vec<f64> = cells
        .iter()
        .filter(|(k, c)| **k != spike_key && c.1 >= 30)
        .map(|(_, c)| share(c))
        .collect();
    others.sort_by(f64::total_cmp);
    let median = others[others.len() / 2];
    let max_other = others.last().copied().unwrap_or(0.0);
    eprintln!("b) late-delivery share of texts: spike {spike:.3}, median cell {median:.3}, next highest {max_other:.3}");
    assert!(
        spike > 3.0 * median,
        "spike {spike:.3} vs median {median:.3}"
    );
    assert!(
        spike > 1.5 * max_other,
        "spike {spike:.3} vs next highest {max_other:.3}"
    );
    assert_eq!(DELAY_SPIKE_MONTH, {
        let d = delay_spike_month(&sample.config);
        format!("{}-{:02}", d.year(), d.month())
    });
}

#[test]
fn c_repeat_contacts_within_a_week_triple_churn() {
    let sample = sample();
    let customers = customers(sample);
    let mut contacts: HashMap<u32, Vec<i64>> = HashMap::new();
    for (s, p) in sample.signals.iter().zip(&sample.person) {
        if let (true, Some(p)) = (is_contact(s.kind()), p) {
            contacts
                .entry(*p)
                .or_default()
                .push(s.occurred_at().timestamp());
        }
    }
    let window = REPEAT_CONTACT_WINDOW_DAYS * 86_400;
    let repeat: HashSet<u32> = contacts
        .iter()
        .filter(|(_, times)| {
            let mut t = (*times).clone();
            t.sort_unstable();
            t.windows(2).any(|w| w[1] - w[0] <= window)
        })
        .map(|(p, _)| *p)
        .collect();
    let churned = churned(sample);
    let (with, n_with) = churn_rate(&churned, customers.iter().filter(|p| repeat.contains(p)));
    let (without, n_without) =
        churn_rate(&churned, customers.iter().filter(|p| !repeat.contains(p)));
    let ratio = with / without;
    eprintln!("c) churn with a repeat contact {with:.3} (n={n_with}), without {without:.3} (n={n_without}): ratio {ratio:.2}");
    assert!(
        n_with > 300 && n_without > 3000,
        "groups {n_with} / {n_without}"
    );
    assert!(
        (2.3..=3.9).contains(&ratio),
        "churn {with:.3} vs {without:.3}: ratio {ratio:.2}, planted {REPEAT_CONTACT_CHURN_RATIO}"
    );
}

#[test]
fn d_the_journey_leaks_at_checkout() {
    let sample = sample();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for s in sample
        .signals
        .iter()
        .filter(|s| s.kind() == SignalKind::Event)
    {
        *counts.entry(action(s)).or_default() += 1;
    }
    let steps: Vec<(&str, f64)> = FUNNEL
        .windows(2)
        .map(|w| (w[0].0, counts[w[1].1] as f64 / counts[w[0].1] as f64))
        .collect();
    eprintln!("d) funnel conversions {steps:?}");
    let (worst, rate) = steps
        .iter()
        .copied()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    assert_eq!(worst, LEAKY_TOUCHPOINT, "conversions {steps:?}");
    assert!(
        (rate - LEAKY_STEP_CONVERSION).abs() < 0.03,
        "conversions {steps:?}"
    );
    assert!(
        steps
            .iter()
            .filter(|s| s.0 != LEAKY_TOUCHPOINT)
            .all(|s| s.1 >= 0.58),
        "conversions {steps:?}"
    );
}

#[test]
fn e_one_channel_has_a_significantly_different_nps() {
    let sample = sample();
    let mut by_channel: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    for s in sample
        .signals
        .iter()
        .filter(|s| s.kind() == SignalKind::SurveyResponse)
    {
        if let (StakeholderType::Customer, Some(n), Some(ch)) =
            (s.stakeholder_type(), s.nps(), s.dimension("channel"))
        {
            by_channel.entry(ch).or_default().push(n);
        }
    }
    let outlier = nps(&by_channel[OUTLIER_CHANNEL]);
    let rest: Vec<u8> = by_channel
        .iter()
        .filter(|(c, _)| **c != OUTLIER_CHANNEL)
        .flat_map(|(_, v)| v.clone())
        .collect();
    let rest = nps(&rest);
    assert!(
        outlier.1 > 200,
        "only {} answers on {OUTLIER_CHANNEL}",
        outlier.1
    );
    let gap = rest.0 - outlier.0;
    eprintln!(
        "e) NPS on {OUTLIER_CHANNEL} {:.1} (n={}) vs the rest {:.1} (n={})",
        outlier.0, outlier.1, rest.0, rest.1
    );
    assert!(
        gap > 20.0,
        "{OUTLIER_CHANNEL} NPS {:.1} vs rest {:.1}",
        outlier.0,
        rest.0
    );
    for (channel, scores) in &by_channel {
        if *channel != OUTLIER_CHANNEL {
            let other = nps(scores).0;
            assert!(
                (other - rest.0).abs() < gap / 2.0,
                "{channel} NPS {other:.1} is an outlier too"
            );
        }
    }
}

#[test]
fn f_detractors_churn_more_and_value_is_concentrated() {
    let sample = sample();
    let customers = customers(sample);
    let mut answers: HashMap<u32, Vec<u8>> = HashMap::new();
    let mut revenue: HashMap<u32, (f64, usize)> = HashMap::new();
    for (s, p) in sample.signals.iter().zip(&sample.person) {
        let Some(p) = p else { continue };
        if let Some(n) = s.nps() {
            answers.entry(*p).or_default().push(n);
        }
        if s.kind() == SignalKind::Transaction && action(s) == "purchase" && !is_membership(s) {
            let r = revenue.entry(*p).or_default();
            r.0 += to_gbp(s);
            r.1 += 1;
        }
    }
    let churned = churned(sample);
    let detractor = |p: &&u32| answers.get(p).is_some_and(|a| a.iter().any(|&n| n <= 6));
    let promoter = |p: &&u32| answers.get(p).is_some_and(|a| a.iter().all(|&n| n >= 9));
    let (d, nd) = churn_rate(&churned, customers.iter().filter(detractor));
    let (pr, np) = churn_rate(&churned, customers.iter().filter(promoter));
    eprintln!("f) churn of customers with a 0-6 answer {d:.3} (n={nd}), only 9-10 answers {pr:.3} (n={np})");
    assert!(nd > 200 && np > 200, "groups {nd} / {np}");
    assert!(d > 1.5 * pr, "detractors churn {d:.3}, promoters {pr:.3}");

    let mut spend: Vec<f64> = customers
        .iter()
        .map(|p| revenue.get(p).map_or(0.0, |r| r.0))
        .collect();
    spend.sort_by(|a, b| b.total_cmp(a));
    let total: f64 = spend.iter().sum();
    let top_decile: f64 = spend[..spend.len() / 10].iter().sum();
    assert!(
        top_decile / total > 0.3,
        "top 10% hold {:.2} of revenue",
        top_decile / total
    );
    let mut orders: Vec<usize> = customers
        .iter()
        .map(|p| revenue.get(p).map_or(0, |r| r.1))
        .collect();
    orders.sort_unstable();
    let median = orders[orders.len() / 2];
    let repeaters = orders.iter().filter(|&&n| n >= 5).count() as f64 / orders.len() as f64;
    eprintln!(
        "f) top decile holds {:.2} of revenue; median {median} orders; {repeaters:.3} have 5+",
        top_decile / total
    );
    assert!(
        median <= 2 && repeaters > 0.05,
        "median {median} orders, {repeaters:.3} with 5+"
    );
}

fn is_membership(s: &Signal) -> bool {
    s.properties().get("product").and_then(|v| v.as_str()) == Some("club_membership")
}

fn to_gbp(s: &Signal) -> f64 {
    let amount = s.amount().unwrap_or(0.0);
    if s.currency() == Some("EUR") {
        amount * 0.85
    } else {
        amount
    }
}
