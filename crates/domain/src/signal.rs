//! A parsed signal: one thing a stakeholder said or did, on one channel, at one time.
//! `Signal::parse` is the way in from the wire (`parts.rs` has the others), so a
//! `Signal` is always valid.

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

use crate::error::{FieldError, RecordRejected};
use crate::kind::SignalKind;
use crate::limits::{latest_time, EARLIEST_TIME};
use crate::wire::{WireSignal, DIMENSIONS, FIELDS};

/// A named custom rating with its scale, e.g. `{"value": 4, "min": 1, "max": 5}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Rating {
    pub value: f64,
    pub min: f64,
    pub max: f64,
}

/// A valid signal: [`SignalParts`] that passed the rules, read through its accessors
/// (`parts.rs`). Dimensions are indexed like [`DIMENSIONS`].
#[derive(Debug, Clone, PartialEq)]
pub struct Signal(SignalParts);

impl Signal {
    /// Parses one wire record, reporting every problem with its field. Its times
    /// must lie between [`EARLIEST_TIME`] and a day after now (the time of intake):
    /// [`Signal::parse_at`] with the system clock.
    pub fn parse(record: &Value) -> Result<Signal, RecordRejected> {
        Signal::parse_at(record, intake_now())
    }

    /// [`Signal::parse`] at intake time `now`, so a test (or a replay) decides which
    /// times are too far in the future.
    pub fn parse_at(record: &Value, now: DateTime<Utc>) -> Result<Signal, RecordRejected> {
        let Some(obj) = record.as_object() else {
            return Err(RecordRejected {
                errors: vec![FieldError::new("record", "a record must be a JSON object")],
            });
        };
        let mut p = Parser {
            obj,
            errors: Vec::new(),
            now,
        };
        let signal = p.signal();
        match signal {
            Some(s) if p.errors.is_empty() => Ok(s),
            _ => Err(RecordRejected { errors: p.errors }),
        }
    }

    /// Parses one record from its JSON text: the same result as
    /// `serde_json::from_slice::<Value>` followed by [`Signal::parse`], at a fraction
    /// of the cost for a good record, which is read straight into a signal without
    /// building a `Value` first. Anything unusual (a bad field, a duplicate key, a
    /// type the fast reader does not take) is parsed again the general way, so the
    /// errors are exactly those of `parse`.
    pub fn parse_slice(json: &[u8]) -> Result<Signal, SliceError> {
        Signal::parse_slice_at(json, intake_now())
    }

    /// [`Signal::parse_slice`] at intake time `now`, as [`Signal::parse_at`].
    pub fn parse_slice_at(json: &[u8], now: DateTime<Utc>) -> Result<Signal, SliceError> {
        if let Some(signal) = fast::parse(json, now) {
            return Ok(signal);
        }
        let value: Value = serde_json::from_slice(json).map_err(SliceError::Syntax)?;
        Signal::parse_at(&value, now).map_err(SliceError::Rejected)
    }

    pub fn dimension(&self, name: &str) -> Option<&str> {
        let i = DIMENSIONS.iter().position(|d| *d == name)?;
        self.0.dimensions[i].as_deref()
    }

    /// The signal in its wire form, so it round-trips through `parse`.
    pub fn to_wire(&self) -> WireSignal {
        let s = &self.0;
        let mut ids = BTreeMap::new();
        for id in &s.identities {
            let (key, val) = match id.kind {
                crate::IdentityKind::Handle => ("handle", id.value.clone()),
                other => (other.as_str(), id.value.clone()),
            };
            // The first identity of a kind is written; a record carries one of each.
            ids.entry(key.to_string()).or_insert(val);
        }
        let mut stakeholder = BTreeMap::new();
        stakeholder.insert(s.stakeholder_type.as_str().to_string(), ids);
        let dimensions = DIMENSIONS
            .iter()
            .zip(&s.dimensions)
            .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_string(), v.clone())))
            .collect();
        WireSignal {
            kind: s.kind.as_str().into(),
            source: s.source.clone(),
            external_id: s.external_id.clone(),
            occurred_at: s.occurred_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            stakeholder,
            dimensions,
            action: s.action.as_ref().map(|a| a.as_str().to_string()),
            reason: s.reason.clone(),
            nps: s.nps,
            csat: s.csat,
            ces: s.ces,
            ratings: s.ratings.clone(),
            text: s.text.clone(),
            language: s.language.clone(),
            amount: s.amount,
            currency: s.currency.clone(),
            first_response_at: s.first_response_at.map(rfc3339),
            resolved_at: s.resolved_at.map(rfc3339),
            properties: s.properties.clone(),
        }
    }
}

/// Why [`Signal::parse_slice`] gave no signal.
#[derive(Debug)]
pub enum SliceError {
    /// The text is not one JSON value.
    Syntax(serde_json::Error),
    /// The record is JSON but not a valid signal.
    Rejected(RecordRejected),
}

