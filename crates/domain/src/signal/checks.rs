//! The field rules of a signal as pure functions of already-typed values, shared by
//! the general parser (`Parser`, over a `serde_json::Value`) and the fast path
//! (`fast`, straight from bytes). Sharing them is what keeps the two paths equal:
//! each path only finds the field and checks its JSON type; what is accepted, and
//! how it is normalised, is decided here once.

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

use super::{Rating, SignalParts};
use crate::error::FieldError;
use crate::identity::Identity;
use crate::kind::{Action, HrEventType, SignalKind, TransactionType};
use crate::limits::*;

pub(super) type Errors = Vec<FieldError>;

fn fail(errors: &mut Errors, field: &str, reason: impl Into<String>) {
    errors.push(FieldError::new(field, reason));
}

/// `source` / `external_id`: trimmed, required, not empty, at most `MAX_ID_BYTES`.
pub(super) fn id_string(errors: &mut Errors, field: &str, raw: Option<&str>) -> Option<String> {
    let Some(v) = raw.map(str::trim) else {
        fail(errors, field, "is required");
        return None;
    };
    if v.is_empty() {
        fail(errors, field, "must not be empty");
        return None;
    }
    if v.len() > MAX_ID_BYTES {
        fail(
            errors,
            field,
            format!("is longer than {MAX_ID_BYTES} bytes"),
        );
        return None;
    }
    if let Err(reason) = label_chars(v) {
        fail(errors, field, reason);
        return None;
    }
    Some(v.to_string())
}

/// A dimension or `reason`: trimmed, at most `MAX_LABEL_BYTES`; empty is absent.
pub(super) fn label(errors: &mut Errors, field: &str, raw: Option<&str>) -> Option<String> {
    let v = raw?.trim();
    if v.len() > MAX_LABEL_BYTES {
        fail(
            errors,
            field,
            format!("is longer than {MAX_LABEL_BYTES} bytes"),
        );
        return None;
    }
    if let Err(reason) = label_chars(v) {
        fail(errors, field, reason);
        return None;
    }
    (!v.is_empty()).then(|| v.to_string())
}

pub(super) fn time(
    errors: &mut Errors,
    field: &str,
    raw: Option<&str>,
) -> Option<DateTime<FixedOffset>> {
    let raw = raw?;
    match DateTime::parse_from_rfc3339(raw.trim()) {
        Ok(t) => Some(t),
        Err(_) => {
            let msg = format!(
                "{raw:?} is not an RFC 3339 timestamp with a timezone, e.g. 2026-03-01T14:30:00Z"
            );
            fail(errors, field, msg);
            None
        }
    }
}

/// A whole number on `min..=max`; the caller words the error with the value as sent.
pub(super) fn scale(v: f64, min: u8, max: u8) -> Option<u8> {
    (v.fract() == 0.0 && v >= f64::from(min) && v <= f64::from(max)).then_some(v as u8)
}

/// A finite amount below 10^12 in size; the caller words the error.
pub(super) fn amount(v: f64) -> Option<f64> {
    (v.is_finite() && v.abs() < 1e12).then_some(v)
}

/// The four identity fields (email, phone, handle, account_id) parsed; `None` where
/// the field is absent.
pub(super) fn identities(
    texts: [Option<&str>; 4],
    network: Option<&str>,
) -> [(&'static str, Option<Result<Identity, String>>); 4] {
    let [email, phone, handle, account_id] = texts;
    // Identities are labels too: no control characters, whatever else each allows.
    let checked = |raw: &str, parse: &dyn Fn(&str) -> Result<Identity, String>| {
        label_chars(raw).and_then(|()| parse(raw))
    };
    [
        ("email", email.map(|e| checked(e, &Identity::email))),
        ("phone", phone.map(|p| checked(p, &Identity::phone))),
        (
            "handle",
            handle.map(|h| checked(h, &|h| Identity::handle(h, network))),
        ),
        (
            "account_id",
            account_id.map(|a| checked(a, &Identity::account_id)),
        ),
    ]
}

/// `{"name": 4}` is shorthand for a 1–5 rating; otherwise `{"name": {"value", "min", "max"}}`.
pub(super) fn ratings(errors: &mut Errors, value: Option<&Value>) -> BTreeMap<String, Rating> {
    let mut out = BTreeMap::new();
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return out;
    };
    let Some(obj) = value.as_object() else {
        fail(errors, "ratings", "must be an object of named ratings");
        return out;
    };
    if obj.len() > MAX_RATINGS {
        fail(
            errors,
            "ratings",
            format!("has more than {MAX_RATINGS} ratings"),
        );
        return out;
    }
    for (name, v) in obj {
        let field = format!("ratings.{name}");
        match rating(v) {
            Ok(_) if name.is_empty() || name.len() > MAX_LABEL_BYTES => {
                fail(errors, &field, "rating names must be 1 to 200 bytes")
            }
            // Reported on `ratings`: a field name holding the control character
            // would carry it into every place the error is shown.
            Ok(_) if label_chars(name).is_err() => fail(
                errors,
                "ratings",
                "a rating name holds a control character; names must be printable",
            ),
            Ok(r) => {
                out.insert(name.clone(), r);
            }
            Err(reason) => fail(errors, &field, reason),
        }
    }
    out
}

