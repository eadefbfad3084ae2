//! Table-driven tests of `Signal::parse`: each case is a record and the errors it must give.

use super::*;
use serde_json::json;

/// Parses `record`; `want` lists `field` names that must be rejected (empty: accepted).
fn check(record: Value, want: &[&str]) {
    let got = Signal::parse(&record);
    let fields: Vec<String> = match &got {
        Ok(_) => vec![],
        Err(e) => e.errors.iter().map(|e| e.field.clone()).collect(),
    };
    assert_eq!(fields, want, "record {record} gave {got:?}");
}

fn survey() -> Value {
    json!({
        "kind": "survey_response", "source": "qualtrics", "external_id": "r-1",
        "occurred_at": "2026-03-01T14:30:00+01:00",
        "customer": {"email": "Ann@Example.com"}, "nps": 9, "text": "Lovely staff",
        "channel": "email", "brand": "Northwind"
    })
}

fn with(mut base: Value, key: &str, value: Value) -> Value {
    base[key] = value;
    base
}

#[test]
fn a_good_survey_response_parses_with_normalised_values() {
    let s = Signal::parse(&survey()).unwrap();
    assert_eq!(s.kind, SignalKind::SurveyResponse);
    assert_eq!(s.identities[0].value, "ann@example.com");
    assert_eq!(s.nps, Some(9));
    assert_eq!(s.dimension("brand"), Some("Northwind"));
    assert_eq!(s.occurred_at.offset().local_minus_utc(), 3600);
}

#[test]
fn field_rules() {
    check(with(survey(), "nps", json!(11)), &["nps"]);
    check(with(survey(), "nps", json!(7.5)), &["nps"]);
    check(with(survey(), "csat", json!(0)), &["csat"]);
    check(with(survey(), "ces", json!(7)), &[]);
    check(with(survey(), "kind", json!("tweet")), &["kind"]);
    check(
        with(survey(), "occurred_at", json!("2026-03-01 14:30")),
        &["occurred_at"],
    );
    check(
        with(survey(), "occurred_at", json!("2026-03-01T14:30:00")),
        &["occurred_at"],
    );
    check(with(survey(), "occured_at", json!("x")), &["occured_at"]);
    check(with(survey(), "external_id", json!("")), &["external_id"]);
    check(
        with(
            survey(),
            "text",
            json!("x".repeat(MAX_TEXT_BYTES_FOR_TEST + 1)),
        ),
        &["text"],
    );
    check(
        with(survey(), "customer", json!({"email": "nope"})),
        &["customer.email"],
    );
    check(with(survey(), "customer", json!({})), &["customer"]);
    check(
        with(survey(), "ratings", json!({"ease": 6})),
        &["ratings.ease"],
    );
    check(
        with(
            survey(),
            "ratings",
            json!({"ease": {"value": 8, "min": 0, "max": 10}}),
        ),
        &[],
    );
    check(with(survey(), "currency", json!("eur")), &["currency"]);
}

const MAX_TEXT_BYTES_FOR_TEST: usize = crate::limits::MAX_TEXT_BYTES;

#[test]
fn kind_rules() {
    let tx = json!({"kind": "transaction", "source": "shop", "external_id": "o-1",
        "occurred_at": "2026-03-01T10:00:00Z", "customer": {"account_id": "C1"}});
    check(tx.clone(), &["amount", "currency"]);
    check(
        with(
            with(tx.clone(), "amount", json!(19.99)),
            "currency",
            json!("EUR"),
        ),
        &[],
    );
    let refund = with(
        with(with(tx, "amount", json!(-5)), "currency", json!("EUR")),
        "action",
        json!("refund"),
    );
    assert_eq!(
        Signal::parse(&refund).unwrap().action.unwrap().as_str(),
        "refund"
    );

    let hr = json!({"kind": "hr_event", "source": "hris", "external_id": "h-1",
        "occurred_at": "2026-03-01T10:00:00Z", "employee": {"email": "e@corp.com"}});
    check(hr.clone(), &["action"]);
    check(with(hr.clone(), "action", json!("exited")), &[]);
    let hr_customer = with(with(hr, "action", json!("hired")), "employee", Value::Null);
    check(
        with(hr_customer, "customer", json!({"email": "e@corp.com"})),
        &["customer"],
    );

    let review = with(with(survey(), "kind", json!("review")), "text", Value::Null);
    check(review, &["text"]);
    let empty_survey = json!({"kind": "survey_response", "source": "s", "external_id": "1",
        "occurred_at": "2026-03-01T10:00:00Z", "customer": {"email": "a@b.co"}});
    check(empty_survey, &["nps"]);
}

#[test]
fn wire_form_round_trips() {
    let s = Signal::parse(&survey()).unwrap();
    let wire = serde_json::to_value(s.to_wire()).unwrap();
    assert_eq!(Signal::parse(&wire).unwrap(), s);
}

/// Good records must not fall back to the general parser silently: that would be
/// correct but slow, and no other test would notice.
#[test]
fn good_records_take_the_fast_path() {
    let tx = json!({"kind": "transaction", "source": "shop", "external_id": "o-1",
        "occurred_at": "2026-03-01T10:00:00Z", "customer": {"account_id": "C1", "email": null},
        "amount": 19.99, "currency": "EUR", "properties": {"items": [1, 2]}});
    let escaped = with(survey(), "text", json!("Said \"fine\"\nthanks"));
    let rated = with(survey(), "ratings", json!({"ease": 4}));
    for record in [survey(), tx, escaped, rated] {
        let bytes = serde_json::to_vec(&record).unwrap();
        assert_eq!(fast::parse(&bytes), Some(Signal::parse(&record).unwrap()));
    }
    assert_eq!(fast::parse(b"[]"), None);
}
