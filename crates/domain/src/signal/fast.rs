//! The fast path of `Signal::parse_slice`: a record read straight from its JSON text
//! into typed, mostly borrowed fields (no `Value` tree, no string per key), then
//! checked by the same rules as the general parser (`checks`).
//!
//! It only ever says "this is exactly the signal `Signal::parse` would give" or "ask
//! the general parser": a duplicate or unknown key, a value of an unexpected JSON type,
//! any failed rule all give `None`. So the fast path needs to get acceptance right,
//! and never has to reproduce an error message.

use chrono::{DateTime, Utc};
use serde::de::{Deserialize, Deserializer, Error, MapAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

use super::{checks, in_range, Signal, SignalParts};
use crate::kind::{SignalKind, StakeholderType};
use crate::wire::DIMENSIONS;
use crate::Dimension;

// Indexes of `Signal::dimensions`, short enough to keep each field's arm on one line.
const CHANNEL: usize = Dimension::Channel.index();
const TOUCHPOINT: usize = Dimension::Touchpoint.index();
const STAGE: usize = Dimension::Stage.index();
const BRAND: usize = Dimension::Brand.index();
const STORE: usize = Dimension::Store.index();
const TEAM: usize = Dimension::Team.index();
const REGION: usize = Dimension::Region.index();

/// The signal `Signal::parse` would make of this JSON text, or `None` when the
/// general parser must decide (possibly to reject it). `now` is the time of intake.
pub(super) fn parse(json: &[u8], now: DateTime<Utc>) -> Option<Signal> {
    serde_json::from_slice::<Raw<'_>>(json)
        .ok()?
        .into_signal(now)
}

/// A JSON string, borrowed from the input unless it had escapes.
struct Str<'a>(Cow<'a, str>);

impl Str<'_> {
    fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: Error>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: Error>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(StrVisitor)
    }
}

type Text<'a> = Option<Str<'a>>;

fn text<'s>(t: &'s Text<'_>) -> Option<&'s str> {
    t.as_ref().map(Str::as_str)
}

/// Gives up on the fast path; the general parser takes the record.
fn general<E: Error>() -> E {
    E::custom("not for the fast path")
}

/// One record's fields as sent; `null` reads as absent, as in `Signal::parse`.
#[derive(Default)]
struct Raw<'a> {
    kind: Text<'a>,
    source: Text<'a>,
    external_id: Text<'a>,
    occurred_at: Text<'a>,
    stakeholder: Option<(StakeholderType, Ids<'a>)>,
    dimensions: [Text<'a>; 7],
    action: Text<'a>,
    reason: Text<'a>,
    nps: Option<f64>,
    csat: Option<f64>,
    ces: Option<f64>,
    ratings: Option<Value>,
    text: Text<'a>,
    language: Text<'a>,
    amount: Option<f64>,
    currency: Text<'a>,
    first_response_at: Text<'a>,
    resolved_at: Text<'a>,
    properties: Option<Map<String, Value>>,
}

impl<'de> Deserialize<'de> for Raw<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A map only: a derived struct would also take a JSON array, which
        // `Signal::parse` refuses.
        deserializer.deserialize_map(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a signal record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw<'de>, A::Error> {
        let mut r = Raw::default();
        // A key seen twice would be "last one wins" in a `Value`: rare, so not copied here.
        let mut seen = 0u32;
        while let Some(key) = map.next_key::<Str<'de>>()? {
            let bit = match key.as_str() {
                "kind" => (0, r.kind = map.next_value()?).0,
                "source" => (1, r.source = map.next_value()?).0,
                "external_id" => (2, r.external_id = map.next_value()?).0,
                "occurred_at" => (3, r.occurred_at = map.next_value()?).0,
                "customer" => (4, stakeholder(&mut r, &mut map, StakeholderType::Customer)?).0,
                "employee" => (5, stakeholder(&mut r, &mut map, StakeholderType::Employee)?).0,
                "partner" => (6, stakeholder(&mut r, &mut map, StakeholderType::Partner)?).0,
                "channel" => (7, r.dimensions[CHANNEL] = map.next_value()?).0,
                "touchpoint" => (8, r.dimensions[TOUCHPOINT] = map.next_value()?).0,
                "stage" => (9, r.dimensions[STAGE] = map.next_value()?).0,
                "brand" => (10, r.dimensions[BRAND] = map.next_value()?).0,
                "store" => (11, r.dimensions[STORE] = map.next_value()?).0,
                "team" => (12, r.dimensions[TEAM] = map.next_value()?).0,
                "region" => (13, r.dimensions[REGION] = map.next_value()?).0,
                "action" => (14, r.action = map.next_value()?).0,
                "reason" => (15, r.reason = map.next_value()?).0,
                "nps" => (16, r.nps = map.next_value()?).0,
                "csat" => (17, r.csat = map.next_value()?).0,
                "ces" => (18, r.ces = map.next_value()?).0,
                "ratings" => (19, r.ratings = map.next_value()?).0,
                "text" => (20, r.text = map.next_value()?).0,
                "language" => (21, r.language = map.next_value()?).0,
                "amount" => (22, r.amount = map.next_value()?).0,
                "currency" => (23, r.currency = map.next_value()?).0,
                "first_response_at" => (24, r.first_response_at = map.next_value()?).0,
                "resolved_at" => (25, r.resolved_at = map.next_value()?).0,
                "properties" => (26, r.properties = map.next_value()?).0,
                _ => return Err(general()),
            };
            if seen & (1 << bit) != 0 {
                return Err(general());
            }
            seen |= 1 << bit;
        }
        Ok(r)
    }
}

