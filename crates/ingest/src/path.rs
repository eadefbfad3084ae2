//! Wire field paths a mapping can target (`nps`, `customer.email`, `ratings.ease`,
//! `properties.plan`) and how a text cell becomes the JSON value at that path.

use serde_json::{Map, Number, Value};
use throughline_domain::wire::{FIELDS, IDENTITY_FIELDS};

/// Top-level fields whose value is a number; a text cell is converted.
const NUMERIC: &[&str] = &["nps", "csat", "ces", "amount"];
/// Top-level fields whose value is an object; a text cell must hold JSON.
const OBJECTS: &[&str] = &["customer", "employee", "partner", "ratings", "properties"];

/// A validated wire field path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WirePath {
    /// A top-level field, e.g. `nps` or `customer` (a whole object).
    Field(&'static str),
    /// `customer.email`, `employee.phone`, …
    Identity(&'static str, &'static str),
    /// `ratings.<name>`: a number, shorthand for a 1–5 rating.
    Rating(String),
    /// `properties.<name>`: kept as text (see [`WirePath::convert`]).
    Property(String),
}

impl WirePath {
    /// Parses a dotted path, saying what is accepted when it is not one.
    pub fn parse(raw: &str) -> Result<WirePath, String> {
        let raw = raw.trim();
        let expected = || {
            format!(
                "{raw:?} is not a wire field; expected one of {}, \
                 customer.<{ids}> (likewise employee., partner.), ratings.<name>, properties.<name>",
                FIELDS.join(", "),
                ids = IDENTITY_FIELDS.join("|"),
            )
        };
        match raw.split_once('.') {
            None => FIELDS
                .iter()
                .find(|f| **f == raw)
                .map(|f| WirePath::Field(f))
                .ok_or_else(expected),
            Some((head, name)) => match head {
                "ratings" | "properties" if name.is_empty() => Err(format!(
                    "{raw:?} needs a name after the dot, e.g. {head}.ease"
                )),
                "ratings" => Ok(WirePath::Rating(name.to_string())),
                "properties" => Ok(WirePath::Property(name.to_string())),
                "customer" | "employee" | "partner" => {
                    let stakeholder = FIELDS.iter().find(|f| **f == head).ok_or_else(expected)?;
                    let id = IDENTITY_FIELDS
                        .iter()
                        .find(|f| **f == name)
                        .ok_or_else(expected)?;
                    Ok(WirePath::Identity(stakeholder, id))
                }
                _ => Err(expected()),
            },
        }
    }

    /// Turns a text cell into the value at this path; `None` for an empty cell (absent).
    ///
    /// Numbers (`nps`, `csat`, `ces`, `amount`, `ratings.*`) are converted; whole objects
    /// (`customer`, `ratings`, …) must hold JSON; everything else stays text. Properties
    /// deliberately stay text too: CSV has no types, and guessing would turn a postcode
    /// `"01234"` or a long account number into a different value.
    pub fn convert(&self, cell: &str) -> Result<Option<Value>, String> {
        let trimmed = cell.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        match self {
            WirePath::Field(f) if NUMERIC.contains(f) => number(trimmed).map(Some),
            WirePath::Rating(_) => number(trimmed).map(Some),
            WirePath::Field(f) if OBJECTS.contains(f) => {
                serde_json::from_str(trimmed).map(Some).map_err(|e| {
                    format!(
                        "must hold a JSON object: {}",
                        crate::batch::json_syntax_reason(&e)
                    )
                })
            }
            _ => Ok(Some(Value::String(cell.to_string()))),
        }
    }

    /// Puts `value` at this path in `record`, creating the parent object as needed.
    pub fn insert(&self, record: &mut Map<String, Value>, value: Value) {
        let (parent, key) = match self {
            WirePath::Field(f) => {
                record.insert((*f).to_string(), value);
                return;
            }
            WirePath::Identity(stakeholder, id) => (*stakeholder, *id),
            WirePath::Rating(name) => ("ratings", name.as_str()),
            WirePath::Property(name) => ("properties", name.as_str()),
        };
        let slot = record
            .entry(parent)
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            // A mapped whole object that is not an object loses to the field mapped into it;
            // the domain would reject it anyway and the field is the more specific intent.
            *slot = Value::Object(Map::new());
        }
        if let Value::Object(parent) = slot {
            parent.insert(key.to_string(), value);
        }
    }
}

impl std::fmt::Display for WirePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WirePath::Field(name) => f.write_str(name),
            WirePath::Identity(s, id) => write!(f, "{s}.{id}"),
            WirePath::Rating(name) => write!(f, "ratings.{name}"),
            WirePath::Property(name) => write!(f, "properties.{name}"),
        }
    }
}

/// Integers stay integers (so `nps` 9 is exactly 9); anything else must be a finite decimal.
fn number(text: &str) -> Result<Value, String> {
    if let Ok(i) = text.parse::<i64>() {
        return Ok(Value::Number(i.into()));
    }
    text.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map(Value::Number)
        .ok_or_else(|| format!("{text:?} is not a number"))
}
