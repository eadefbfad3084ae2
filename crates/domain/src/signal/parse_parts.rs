//! The general parser's field readers, over a `serde_json::Value`: each finds its
//! field, checks its JSON type (with the error a person reads), and hands the typed
//! value to the shared rules in `checks`.

use serde_json::{Map, Value};
use std::collections::BTreeMap;

use super::{checks, Parser, Rating};
use crate::identity::Identity;
use crate::kind::{Action, SignalKind, StakeholderType};
use crate::wire::IDENTITY_FIELDS;

impl<'a> Parser<'a> {
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
                self.fail(
                    "customer",
                    "one of customer, employee or partner is required",
                );
                return None;
            }
            _ => {
                self.fail("customer", "give only one of customer, employee or partner");
                return None;
            }
        };
        if kind.is_some_and(SignalKind::is_employee_kind)
            && stakeholder != StakeholderType::Employee
        {
            self.fail(
                stakeholder.as_str(),
                "employee_feedback and hr_event need an employee",
            );
        }
        let field = stakeholder.as_str();
        let Some(obj) = self.obj.get(field).and_then(Value::as_object) else {
            self.fail(
                field,
                "must be an object of identities (email, phone, handle, account_id)",
            );
            return None;
        };
        let identities = self.identities(field, obj);
        if identities.is_empty() && !self.errors.iter().any(|e| e.field.starts_with(field)) {
            self.fail(
                field,
                "needs at least one of email, phone, handle, account_id",
            );
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
        let texts = [
            text("email"),
            text("phone"),
            text("handle"),
            text("account_id"),
        ];
        for (key, result) in checks::identities(texts, text("network")) {
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
        let scaled = value.as_f64().and_then(|v| checks::scale(v, min, max));
        if scaled.is_none() {
            self.fail(
                field,
                format!("must be a whole number from {min} to {max}, got {value}"),
            );
        }
        scaled
    }

    pub(super) fn ratings(&mut self) -> BTreeMap<String, Rating> {
        checks::ratings(&mut self.errors, self.obj.get("ratings"))
    }

    pub(super) fn amount(&mut self) -> Option<f64> {
        let value = self.obj.get("amount").filter(|v| !v.is_null())?;
        let amount = value.as_f64().and_then(checks::amount);
        if amount.is_none() {
            self.fail("amount", format!("must be a number, got {value}"));
        }
        amount
    }

    pub(super) fn properties(&mut self) -> Map<String, Value> {
        match self.obj.get("properties") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => checks::properties(&mut self.errors, m.clone()),
            Some(_) => {
                self.fail("properties", "must be an object");
                Map::new()
            }
        }
    }

    pub(super) fn action(&mut self, kind: SignalKind) -> Option<Action> {
        let raw = self.str_field("action");
        checks::action(&mut self.errors, kind, raw)
    }
}
