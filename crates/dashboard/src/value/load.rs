//! Loads what the value models need from the analytics copy, one row per customer:
//! paid transactions, the cancellation (if any), where they came from, and every
//! experience signal (answers, texts, support contacts) with its time.

use std::collections::HashMap;

use throughline_domain::WorkspaceId;

use crate::error::Result;
use crate::read::Reader;

/// Microseconds since the epoch, as the analytics copy stores times.
pub(crate) type Micros = i64;
pub(crate) const DAY: Micros = 86_400_000_000;

/// One paid transaction (purchase or renewal).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Paid {
    pub at: Micros,
    pub amount: f64,
    pub renewal: bool,
}

/// One experience signal of a customer.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Touch {
    pub at: Micros,
    pub nps: Option<f64>,
    pub sentiment: Option<f64>,
    /// A ticket, chat, call or email: a support contact.
    pub contact: bool,
    pub resolved_at: Option<Micros>,
    pub churn_intent: bool,
    /// Detractor answer, CSAT 1–2 or negative text.
    pub negative: bool,
    pub touchpoint: Option<String>,
    /// Themes this signal complains about (negative aspect, or negative text naming it).
    pub complaints: Vec<String>,
}

/// Everything known about one customer, times ascending.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Customer {
    pub profile: i64,
    pub first_seen: Micros,
    pub acquisition_channel: Option<String>,
    /// `properties.campaign` of the first signal, if it named one.
    pub acquisition_campaign: Option<String>,
    pub brand: Option<String>,
    pub region: Option<String>,
    pub currency: Option<String>,
    pub paid: Vec<Paid>,
    pub cancelled_at: Option<Micros>,
    pub touches: Vec<Touch>,
}

const CUSTOMER: &str = "stakeholder_type = 'customer'";

/// Every customer of the workspace with at least one signal, by profile id.
pub(crate) async fn customers(rd: &Reader, ws: WorkspaceId) -> Result<Vec<Customer>> {
    let mut by_id: HashMap<i64, Customer> = HashMap::new();
    origins(rd, ws, &mut by_id).await?;
    transactions(rd, ws, &mut by_id).await?;
    touches(rd, ws, &mut by_id).await?;
    let mut out: Vec<Customer> = by_id.into_values().collect();
    out.sort_by_key(|c| c.profile);
    Ok(out)
}

/// First signal (time, channel, properties) and the customer's latest brand and region.
async fn origins(rd: &Reader, ws: WorkspaceId, by_id: &mut HashMap<i64, Customer>) -> Result<()> {
    // The latest non-null brand and region: rows with a value sort last.
    let first = rd
        .sql(
            ws,
            &format!(
                "SELECT profile_id, min(occurred_at) AS first_seen, \
                        first_value(channel ORDER BY occurred_at, seq) AS first_channel, \
                        first_value(properties ORDER BY occurred_at, seq) AS first_properties, \
                        last_value(brand ORDER BY brand IS NOT NULL, occurred_at, seq) AS brand, \
                        last_value(region ORDER BY region IS NOT NULL, occurred_at, seq) AS region \
                 FROM signals WHERE {CUSTOMER} GROUP BY profile_id"
            ),
        )
        .await?;
    let (profiles, first_seen) = (first.i64s("profile_id")?, first.i64s("first_seen")?);
    let (channels, properties) = (
        first.strings("first_channel")?,
        first.strings("first_properties")?,
    );
    let (brands, regions) = (first.strings("brand")?, first.strings("region")?);
    for i in 0..profiles.len() {
        let Some(id) = profiles[i] else { continue };
        by_id.insert(
            id,
            Customer {
                profile: id,
                first_seen: first_seen[i].unwrap_or(0),
                acquisition_channel: channels[i].clone(),
                acquisition_campaign: properties[i].as_deref().and_then(campaign),
                brand: brands[i].clone(),
                region: regions[i].clone(),
                ..Customer::default()
            },
        );
    }
    Ok(())
}

/// The `campaign` a properties object names, if it is a string.
fn campaign(properties: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(properties).ok()?;
    v.get("campaign")?.as_str().map(str::to_string)
}

