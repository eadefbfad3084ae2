//! Acquisition spend: what the company paid to win customers, per channel, campaign and
//! month. Customer value compares it with what those customers are worth (CAC vs CLV).
//!
//! Spend is not a signal (nobody said or did anything): it is a small ledger keyed by
//! (workspace, channel, campaign, month, currency), and importing a row again replaces it,
//! so a corrected file can simply be imported once more.

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, RecordRejected};
use crate::limits::MAX_LABEL_BYTES;

/// Largest accepted amount for one row; beyond it the row is a typo, not a budget.
pub const MAX_SPEND_AMOUNT: f64 = 1e12;

/// One month's spend on one channel (and campaign, if named) in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AcquisitionSpend {
    /// The acquisition channel, matched against customers' first channel (`web`, `social` …).
    pub channel: String,
    /// Empty when the spend is not split by campaign.
    #[serde(default)]
    pub campaign: String,
    /// `YYYY-MM`.
    pub month: String,
    pub amount: f64,
    /// ISO 4217, upper case.
    pub currency: String,
}

/// The raw fields of a spend row as they arrive (CSV cells or JSON strings).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawSpend {
    pub channel: Option<String>,
    pub campaign: Option<String>,
    pub month: Option<String>,
    pub amount: Option<serde_json::Value>,
    pub currency: Option<String>,
}

impl AcquisitionSpend {
    /// Parses one row, listing every problem (field and reason).
    pub fn parse(raw: &RawSpend) -> Result<AcquisitionSpend, RecordRejected> {
        let mut errors = Vec::new();
        let channel = label(&mut errors, "channel", raw.channel.as_deref(), true);
        let campaign = label(&mut errors, "campaign", raw.campaign.as_deref(), false);
        let month = month(&mut errors, raw.month.as_deref());
        let amount = amount(&mut errors, raw.amount.as_ref());
        let currency = currency(&mut errors, raw.currency.as_deref());
        if !errors.is_empty() {
            return Err(RecordRejected { errors });
        }
        Ok(AcquisitionSpend {
            channel,
            campaign,
            month,
            amount,
            currency,
        })
    }
}

fn label(errors: &mut Vec<FieldError>, field: &str, raw: Option<&str>, required: bool) -> String {
    let value = raw.map(str::trim).unwrap_or("");
    if value.is_empty() && required {
        errors.push(FieldError::new(field, "is required"));
    } else if value.len() > MAX_LABEL_BYTES {
        let msg = format!("is longer than {MAX_LABEL_BYTES} bytes");
        errors.push(FieldError::new(field, msg));
    }
    value.to_string()
}

/// `YYYY-MM`, or a full date whose month is taken (`2026-03-01` → `2026-03`).
fn month(errors: &mut Vec<FieldError>, raw: Option<&str>) -> String {
    let value = raw.map(str::trim).unwrap_or("");
    let head = value.get(..7).unwrap_or(value);
    let date = chrono::NaiveDate::parse_from_str(&format!("{head}-01"), "%Y-%m-%d");
    let rest_ok = value.len() == 7
        || (value.len() == 10 && chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok());
    if value.is_empty() {
        errors.push(FieldError::new("month", "is required"));
    } else if date.is_err() || !rest_ok {
        let msg = format!("{value:?} is not a month such as \"2026-03\"");
        errors.push(FieldError::new("month", msg));
    }
    head.to_string()
}

fn amount(errors: &mut Vec<FieldError>, raw: Option<&serde_json::Value>) -> f64 {
    let parsed = match raw {
        None => None,
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => None,
        Some(serde_json::Value::String(s)) => match s.trim().parse::<f64>() {
            Ok(v) => Some(v),
            Err(_) => {
                let msg = format!("{s:?} is not a number");
                errors.push(FieldError::new("amount", msg));
                return 0.0;
            }
        },
        Some(other) => {
            let msg = format!("{other} is not a number");
            errors.push(FieldError::new("amount", msg));
            return 0.0;
        }
    };
    match parsed {
        None => errors.push(FieldError::new("amount", "is required")),
        Some(v) if !v.is_finite() || !(0.0..=MAX_SPEND_AMOUNT).contains(&v) => {
            let msg = format!("{v} is outside 0..={MAX_SPEND_AMOUNT}");
            errors.push(FieldError::new("amount", msg));
        }
        Some(v) => return v,
    }
    0.0
}

fn currency(errors: &mut Vec<FieldError>, raw: Option<&str>) -> String {
    let value = raw.map(str::trim).unwrap_or("").to_ascii_uppercase();
    if value.len() != 3 || !value.chars().all(|c| c.is_ascii_uppercase()) {
        let msg = format!("{value:?} is not an ISO 4217 code such as \"EUR\"");
        errors.push(FieldError::new("currency", msg));
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn raw(channel: &str, month: &str, amount: serde_json::Value, currency: &str) -> RawSpend {
        RawSpend {
            channel: Some(channel.into()),
            campaign: Some(" spring ".into()),
            month: Some(month.into()),
            amount: Some(amount),
            currency: Some(currency.into()),
        }
    }

    fn fields(r: &RawSpend) -> Vec<String> {
        let e = AcquisitionSpend::parse(r).unwrap_err();
        e.errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn parses_and_normalises() {
        let s =
            AcquisitionSpend::parse(&raw(" social ", "2026-03", json!("1250.5"), "gbp")).unwrap();
        assert_eq!(s.channel, "social");
        assert_eq!(s.campaign, "spring");
        assert_eq!(s.month, "2026-03");
        assert_eq!(s.amount, 1250.5);
        assert_eq!(s.currency, "GBP");
        let d = AcquisitionSpend::parse(&raw("web", "2026-03-01", json!(10), "EUR")).unwrap();
        assert_eq!(d.month, "2026-03");
    }

    #[test]
    fn rejects_every_bad_field_at_once() {
        let bad = raw("", "2026-13", json!(-1), "pounds");
        assert_eq!(fields(&bad), ["channel", "month", "amount", "currency"]);
        assert_eq!(
            fields(&raw("web", "March", json!("x"), "EUR")),
            ["month", "amount"]
        );
        assert_eq!(
            fields(&raw("web", "2026-03-1x", json!(1), "EUR")),
            ["month"]
        );
        assert_eq!(
            fields(&raw("web", "2026-03", json!(1e13), "EUR")),
            ["amount"]
        );
        let missing = RawSpend::default();
        assert_eq!(fields(&missing), ["channel", "month", "amount", "currency"]);
        let long = raw(&"x".repeat(MAX_LABEL_BYTES + 1), "2026-03", json!(1), "EUR");
        assert_eq!(fields(&long), ["channel"]);
    }
}
