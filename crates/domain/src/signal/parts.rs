//! A signal's fields in the open, and the only two other ways to a [`Signal`]:
//! [`SignalParts::check`], which applies every rule `Signal::parse` applies (for
//! signals built in code: the demo, benchmarks, tests), and [`Signal::from_stored`],
//! which trusts a row the store wrote from a valid signal. Reading a signal goes
//! through its accessors, and [`Signal::redact_text`] is the one edit, so a `Signal`
//! stays within the limits it was checked against.

use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

use super::{checks, in_range, Rating, Signal};
use crate::error::RecordRejected;
use crate::identity::Identity;
use crate::kind::{Action, SignalKind, StakeholderType};
use crate::limits::MAX_TEXT_BYTES;
use crate::wire::DIMENSIONS;

/// Every field of a signal, open to build or to take apart. Not a signal until checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalParts {
    pub kind: SignalKind,
    pub source: String,
    pub external_id: String,
    pub occurred_at: DateTime<FixedOffset>,
    pub stakeholder_type: StakeholderType,
    pub identities: Vec<Identity>,
    /// channel, touchpoint, stage, brand, store, team, region — in that order.
    pub dimensions: [Option<String>; 7],
    pub action: Option<Action>,
    pub reason: Option<String>,
    pub nps: Option<u8>,
    pub csat: Option<u8>,
    pub ces: Option<u8>,
    pub ratings: BTreeMap<String, Rating>,
    pub text: Option<String>,
    pub language: Option<String>,
    pub amount: Option<f64>,
    pub currency: Option<String>,
    pub first_response_at: Option<DateTime<FixedOffset>>,
    pub resolved_at: Option<DateTime<FixedOffset>>,
    pub properties: Map<String, Value>,
}

impl SignalParts {
    /// The required fields; everything else empty.
    pub fn new(
        kind: SignalKind,
        source: impl Into<String>,
        external_id: impl Into<String>,
        occurred_at: DateTime<FixedOffset>,
        stakeholder_type: StakeholderType,
        identities: Vec<Identity>,
    ) -> SignalParts {
        SignalParts {
            kind,
            source: source.into(),
            external_id: external_id.into(),
            occurred_at,
            stakeholder_type,
            identities,
            dimensions: Default::default(),
            action: None,
            reason: None,
            nps: None,
            csat: None,
            ces: None,
            ratings: BTreeMap::new(),
            text: None,
            language: None,
            amount: None,
            currency: None,
            first_response_at: None,
            resolved_at: None,
            properties: Map::new(),
        }
    }

    /// A signal, if every field passes the rules of `Signal::parse_at` at intake time
    /// `now` (normalised as parsing normalises: trimmed, identities sorted and
    /// deduplicated); otherwise every problem with its field.
    pub fn check(self, now: DateTime<Utc>) -> Result<Signal, RecordRejected> {
        let mut errors = Vec::new();
        let e = &mut errors;
        let mut identities = self.identities;
        identities.sort();
        identities.dedup();
        if identities.is_empty() {
            e.push(crate::FieldError::new(
                self.stakeholder_type.as_str(),
                "needs at least one identity",
            ));
        }
        // Worded as the parser words them.
        let scale = |e: &mut Vec<_>, field: &str, v: Option<u8>, min: u8, max: u8| {
            let v = v?;
            if (min..=max).contains(&v) {
                return Some(v);
            }
            let msg = format!("must be a whole number from {min} to {max}, got {v}");
            e.push(crate::FieldError::new(field, msg));
            None
        };
        let ratings = if self.ratings.is_empty() {
            BTreeMap::new()
        } else {
            let value = serde_json::to_value(&self.ratings).unwrap_or(Value::Null);
            checks::ratings(e, Some(&value))
        };
        let amount = self.amount.and_then(|a| {
            let checked = checks::amount(a);
            if checked.is_none() {
                e.push(crate::FieldError::new(
                    "amount",
                    format!("must be a number, got {a}"),
                ));
            }
            checked
        });
        let mut time = |field, t: Option<DateTime<FixedOffset>>| in_range(e, field, t?, now);
        let occurred_at = time("occurred_at", Some(self.occurred_at));
        let first_response_at = time("first_response_at", self.first_response_at);
        let resolved_at = time("resolved_at", self.resolved_at);
        let signal = SignalParts {
            kind: self.kind,
            source: checks::id_string(e, "source", Some(&self.source)).unwrap_or_default(),
            external_id: checks::id_string(e, "external_id", Some(&self.external_id))
                .unwrap_or_default(),
            occurred_at: occurred_at.unwrap_or(self.occurred_at),
            stakeholder_type: self.stakeholder_type,
            identities,
            dimensions: std::array::from_fn(|i| {
                checks::label(e, DIMENSIONS[i], self.dimensions[i].as_deref())
            }),
            action: checks::action(e, self.kind, self.action.as_ref().map(Action::as_str)),
            reason: checks::label(e, "reason", self.reason.as_deref()),
            nps: scale(e, "nps", self.nps, 0, 10),
            csat: scale(e, "csat", self.csat, 1, 5),
            ces: scale(e, "ces", self.ces, 1, 7),
            ratings,
            text: checks::text(e, self.text.as_deref()),
            language: checks::language(e, self.language.as_deref()),
            amount,
            currency: checks::currency(e, self.currency.as_deref()),
            first_response_at,
            resolved_at,
            properties: checks::properties(e, self.properties),
        };
        checks::kind_rules(e, &signal);
        if !errors.is_empty() {
            return Err(RecordRejected { errors });
        }
        Ok(Signal(signal))
    }
}