/// Paid transactions in time order, the first cancellation, and the customer's currency
/// (the one most of their payments are in).
async fn transactions(
    rd: &Reader,
    ws: WorkspaceId,
    by_id: &mut HashMap<i64, Customer>,
) -> Result<()> {
    let rows = rd
        .sql(
            ws,
            &format!(
                "SELECT profile_id, occurred_at, action, amount, currency \
                 FROM signals WHERE {CUSTOMER} AND kind = 'transaction' \
                   AND action IN ('purchase', 'renewal', 'cancellation') \
                 ORDER BY profile_id, occurred_at, seq"
            ),
        )
        .await?;
    let (profiles, times) = (rows.i64s("profile_id")?, rows.i64s("occurred_at")?);
    let (actions, amounts) = (rows.strings("action")?, rows.f64s("amount")?);
    let currency = rows.strings("currency")?;
    let mut currencies: HashMap<i64, HashMap<String, usize>> = HashMap::new();
    for i in 0..profiles.len() {
        let (Some(id), Some(at)) = (profiles[i], times[i]) else {
            continue;
        };
        let Some(customer) = by_id.get_mut(&id) else {
            continue;
        };
        match actions[i].as_deref() {
            Some("cancellation") => {
                customer.cancelled_at.get_or_insert(at);
            }
            Some(action) => {
                let Some(amount) = amounts[i].filter(|v| v.is_finite()) else {
                    continue;
                };
                customer.paid.push(Paid {
                    at,
                    amount,
                    renewal: action == "renewal",
                });
                if let Some(cur) = &currency[i] {
                    *currencies
                        .entry(id)
                        .or_default()
                        .entry(cur.clone())
                        .or_default() += 1;
                }
            }
            None => {}
        }
    }
    for (id, counts) in currencies {
        let main = counts
            .into_iter()
            .max_by(|x, y| x.1.cmp(&y.1).then_with(|| y.0.cmp(&x.0)))
            .map(|(c, _)| c);
        if let Some(customer) = by_id.get_mut(&id) {
            customer.currency = main;
        }
    }
    Ok(())
}

/// Answers, texts and support contacts, in time order per customer.
async fn touches(rd: &Reader, ws: WorkspaceId, by_id: &mut HashMap<i64, Customer>) -> Result<()> {
    let rows = rd
        .sql(
            ws,
            &format!(
                "SELECT profile_id, occurred_at, kind, nps, csat, sentiment, \
                        intents, aspects, touchpoint, resolved_at \
                 FROM signals WHERE {CUSTOMER} AND (nps IS NOT NULL OR csat IS NOT NULL \
                   OR sentiment IS NOT NULL OR kind IN ('ticket', 'chat', 'call', 'email')) \
                 ORDER BY profile_id, occurred_at, seq"
            ),
        )
        .await?;
    let (profiles, times) = (rows.i64s("profile_id")?, rows.i64s("occurred_at")?);
    let kinds = rows.strings("kind")?;
    let (nps, csat) = (rows.f64s("nps")?, rows.f64s("csat")?);
    let sentiments = rows.f64s("sentiment")?;
    let (intents, aspects) = (rows.strings("intents")?, rows.strings("aspects")?);
    let (touchpoints, resolved) = (rows.strings("touchpoint")?, rows.i64s("resolved_at")?);
    for i in 0..profiles.len() {
        let (Some(id), Some(at)) = (profiles[i], times[i]) else {
            continue;
        };
        let Some(customer) = by_id.get_mut(&id) else {
            continue;
        };
        let sentiment = sentiments[i].filter(|v| v.is_finite());
        let negative_text = sentiment.is_some_and(|v| v <= NEGATIVE_TEXT);
        let negative =
            nps[i].is_some_and(|v| v <= 6.0) || csat[i].is_some_and(|v| v <= 2.0) || negative_text;
        customer.touches.push(Touch {
            at,
            nps: nps[i],
            sentiment,
            contact: matches!(
                kinds[i].as_deref(),
                Some("ticket" | "chat" | "call" | "email")
            ),
            resolved_at: resolved[i],
            churn_intent: intents[i]
                .as_deref()
                .is_some_and(|v| v.split(',').any(|x| x.trim() == "churn")),
            negative,
            touchpoint: touchpoints[i].clone(),
            complaints: complaints(aspects[i].as_deref()),
        });
    }
    Ok(())
}

/// At or below this document sentiment a text counts as negative (VADER's convention).
pub(crate) const NEGATIVE_TEXT: f64 = -0.05;

/// Themes a text complains about: the (top-level) themes whose aspect sentiment in it is
/// negative, from the `aspects` column (`theme:score,…`).
pub(crate) fn complaints(aspects: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in aspects.unwrap_or("").split(',') {
        let Some((theme, score)) = part.trim().rsplit_once(':') else {
            continue;
        };
        let negative = score.parse::<f64>().is_ok_and(|v| v <= NEGATIVE_TEXT);
        if negative && !out.iter().any(|t| t == theme) {
            out.push(theme.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::complaints;

    #[test]
    fn complaints_are_the_negative_aspects() {
        let got = complaints(Some("staff:0.600,delivery:-0.400,price:-0.050"));
        assert_eq!(got, ["delivery", "price"]);
        assert!(complaints(Some("price:0.000")).is_empty());
        assert!(complaints(Some("garbled")).is_empty());
        assert!(complaints(None).is_empty());
    }
}
