//! The wire format of one signal: the field names accepted on intake and written
//! on output. Parsing reads a loose JSON object field by field so that every
//! problem is reported with its field name (`Signal::parse`).

use serde::Serialize;
use std::collections::BTreeMap;

/// Every top-level field a record may carry. Anything else is refused, so a
/// typo (`occured_at`) is caught instead of silently dropped.
pub const FIELDS: &[&str] = &[
    "kind",
    "source",
    "external_id",
    "occurred_at",
    "customer",
    "employee",
    "partner",
    "channel",
    "touchpoint",
    "stage",
    "brand",
    "store",
    "team",
    "region",
    "action",
    "reason",
    "nps",
    "csat",
    "ces",
    "ratings",
    "text",
    "language",
    "amount",
    "currency",
    "first_response_at",
    "resolved_at",
    "properties",
];

/// Fields of the identity object under `customer` / `employee` / `partner`.
pub const IDENTITY_FIELDS: &[&str] = &["email", "phone", "handle", "network", "account_id"];

/// The dimension fields: free labels an analyst slices by (`Dimension`'s names).
pub const DIMENSIONS: [&str; 7] = crate::Dimension::NAMES;

/// The output form of a signal, field for field the wire format.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct WireSignal {
    pub kind: String,
    pub source: String,
    pub external_id: String,
    pub occurred_at: String,
    /// `customer`, `employee` or `partner` → identities by kind.
    #[serde(flatten)]
    #[schemars(with = "StakeholderSchema")]
    pub stakeholder: BTreeMap<String, BTreeMap<String, String>>,
    /// The dimensions that are set, by name.
    #[serde(flatten)]
    #[schemars(with = "DimensionsSchema")]
    pub dimensions: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nps: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csat: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ces: Option<u8>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub ratings: BTreeMap<String, crate::Rating>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_response_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<String>,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub properties: serde_json::Map<String, serde_json::Value>,
}

/// The schema of `WireSignal::stakeholder` (one key of the three, its identities).
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
struct StakeholderSchema {
    #[serde(skip_serializing_if = "Option::is_none")]
    customer: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    employee: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    partner: Option<BTreeMap<String, String>>,
}

/// The schema of `WireSignal::dimensions` (`DIMENSIONS`, each when set).
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
struct DimensionsSchema {
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    touchpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    brand: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    store: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    team: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
}