fn rating(v: &Value) -> Result<Rating, String> {
    let r = match v {
        Value::Number(n) => Rating {
            value: n.as_f64().unwrap_or(f64::NAN),
            min: 1.0,
            max: 5.0,
        },
        Value::Object(o) => {
            let num = |k: &str| o.get(k).and_then(Value::as_f64);
            match (num("value"), num("min"), num("max")) {
                (Some(value), Some(min), Some(max)) => Rating { value, min, max },
                _ => return Err("must be a number (1–5) or {\"value\", \"min\", \"max\"}".into()),
            }
        }
        _ => return Err("must be a number (1–5) or {\"value\", \"min\", \"max\"}".into()),
    };
    if !(r.min < r.max && r.value >= r.min && r.value <= r.max) {
        return Err(format!(
            "{} is outside its scale {}..{}",
            r.value, r.min, r.max
        ));
    }
    Ok(r)
}

pub(super) fn text(errors: &mut Errors, raw: Option<&str>) -> Option<String> {
    let text = raw?;
    if text.len() > MAX_TEXT_BYTES {
        let msg = format!("is {} bytes; the limit is {MAX_TEXT_BYTES}", text.len());
        fail(errors, "text", msg);
        return None;
    }
    if let Err(reason) = text_chars(text) {
        fail(errors, "text", reason);
        return None;
    }
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

pub(super) fn language(errors: &mut Errors, raw: Option<&str>) -> Option<String> {
    let raw = raw?.trim().to_lowercase();
    let ok = (2..=3).contains(&raw.len()) && raw.chars().all(|c| c.is_ascii_lowercase());
    if !ok {
        fail(errors, "language", "must be an ISO 639 code such as \"en\"");
        return None;
    }
    Some(raw)
}

pub(super) fn currency(errors: &mut Errors, raw: Option<&str>) -> Option<String> {
    let raw = raw?.trim();
    if raw.len() != 3 || !raw.chars().all(|c| c.is_ascii_uppercase()) {
        let msg = format!("{raw:?} is not an ISO 4217 code such as \"EUR\"");
        fail(errors, "currency", msg);
        return None;
    }
    Some(raw.to_string())
}

/// The object as given, unless its serialized form is over `MAX_PROPERTIES_BYTES`.
pub(super) fn properties(errors: &mut Errors, m: Map<String, Value>) -> Map<String, Value> {
    if serialized_len(&m) > MAX_PROPERTIES_BYTES {
        let msg = format!("is larger than {MAX_PROPERTIES_BYTES} bytes");
        fail(errors, "properties", msg);
        return Map::new();
    }
    m
}

/// The length `serde_json::to_string` would give, without building the string.
fn serialized_len(m: &Map<String, Value>) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer(&mut count, m).map_or(usize::MAX, |()| count.0)
}

/// `action`, whose meaning depends on the kind.
pub(super) fn action(errors: &mut Errors, kind: SignalKind, raw: Option<&str>) -> Option<Action> {
    let raw = raw.map(str::trim);
    if let Some(Err(reason)) = raw.map(label_chars) {
        fail(errors, "action", reason);
        return None;
    }
    match kind {
        SignalKind::Transaction => {
            let raw = raw.unwrap_or("purchase");
            let t = TransactionType::parse(raw);
            if t.is_none() {
                let msg = format!("{raw:?} is not one of {}", TransactionType::expected());
                fail(errors, "action", msg);
            }
            t.map(Action::Transaction)
        }
        SignalKind::HrEvent => {
            let Some(raw) = raw else {
                let msg = format!(
                    "is required for hr_event: one of {}",
                    HrEventType::expected()
                );
                fail(errors, "action", msg);
                return None;
            };
            let t = HrEventType::parse(raw);
            if t.is_none() {
                let msg = format!("{raw:?} is not one of {}", HrEventType::expected());
                fail(errors, "action", msg);
            }
            t.map(Action::Hr)
        }
        SignalKind::Event => match raw {
            Some(name) if !name.is_empty() && name.len() <= MAX_LABEL_BYTES => {
                Some(Action::Event(name.to_string()))
            }
            _ => {
                let msg = "is required for event: the event name, e.g. \"page_view\"";
                fail(errors, "action", msg);
                None
            }
        },
        _ => raw
            .filter(|s| !s.is_empty())
            .map(|s| Action::Event(s.to_string())),
    }
}