impl Signal {
    /// A signal read back from a store row. Trusted, not checked: the store only writes
    /// signals that were valid (`parse` or `check`), and reading them back must not
    /// depend on today's clock or on limits tightened since.
    pub fn from_stored(parts: SignalParts) -> Signal {
        Signal(parts)
    }

    /// The fields, to build a changed signal from (which must be checked again).
    pub fn into_parts(self) -> SignalParts {
        self.0
    }

    /// Replaces the text by `redact`'s answer for it (PII redaction at intake), cut at
    /// a character boundary to [`MAX_TEXT_BYTES`], since a placeholder can be longer
    /// than what it replaced. `redact` answers `None` to keep the text. True if the
    /// text changed.
    pub fn redact_text(&mut self, redact: impl FnOnce(&str) -> Option<String>) -> bool {
        let Some(mut redacted) = self.0.text.as_deref().and_then(redact) else {
            return false;
        };
        if redacted.len() > MAX_TEXT_BYTES {
            let mut end = MAX_TEXT_BYTES;
            while !redacted.is_char_boundary(end) {
                end -= 1;
            }
            redacted.truncate(end);
        }
        // A text the rules would refuse to store (emptied by the redactor) stays as it was.
        let trimmed = redacted.trim();
        if trimmed.is_empty() {
            return false;
        }
        let changed = self.0.text.as_deref() != Some(trimmed);
        self.0.text = Some(trimmed.to_string());
        changed
    }
}

