//! What every generated record must be: valid on the wire, unique, inside the window,
//! placed on the journey, deterministic, in sane volumes, and written like people write.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Months, NaiveTime};
use throughline_demo::{generate, write_ndjson, DemoConfig};
use throughline_domain::{Signal, SignalKind, StakeholderType};

use crate::common::*;

fn small(seed: u64) -> Vec<Signal> {
    let config = DemoConfig {
        seed,
        customers: 300,
        employees: 40,
        ..DemoConfig::default()
    };
    let mut out = Vec::new();
    generate(&config, |s| out.push(s));
    out
}

#[test]
fn the_same_seed_gives_the_same_company_and_another_seed_another() {
    let a = small(7);
    assert_eq!(a, small(7));
    assert_ne!(a, small(8));
    let config = DemoConfig {
        seed: 7,
        customers: 300,
        employees: 40,
        ..DemoConfig::default()
    };
    let (mut first, mut second) = (Vec::new(), Vec::new());
    assert_eq!(write_ndjson(&config, &mut first).unwrap(), a.len() as u64);
    write_ndjson(&config, &mut second).unwrap();
    assert!(first == second && first.iter().filter(|&&b| b == b'\n').count() == a.len());
}

#[test]
fn every_record_round_trips_through_the_wire_format() {
    for s in &sample().signals {
        let wire = serde_json::to_value(s.to_wire()).unwrap();
        match Signal::parse(&wire) {
            Ok(parsed) => assert_eq!(&parsed, s, "{wire}"),
            Err(e) => panic!("{e}: {wire}"),
        }
    }
}

#[test]
fn ids_are_unique_times_inside_the_window_and_records_are_placed() {
    let sample = sample();
    let start = sample.config.start.and_time(NaiveTime::MIN).and_utc();
    let end = start
        .checked_add_months(Months::new(sample.config.months))
        .unwrap();
    let mut ids = HashSet::new();
    let mut previous = start.timestamp();
    let mut out_of_order = 0;
    for s in &sample.signals {
        assert!(ids.insert(s.external_id()), "duplicate {}", s.external_id());
        assert!(
            s.occurred_at() >= start && s.occurred_at() < end,
            "{} at {}",
            s.external_id(),
            s.occurred_at()
        );
        assert!(
            s.dimension("channel").is_some(),
            "{} has no channel",
            s.external_id()
        );
        if s.stakeholder_type() == StakeholderType::Customer {
            for dim in ["touchpoint", "stage", "brand", "region"] {
                assert!(
                    s.dimension(dim).is_some(),
                    "{} has no {dim}",
                    s.external_id()
                );
            }
        }
        // Roughly chronological: episodes are in order, signals within one may run on.
        out_of_order += usize::from(s.occurred_at().timestamp() + 3600 < previous);
        previous = previous.max(s.occurred_at().timestamp());
    }
    assert!(
        out_of_order * 100 < sample.signals.len(),
        "{out_of_order} records out of order"
    );
}

#[test]
fn volumes_per_kind_are_sane() {
    let sample = sample();
    let mut per_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &sample.signals {
        *per_kind.entry(s.kind().as_str()).or_default() += 1;
    }
    let per_customer = |kind: &str| per_kind.get(kind).copied().unwrap_or(0) as f64 / 5_000.0;
    let expect = [
        ("event", 25.0, 70.0),
        ("transaction", 3.0, 10.0),
        ("survey_response", 0.6, 2.5),
        ("ticket", 0.04, 0.3),
        ("chat", 0.08, 0.4),
        ("email", 0.05, 0.3),
        ("call", 0.1, 0.5),
        ("review", 0.02, 0.2),
        ("social_post", 0.03, 0.2),
    ];
    for (kind, lo, hi) in expect {
        let got = per_customer(kind);
        assert!(
            (lo..=hi).contains(&got),
            "{kind}: {got:.3} per customer, expected {lo}..{hi} ({per_kind:?})"
        );
    }
    // Employees do not scale with customers: 400 staff, eight quarterly pulses.
    assert!(
        (1_800..=3_000).contains(&per_kind["employee_feedback"]),
        "{per_kind:?}"
    );
    assert!(
        (300..=1_500).contains(&per_kind["hr_event"]),
        "{per_kind:?}"
    );
    let partners = sample
        .signals
        .iter()
        .filter(|s| s.stakeholder_type() == StakeholderType::Partner)
        .count();
    assert!((30..=100).contains(&partners), "{partners} partner signals");
    assert!(
        per_kind["event"] * 2 > sample.signals.len(),
        "events are the bulk"
    );
}

#[test]
fn comments_are_varied() {
    let texts: Vec<&str> = sample()
        .signals
        .iter()
        .filter(|s| {
            matches!(
                s.kind(),
                SignalKind::SurveyResponse | SignalKind::Review | SignalKind::EmployeeFeedback
            )
        })
        .filter_map(|s| s.text())
        .take(2_000)
        .collect();
    assert_eq!(texts.len(), 2_000);
    let distinct: HashSet<&str> = texts.iter().copied().collect();
    assert!(
        distinct.len() >= 1_800,
        "only {} of 2000 distinct",
        distinct.len()
    );
    let with = |needle: &str| texts.iter().filter(|t| t.contains(needle)).count();
    assert!(
        with(" but ") + with(" though") + with("However") > 50,
        "too few contrasts"
    );
    assert!(with("n't") > 100, "too few negations");
    let lengths: Vec<usize> = texts.iter().map(|t| t.split_whitespace().count()).collect();
    assert!(
        lengths.iter().any(|&n| n <= 3) && lengths.iter().any(|&n| n >= 25),
        "lengths too uniform"
    );
}

#[test]
fn identities_resolve_to_one_person_per_customer_with_some_left_apart() {
    let sample = sample();
    let mut signups_per_person: HashMap<u32, usize> = HashMap::new();
    for (s, p) in sample.signals.iter().zip(&sample.person) {
        if action(s) == "sign_up" {
            *signups_per_person
                .entry(p.expect("sign-ups carry strong identities"))
                .or_default() += 1;
        }
    }
    assert!(
        signups_per_person.values().all(|&n| n == 1),
        "two customers were merged"
    );
    assert!(
        signups_per_person.len() >= 4_950,
        "{} customers signed up",
        signups_per_person.len()
    );
    // Records on another identity of the same person (account id, phone, work address).
    let customer = |s: &&Signal| s.stakeholder_type() == StakeholderType::Customer;
    let without_email = sample
        .signals
        .iter()
        .filter(customer)
        .filter(|s| s.identities().iter().all(|i| i.kind.as_str() != "email"))
        .count();
    assert!(without_email > sample.signals.len() / 2);
    let shared = sample
        .signals
        .iter()
        .filter(|s| s.identities().iter().any(|i| i.value.starts_with("info@")))
        .count();
    let unresolved = sample
        .person
        .iter()
        .zip(&sample.signals)
        .filter(|(p, s)| p.is_none() && customer(s))
        .count();
    assert!(
        shared > 5 && unresolved > 0 && unresolved < shared,
        "{shared} shared, {unresolved} unresolved"
    );
}