fn rfc3339(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// The time of intake for [`Signal::parse`] and [`Signal::parse_slice`]: the one
/// place parsing reads a clock, so that the callers at the edge (which parse many
/// records, some in parallel) need not pass it; everything below takes `now`.
fn intake_now() -> DateTime<Utc> {
    std::time::SystemTime::now().into()
}

/// `t`, if it lies in the accepted range of times at intake time `now` (see
/// `limits::EARLIEST_TIME`, `limits::MAX_FUTURE`); otherwise an error for `field`.
/// Both parse paths call it, so they accept the same times.
fn in_range(
    errors: &mut Vec<FieldError>,
    field: &str,
    t: DateTime<FixedOffset>,
    now: DateTime<Utc>,
) -> Option<DateTime<FixedOffset>> {
    let latest = latest_time(now);
    let reason = if t < EARLIEST_TIME {
        format!(
            "{} is before {}, the earliest time accepted",
            rfc3339(t),
            EARLIEST_TIME.to_rfc3339_opts(SecondsFormat::Secs, true)
        )
    } else if t > latest {
        format!(
            "{} is more than a day after the time of intake (the latest time accepted was {})",
            rfc3339(t),
            latest.to_rfc3339_opts(SecondsFormat::Secs, true)
        )
    } else {
        return Some(t);
    };
    errors.push(FieldError::new(field, reason));
    None
}

struct Parser<'a> {
    obj: &'a Map<String, Value>,
    errors: Vec<FieldError>,
    /// The time of intake, for the latest time accepted.
    now: DateTime<Utc>,
}

impl<'a> Parser<'a> {
    fn fail(&mut self, field: &str, reason: impl Into<String>) {
        self.errors.push(FieldError::new(field, reason));
    }

    fn signal(&mut self) -> Option<Signal> {
        for key in self.obj.keys() {
            if !FIELDS.contains(&key.as_str()) {
                self.fail(key, "unknown field (put custom data under \"properties\")");
            }
        }
        let kind = self.kind();
        let source = self.id_string("source");
        let external_id = self.id_string("external_id");
        let occurred_at = self.required_time("occurred_at");
        let (stakeholder_type, identities) = self.stakeholder(kind)?;
        let dimensions = DIMENSIONS.map(|d| self.label(d));
        let signal = SignalParts {
            kind: kind?,
            source: source?,
            external_id: external_id?,
            occurred_at: occurred_at?,
            stakeholder_type,
            identities,
            dimensions,
            action: None,
            reason: self.label("reason"),
            nps: self.scale("nps", 0, 10),
            csat: self.scale("csat", 1, 5),
            ces: self.scale("ces", 1, 7),
            ratings: self.ratings(),
            text: self.text(),
            language: self.language(),
            amount: self.amount(),
            currency: self.currency(),
            first_response_at: self.optional_time("first_response_at"),
            resolved_at: self.optional_time("resolved_at"),
            properties: self.properties(),
        };
        let mut signal = signal;
        signal.action = self.action(signal.kind);
        checks::kind_rules(&mut self.errors, &signal);
        Some(Signal(signal))
    }

    /// The field's text; a value of another JSON type is an error, `null` is absent.
    fn str_field(&mut self, field: &str) -> Option<&'a str> {
        match self.obj.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => {
                self.fail(field, "must be a string");
                None
            }
        }
    }

    fn kind(&mut self) -> Option<SignalKind> {
        let Some(raw) = self.str_field("kind") else {
            if !self.obj.contains_key("kind") {
                self.fail("kind", "is required");
            }
            return None;
        };
        let parsed = SignalKind::parse(raw);
        if parsed.is_none() {
            let msg = format!(
                "{raw:?} is not a kind; expected one of {}",
                SignalKind::expected()
            );
            self.fail("kind", msg);
        }
        parsed
    }

    fn id_string(&mut self, field: &str) -> Option<String> {
        let raw = self.str_field(field);
        checks::id_string(&mut self.errors, field, raw)
    }

    fn label(&mut self, field: &str) -> Option<String> {
        let raw = self.str_field(field);
        checks::label(&mut self.errors, field, raw)
    }

    fn text(&mut self) -> Option<String> {
        let raw = self.str_field("text");
        checks::text(&mut self.errors, raw)
    }

    fn language(&mut self) -> Option<String> {
        let raw = self.str_field("language");
        checks::language(&mut self.errors, raw)
    }

    fn currency(&mut self) -> Option<String> {
        let raw = self.str_field("currency");
        checks::currency(&mut self.errors, raw)
    }

    fn required_time(&mut self, field: &str) -> Option<DateTime<FixedOffset>> {
        if matches!(self.obj.get(field), None | Some(Value::Null)) {
            self.fail(field, "is required");
            return None;
        }
        self.optional_time(field)
    }

    fn optional_time(&mut self, field: &str) -> Option<DateTime<FixedOffset>> {
        let raw = self.str_field(field);
        let t = checks::time(&mut self.errors, field, raw)?;
        in_range(&mut self.errors, field, t, self.now)
    }
}

mod checks;
mod fast;
mod parse_parts;
mod parts;

pub use parts::SignalParts;

#[cfg(test)]
mod tests;
