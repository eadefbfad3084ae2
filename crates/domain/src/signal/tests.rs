//! Table-driven tests of `Signal::parse`: each case is a record and the errors it must give.

use super::*;
use serde_json::json;

/// The time of intake in these tests, so the latest time accepted is fixed.
fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T00:00:00Z")
        .unwrap()
        .to_utc()
}

/// Parses `record` at `now()`; `want` lists `field` names that must be rejected
/// (empty: accepted).
fn check(record: Value, want: &[&str]) {
    let got = Signal::parse_at(&record, now());
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
    assert_eq!(s.kind(), SignalKind::SurveyResponse);
    assert_eq!(s.identities()[0].value, "ann@example.com");
    assert_eq!(s.nps(), Some(9));
    assert_eq!(s.dimension("brand"), Some("Northwind"));
    assert_eq!(s.occurred_at().offset().local_minus_utc(), 3600);
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
        Signal::parse(&refund).unwrap().action().unwrap().as_str(),
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
        assert_eq!(
            fast::parse(&bytes, now()),
            Some(Signal::parse_at(&record, now()).unwrap())
        );
    }
    assert_eq!(fast::parse(b"[]", now()), None);
}

/// A ticket at `occurred_at` with its response and resolution times.
fn ticket(occurred_at: &str, first_response_at: &str, resolved_at: &str) -> Value {
    json!({"kind": "ticket", "source": "desk", "external_id": "t-1",
        "occurred_at": occurred_at, "first_response_at": first_response_at,
        "resolved_at": resolved_at, "customer": {"email": "a@b.co"}, "text": "Help"})
}

/// Times from 1900-01-01T00:00:00Z to a day after intake are accepted, in every time
/// field; anything outside is rejected with its field, by both parse paths alike.
#[test]
fn times_outside_1900_to_a_day_after_intake_are_rejected_per_field() {
    let ok = "2026-03-01T10:00:00Z";
    let cases: [(Value, &[&str]); 9] = [
        (ticket(ok, ok, ok), &[]),
        (ticket("1900-01-01T00:00:00Z", ok, ok), &[]),
        (
            ticket("1900-01-01T00:30:00+01:00", ok, ok),
            &["occurred_at"],
        ),
        (ticket("1899-12-31T23:59:59Z", ok, ok), &["occurred_at"]),
        (ticket("2300-01-01T00:00:00Z", ok, ok), &["occurred_at"]),
        // Exactly a day after intake, then a second more.
        (ticket(ok, ok, "2026-03-03T00:00:00Z"), &[]),
        (ticket(ok, ok, "2026-03-03T00:00:01Z"), &["resolved_at"]),
        (
            ticket(ok, "9999-12-31T23:59:59Z", ok),
            &["first_response_at"],
        ),
        (
            ticket(ok, "2300-01-01T00:00:00Z", "1500-01-01T00:00:00Z"),
            &["first_response_at", "resolved_at"],
        ),
    ];
    for (record, want) in cases {
        check(record.clone(), want);
        let bytes = serde_json::to_vec(&record).unwrap();
        let general = Signal::parse_at(&record, now());
        match Signal::parse_slice_at(&bytes, now()) {
            Ok(fast) => assert_eq!(Ok(fast), general, "{record}"),
            Err(SliceError::Rejected(fast)) => assert_eq!(Err(fast), general, "{record}"),
            Err(SliceError::Syntax(e)) => panic!("{record}: {e}"),
        }
    }
    let reason = |record: Value| {
        Signal::parse_at(&record, now()).unwrap_err().errors[0]
            .reason
            .clone()
    };
    assert_eq!(
        reason(ticket("1899-12-31T23:59:59Z", ok, ok)),
        "1899-12-31T23:59:59Z is before 1900-01-01T00:00:00Z, the earliest time accepted"
    );
    assert_eq!(
        reason(ticket(ok, ok, "2300-01-01T00:00:00+02:00")),
        "2300-01-01T00:00:00+02:00 is more than a day after the time of intake \
         (the latest time accepted was 2026-03-03T00:00:00Z)"
    );
}

/// `parse` is `parse_at` with the system clock: a time in 2300 is refused today.
#[test]
fn parse_refuses_the_far_future_by_the_clock() {
    let far = ticket(
        "2300-01-01T00:00:00Z",
        "2300-01-01T00:00:00Z",
        "2300-01-01T00:00:00Z",
    );
    assert!(Signal::parse(&far).is_err());
    let bytes = serde_json::to_vec(&far).unwrap();
    assert!(matches!(
        Signal::parse_slice(&bytes),
        Err(SliceError::Rejected(_))
    ));
}