/// Rules that depend on the kind: what must be present and what must agree.
pub(super) fn kind_rules(errors: &mut Errors, s: &SignalParts) {
    if s.kind.requires_text() && s.text.is_none() {
        fail(errors, "text", format!("is required for {}", s.kind));
    }
    let has_feedback = s.nps.is_some()
        || s.csat.is_some()
        || s.ces.is_some()
        || !s.ratings.is_empty()
        || s.text.is_some();
    if matches!(
        s.kind,
        SignalKind::SurveyResponse | SignalKind::EmployeeFeedback
    ) && !has_feedback
    {
        let msg = format!(
            "{} needs at least one of nps, csat, ces, ratings, text",
            s.kind
        );
        fail(errors, "nps", msg);
    }
    if s.kind == SignalKind::Transaction {
        if s.amount.is_none() && !errors.iter().any(|e| e.field == "amount") {
            fail(errors, "amount", "is required for transaction");
        }
        if s.currency.is_none() && !errors.iter().any(|e| e.field == "currency") {
            fail(errors, "currency", "is required for transaction");
        }
    } else if s.amount.is_some() != s.currency.is_some() {
        fail(errors, "currency", "amount and currency go together");
    }
    for (field, at) in [
        ("first_response_at", s.first_response_at),
        ("resolved_at", s.resolved_at),
    ] {
        if at.is_some_and(|t| t < s.occurred_at) {
            fail(errors, field, "is before occurred_at");
        }
    }
}

#[cfg(test)]
mod control_character_tests {
    use crate::signal::{Signal, SliceError};
    use serde_json::{json, Value};

    /// The fields `record` is rejected on, by the general parser and by the fast
    /// path from bytes, which must agree.
    fn rejected(record: &Value) -> Vec<String> {
        let fields = |r: Result<Signal, _>| match r {
            Ok(_) => vec![],
            Err(e) => {
                let e: crate::error::RecordRejected = e;
                e.errors.into_iter().map(|e| e.field).collect::<Vec<_>>()
            }
        };
        let general = fields(Signal::parse(record));
        let fast = fields(Signal::parse_slice(record.to_string().as_bytes()).map_err(
            |e| match e {
                SliceError::Rejected(r) => r,
                SliceError::Syntax(e) => panic!("{e}"),
            },
        ));
        assert_eq!(general, fast, "the two parsers disagree on {record}");
        general
    }

    fn event() -> Value {
        json!({
            "kind": "event", "source": "app", "external_id": "e-1",
            "occurred_at": "2026-03-01T14:30:00Z", "action": "page_view",
            "customer": {"email": "ann@example.com", "account_id": "A-1"},
            "channel": "web", "ratings": {"ease": 4}, "text": "line one\n\tline two\r\n"
        })
    }

    #[test]
    fn labels_refuse_control_characters_and_texts_refuse_nul() {
        assert_eq!(rejected(&event()), Vec::<String>::new());
        let cases: &[(&str, Value, &str)] = &[
            ("/channel", json!("web\u{0}"), "channel"),
            ("/brand", json!("North\u{1b}[31mwind"), "brand"),
            ("/store", json!("a\nb"), "store"),
            ("/region", json!("\u{7f}"), "region"),
            ("/team", json!("x\u{9b}2J"), "team"),
            ("/reason", json!("moved\tout"), "reason"),
            ("/source", json!("app\u{0}"), "source"),
            ("/external_id", json!("e\u{1b}1"), "external_id"),
            ("/action", json!("page\u{0}view"), "action"),
            (
                "/customer/account_id",
                json!("A\u{0}1"),
                "customer.account_id",
            ),
            (
                "/customer/email",
                json!("ann\u{1b}@example.com"),
                "customer.email",
            ),
            ("/text", json!("fine\u{0}"), "text"),
        ];
        for (pointer, value, field) in cases {
            let mut record = event();
            let (parent, key) = pointer.rsplit_once('/').unwrap();
            record.pointer_mut(parent).unwrap()[key] = value.clone();
            assert_eq!(rejected(&record), [*field], "{pointer} = {value:?}");
        }
        let mut record = event();
        record["ratings"] = json!({"ea\u{1b}se": 4});
        assert_eq!(rejected(&record), ["ratings"]);
        let reason = Signal::parse(&json!({
            "kind": "event", "source": "app", "external_id": "e-1",
            "occurred_at": "2026-03-01T14:30:00Z", "action": "x",
            "customer": {"account_id": "A-1"}, "channel": "w\u{1b}b"
        }))
        .unwrap_err()
        .errors[0]
            .reason
            .clone();
        assert!(reason.contains("U+001B"), "{reason}");
    }
}