/// Reading a signal: each field as a borrowed or copied value.
impl Signal {
    pub fn kind(&self) -> SignalKind {
        self.0.kind
    }
    pub fn source(&self) -> &str {
        &self.0.source
    }
    pub fn external_id(&self) -> &str {
        &self.0.external_id
    }
    pub fn occurred_at(&self) -> DateTime<FixedOffset> {
        self.0.occurred_at
    }
    pub fn stakeholder_type(&self) -> StakeholderType {
        self.0.stakeholder_type
    }
    /// Sorted and deduplicated; at least one.
    pub fn identities(&self) -> &[Identity] {
        &self.0.identities
    }
    /// channel, touchpoint, stage, brand, store, team, region — in that order
    /// ([`DIMENSIONS`]).
    pub fn dimensions(&self) -> &[Option<String>; 7] {
        &self.0.dimensions
    }
    pub fn action(&self) -> Option<&Action> {
        self.0.action.as_ref()
    }
    pub fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    pub fn nps(&self) -> Option<u8> {
        self.0.nps
    }
    pub fn csat(&self) -> Option<u8> {
        self.0.csat
    }
    pub fn ces(&self) -> Option<u8> {
        self.0.ces
    }
    pub fn ratings(&self) -> &BTreeMap<String, Rating> {
        &self.0.ratings
    }
    pub fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }
    pub fn language(&self) -> Option<&str> {
        self.0.language.as_deref()
    }
    pub fn amount(&self) -> Option<f64> {
        self.0.amount
    }
    pub fn currency(&self) -> Option<&str> {
        self.0.currency.as_deref()
    }
    pub fn first_response_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.first_response_at
    }
    pub fn resolved_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.resolved_at
    }
    pub fn properties(&self) -> &Map<String, Value> {
        &self.0.properties
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::MAX_LABEL_BYTES;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z")
            .unwrap()
            .to_utc()
    }

    fn parsed(record: Value) -> Signal {
        Signal::parse_at(&record, now()).unwrap()
    }

    fn fields(r: Result<Signal, RecordRejected>) -> Vec<String> {
        let mut f: Vec<String> = r.unwrap_err().errors.into_iter().map(|e| e.field).collect();
        f.sort();
        f
    }

    #[test]
    fn a_parsed_signal_taken_apart_checks_back_to_itself() {
        let s = parsed(
            json!({"kind": "ticket", "source": " desk ", "external_id": "t1",
            "occurred_at": "2026-03-01T10:00:00+01:00", "resolved_at": "2026-03-02T10:00:00Z",
            "customer": {"email": "Jo@Example.com", "phone": "+44 20 7946 0958"},
            "brand": "Northwind", "text": "  Parcel late  ", "amount": 12.5, "currency": "GBP",
            "ratings": {"speed": {"value": 2, "min": 1, "max": 10}}, "properties": {"tier": "gold"}}),
        );
        assert_eq!(s.clone().into_parts().check(now()), Ok(s));
    }

    #[test]
    fn built_parts_are_normalised_as_parsing_normalises_them() {
        let email = Identity::email("a@b.co").unwrap();
        let mut p = SignalParts::new(
            SignalKind::Review,
            " reviews ",
            "r1",
            DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z").unwrap(),
            StakeholderType::Customer,
            vec![email.clone(), email],
        );
        p.text = Some("  Lovely staff ".into());
        p.dimensions[0] = Some(" web ".into());
        let s = p.check(now()).unwrap();
        let same = parsed(
            json!({"kind": "review", "source": "reviews", "external_id": "r1",
            "occurred_at": "2026-03-01T10:00:00Z", "customer": {"email": "a@b.co"},
            "channel": "web", "text": "Lovely staff"}),
        );
        assert_eq!(s, same);
        assert_eq!(s.identities().len(), 1);
    }

    #[test]
    fn parts_that_parse_would_refuse_are_refused_on_the_same_fields() {
        let base = parsed(
            json!({"kind": "survey_response", "source": "s", "external_id": "1",
            "occurred_at": "2026-03-01T10:00:00Z", "customer": {"email": "a@b.co"}, "nps": 9}),
        )
        .into_parts();
        let mut p = base.clone();
        p.nps = Some(11);
        p.csat = Some(0);
        p.ces = Some(8);
        let wire = json!({"kind": "survey_response", "source": "s", "external_id": "1",
            "occurred_at": "2026-03-01T10:00:00Z", "customer": {"email": "a@b.co"},
            "nps": 11, "csat": 0, "ces": 8});
        let from_wire = fields(Signal::parse_at(&wire, now()));
        assert_eq!(fields(p.check(now())), from_wire);
        assert_eq!(from_wire, ["ces", "csat", "nps", "nps"]);
        let mut p = base.clone();
        p.occurred_at = DateTime::parse_from_rfc3339("2026-06-03T00:00:00Z").unwrap();
        p.source = " ".into();
        p.reason = Some("x".repeat(MAX_LABEL_BYTES + 1));
        p.currency = Some("pounds".into());
        p.text = Some("bad\u{0}text".into());
        assert_eq!(
            fields(p.check(now())),
            ["currency", "occurred_at", "reason", "source", "text"]
        );
        let mut p = base.clone();
        p.kind = SignalKind::Transaction;
        p.amount = Some(f64::NAN);
        assert_eq!(fields(p.check(now())), ["amount", "currency"]);
        let mut p = base;
        p.identities.clear();
        p.resolved_at = Some(DateTime::parse_from_rfc3339("2026-02-01T00:00:00Z").unwrap());
        assert_eq!(fields(p.check(now())), ["customer", "resolved_at"]);
    }

    #[test]
    fn a_redacted_text_stays_within_the_limit_at_a_character_boundary() {
        let mut s = parsed(json!({"kind": "chat", "source": "s", "external_id": "1",
            "occurred_at": "2026-03-01T10:00:00Z", "customer": {"email": "a@b.co"},
            "text": "call me on 07700 900123"}));
        assert!(!s.redact_text(|_| None));
        assert!(s.redact_text(|_| Some("é".repeat(MAX_TEXT_BYTES))));
        let text = s.text().unwrap();
        assert!(text.len() <= MAX_TEXT_BYTES && text.len() >= MAX_TEXT_BYTES - 1);
        assert!(text.chars().all(|c| c == 'é'));
        // An emptied text is refused: the signal keeps the text it had.
        let before = s.text().map(str::to_owned);
        assert!(!s.redact_text(|_| Some("   ".into())));
        assert_eq!(s.text().map(str::to_owned), before);
    }
}
