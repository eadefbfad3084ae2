//! The field parsers behind `Signal::parse`: stakeholder, ratings, money, text,
//! and the rules that depend on the kind.

use serde_json::{Map, Value};
use std::collections::BTreeMap;

use super::{Parser, Rating, Signal};
use crate::identity::Identity;
use crate::kind::{Action, HrEventType, SignalKind, StakeholderType, TransactionType};
use crate::limits::*;
use crate::wire::IDENTITY_FIELDS;

impl Parser<'_> {
    /// Exactly one of `customer` / `employee` / `partner`, an object with at least one identity.
    pub(super) fn stakeholder(
        &mut self,
        kind: Option<SignalKind>,
    ) -> Option<(StakeholderType, Vec<Identity>)> {
        let present: Vec<StakeholderType> = StakeholderType::ALL
            .iter()
            .copied()
            .filter(|t| !matches!(self.obj.get(t.as_str()), None | Some(Value::Null)))
            .collect();
        let stakeholder = match present.as_slice() {
            [one] => *one,
            [] => {
                self.fail("customer", "one of customer, employee or partner is required");
                return None;
            }
            _ => {
                self.fail("customer", "give only one of customer, employee or partner");
                return None;
            }
        };
        if kind.is_some_and(SignalKind::is_employee_kind) && stakeholder != StakeholderType::Employee {
            self.fail(stakeholder.as_str(), "employee_feedback and hr_event need an employee");
        }
        let field = stakeholder.as_str();
        let Some(obj) = self.obj.get(field).and_then(Value::as_object) else {
            self.fail(field, "must be an object of identities (email, phone, handle, account_id)");
            return None;
        };
        let identities = self.identities(field, obj);
        if identities.is_empty() && !self.errors.iter().any(|e| e.field.starts_with(field)) {
            self.fail(field, "needs at least one of email, phone, handle, account_id");
        }
        Some((stakeholder, identities))
    }

    fn identities(&mut self, field: &str, obj: &Map<String, Value>) -> Vec<Identity> {
        let mut out = Vec::new();
        for key in obj.keys() {
            if !IDENTITY_FIELDS.contains(&key.as_str()) {
                self.fail(&format!("{field}.{key}"), "unknown identity field");
            }
        }
        let text = |k: &str| obj.get(k).and_then(Value::as_str);
        let network = text("network");
        let parsed = [
            ("email", text("email").map(Identity::email)),
            ("phone", text("phone").map(Identity::phone)),
            ("handle", text("handle").map(|h| Identity::handle(h, network))),
            ("account_id", text("account_id").map(Identity::account_id)),
        ];
        for (key, result) in parsed {
            match result {
                Some(Ok(id)) => out.push(id),
                Some(Err(reason)) => self.fail(&format!("{field}.{key}"), reason),
                None if !matches!(obj.get(key), None | Some(Value::Null)) => {
                    self.fail(&format!("{field}.{key}"), "must be a string")
                }
                None => {}
            }
        }
        out.sort();
        out.dedup();
        out
    }

    pub(super) fn scale(&mut self, field: &str, min: u8, max: u8) -> Option<u8> {
        let value = self.obj.get(field)?;
        if value.is_null() {
            return None;
        }
        match value.as_f64() {
            Some(v) if v.fract() == 0.0 && v >= f64::from(min) && v <= f64::from(max) => {
                Some(v as u8)
            }
            _ => {
                self.fail(field, format!("must be a whole number from {min} to {max}, got {value}"));
                None
            }
        }
    }

    /// `{"name": 4}` is shorthand for a 1–5 rating; otherwise `{"name": {"value", "min", "max"}}`.
    pub(super) fn ratings(&mut self) -> BTreeMap<String, Rating> {
        let mut out = BTreeMap::new();
        let Some(value) = self.obj.get("ratings").filter(|v| !v.is_null()) else {
            return out;
        };
        let Some(obj) = value.as_object() else {
            self.fail("ratings", "must be an object of named ratings");
            return out;
        };
        if obj.len() > MAX_RATINGS {
            self.fail("ratings", format!("has more than {MAX_RATINGS} ratings"));
            return out;
        }
        for (name, v) in obj {
            let field = format!("ratings.{name}");
            match rating(v) {
                Ok(r) if name.is_empty() || name.len() > MAX_LABEL_BYTES => {
                    let _ = r;
                    self.fail(&field, "rating names must be 1 to 200 bytes")
                }
                Ok(r) => {
                    out.insert(name.clone(), r);
                }
                Err(reason) => self.fail(&field, reason),
            }
        }
        out
    }

    pub(super) fn text(&mut self) -> Option<String> {
        let text = self.str_field("text")?;
        if text.len() > MAX_TEXT_BYTES {
            let msg = format!("is {} bytes; the limit is {MAX_TEXT_BYTES}", text.len());
            self.fail("text", msg);
            return None;
        }
        let trimmed = text.trim();
        (!trimmed.is_empty()).then(|| trimmed.to_string())
    }

    pub(super) fn language(&mut self) -> Option<String> {
        let raw = self.str_field("language")?.trim().to_lowercase();
        let ok = (2..=3).contains(&raw.len()) && raw.chars().all(|c| c.is_ascii_lowercase());
        if !ok {
            self.fail("language", "must be an ISO 639 code such as \"en\"");
            return None;
        }
        Some(raw)
    }

    pub(super) fn amount(&mut self) -> Option<f64> {
        let value = self.obj.get("amount").filter(|v| !v.is_null())?;
        match value.as_f64() {
            Some(v) if v.is_finite() && v.abs() < 1e12 => Some(v),
            _ => {
                self.fail("amount", format!("must be a number, got {value}"));
                None
            }
        }
    }

    pub(super) fn currency(&mut self) -> Option<String> {
        let raw = self.str_field("currency")?.trim().to_string();
        if raw.len() != 3 || !raw.chars().all(|c| c.is_ascii_uppercase()) {
            self.fail("currency", format!("{raw:?} is not an ISO 4217 code such as \"EUR\""));
            return None;
        }
        Some(raw)
    }

    pub(super) fn properties(&mut self) -> Map<String, Value> {
        match self.obj.get("properties") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => {
                let size = serde_json::to_string(m).map_or(usize::MAX, |s| s.len());
                if size > MAX_PROPERTIES_BYTES {
                    self.fail("properties", format!("is larger than {MAX_PROPERTIES_BYTES} bytes"));
                    return Map::new();
                }
                m.clone()
            }
            Some(_) => {
                self.fail("properties", "must be an object");
                Map::new()
            }
        }
    }

    pub(super) fn action(&mut self, kind: SignalKind) -> Option<Action> {
        let raw = self.str_field("action").map(|s| s.trim().to_string());
        match kind {
            SignalKind::Transaction => {
                let raw = raw.unwrap_or_else(|| "purchase".into());
                let t = TransactionType::parse(&raw);
                if t.is_none() {
                    let msg = format!("{raw:?} is not one of {}", TransactionType::expected());
                    self.fail("action", msg);
                }
                t.map(Action::Transaction)
            }
            SignalKind::HrEvent => {
                let Some(raw) = raw else {
                    let msg = format!("is required for hr_event: one of {}", HrEventType::expected());
                    self.fail("action", msg);
                    return None;
                };
                let t = HrEventType::parse(&raw);
                if t.is_none() {
                    self.fail("action", format!("{raw:?} is not one of {}", HrEventType::expected()));
                }
                t.map(Action::Hr)
            }
            SignalKind::Event => match raw {
                Some(name) if !name.is_empty() && name.len() <= MAX_LABEL_BYTES => {
                    Some(Action::Event(name))
                }
                _ => {
                    self.fail("action", "is required for event: the event name, e.g. \"page_view\"");
                    None
                }
            },
            _ => raw.filter(|s| !s.is_empty()).map(Action::Event),
        }
    }

    /// Rules that depend on the kind: what must be present and what must agree.
    pub(super) fn kind_rules(&mut self, s: &Signal) {
        if s.kind.requires_text() && s.text.is_none() {
            self.fail("text", format!("is required for {}", s.kind));
        }
        let has_feedback = s.nps.is_some()
            || s.csat.is_some()
            || s.ces.is_some()
            || !s.ratings.is_empty()
            || s.text.is_some();
        if matches!(s.kind, SignalKind::SurveyResponse | SignalKind::EmployeeFeedback)
            && !has_feedback
        {
            self.fail("nps", format!("{} needs at least one of nps, csat, ces, ratings, text", s.kind));
        }
        if s.kind == SignalKind::Transaction {
            if s.amount.is_none() && !self.errors.iter().any(|e| e.field == "amount") {
                self.fail("amount", "is required for transaction");
            }
            if s.currency.is_none() && !self.errors.iter().any(|e| e.field == "currency") {
                self.fail("currency", "is required for transaction");
            }
        } else if s.amount.is_some() != s.currency.is_some() {
            self.fail("currency", "amount and currency go together");
        }
        for (field, at) in [("first_response_at", s.first_response_at), ("resolved_at", s.resolved_at)] {
            if at.is_some_and(|t| t < s.occurred_at) {
                self.fail(field, "is before occurred_at");
            }
        }
    }
}

fn rating(v: &Value) -> Result<Rating, String> {
    let r = match v {
        Value::Number(n) => Rating { value: n.as_f64().unwrap_or(f64::NAN), min: 1.0, max: 5.0 },
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
        return Err(format!("{} is outside its scale {}..{}", r.value, r.min, r.max));
    }
    Ok(r)
}