/// Reads a stakeholder object; a second non-null stakeholder is for the general parser.
fn stakeholder<'de, A: MapAccess<'de>>(
    r: &mut Raw<'de>,
    map: &mut A,
    kind: StakeholderType,
) -> Result<(), A::Error> {
    if let Some(ids) = map.next_value::<Option<Ids<'de>>>()? {
        if r.stakeholder.is_some() {
            return Err(general());
        }
        r.stakeholder = Some((kind, ids));
    }
    Ok(())
}

/// The identity object: email, phone, handle, account_id (in that order), network.
#[derive(Default)]
struct Ids<'a> {
    texts: [Text<'a>; 4],
    network: Text<'a>,
}

impl<'de> Deserialize<'de> for Ids<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(IdsVisitor)
    }
}

struct IdsVisitor;

impl<'de> Visitor<'de> for IdsVisitor {
    type Value = Ids<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an identity object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ids<'de>, A::Error> {
        let mut ids = Ids::default();
        let mut seen = 0u8;
        while let Some(key) = map.next_key::<Str<'de>>()? {
            let slot = match key.as_str() {
                "email" => 0,
                "phone" => 1,
                "handle" => 2,
                "account_id" => 3,
                "network" => 4,
                _ => return Err(general()),
            };
            if seen & (1 << slot) != 0 {
                return Err(general());
            }
            seen |= 1 << slot;
            let value = map.next_value()?;
            match ids.texts.get_mut(slot) {
                Some(t) => *t = value,
                None => ids.network = value,
            }
        }
        Ok(ids)
    }
}

/// `f` of a present value: `Some(None)` when absent, `None` when `f` refuses it.
fn present<T, U>(value: Option<T>, f: impl FnOnce(T) -> Option<U>) -> Option<Option<U>> {
    match value {
        None => Some(None),
        Some(v) => f(v).map(Some),
    }
}

impl Raw<'_> {
    fn into_signal(self, now: DateTime<Utc>) -> Option<Signal> {
        let kind = SignalKind::parse(text(&self.kind)?)?;
        let (stakeholder_type, ids) = self.stakeholder?;
        if kind.is_employee_kind() && stakeholder_type != StakeholderType::Employee {
            return None;
        }
        let mut identities = Vec::with_capacity(2);
        for (_, parsed) in checks::identities(ids.texts.each_ref().map(text), text(&ids.network)) {
            match parsed {
                Some(Ok(id)) => identities.push(id),
                Some(Err(_)) => return None,
                None => {}
            }
        }
        if identities.is_empty() {
            return None;
        }
        identities.sort();
        identities.dedup();

        // The rules only push to `errors` when they refuse a value; any refusal sends
        // the record to the general parser, which words it.
        let mut errors = Vec::new();
        let e = &mut errors;
        let occurred_at = checks::time(e, "occurred_at", Some(text(&self.occurred_at)?))?;
        let occurred_at = in_range(e, "occurred_at", occurred_at, now)?;
        let mut time = |field, raw: &Text<'_>| {
            checks::time(e, field, text(raw)).and_then(|t| in_range(e, field, t, now))
        };
        let first_response_at = time("first_response_at", &self.first_response_at);
        let resolved_at = time("resolved_at", &self.resolved_at);
        let mut signal = SignalParts {
            kind,
            source: checks::id_string(e, "source", text(&self.source))?,
            external_id: checks::id_string(e, "external_id", text(&self.external_id))?,
            occurred_at,
            stakeholder_type,
            identities,
            dimensions: std::array::from_fn(|i| {
                checks::label(e, DIMENSIONS[i], text(&self.dimensions[i]))
            }),
            action: None,
            reason: checks::label(e, "reason", text(&self.reason)),
            nps: present(self.nps, |v| checks::scale(v, 0, 10))?,
            csat: present(self.csat, |v| checks::scale(v, 1, 5))?,
            ces: present(self.ces, |v| checks::scale(v, 1, 7))?,
            ratings: checks::ratings(e, self.ratings.as_ref()),
            text: checks::text(e, text(&self.text)),
            language: checks::language(e, text(&self.language)),
            amount: present(self.amount, checks::amount)?,
            currency: checks::currency(e, text(&self.currency)),
            first_response_at,
            resolved_at,
            properties: self
                .properties
                .map(|m| checks::properties(e, m))
                .unwrap_or_default(),
        };
        signal.action = checks::action(e, kind, text(&self.action));
        checks::kind_rules(e, &signal);
        errors.is_empty().then_some(Signal(signal))
    }
}
