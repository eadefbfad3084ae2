//! The flat row form of a signal: how a `Signal` becomes the columns of `signals`
//! and how a row becomes a `StoredSignal` again.

use chrono::{DateTime, FixedOffset};
use rusqlite::types::{ToSqlOutput, Type, Value as SqlValue, ValueRef};
use rusqlite::Row;
use std::collections::BTreeMap;
use throughline_domain::kind::{HrEventType, TransactionType};
use throughline_domain::{
    Action, Identity, IdentityKind, ProfileId, Signal, SignalKind, SignalParts, SignalSeq,
    StakeholderType, WorkspaceId,
};
use throughline_store::StoredSignal;

/// The columns every signal query selects, in the order [`decode`] reads them.
pub(crate) const COLUMNS: &str = "seq, workspace_id, profile_id, received_at_us, kind, source, \
    external_id, occurred_at_us, occurred_offset_s, stakeholder_type, email, phone, handle, \
    account_id, channel, touchpoint, stage, brand, store, team, region, action, reason, nps, \
    csat, ces, ratings, text, language, amount, currency, first_response_at_us, \
    resolved_at_us, properties";

/// The INSERT matching [`encode`]'s parameter order. Run once the record's
/// idempotency key is claimed (`keys.rs`).
pub(crate) const INSERT: &str = "INSERT INTO signals (seq, workspace_id, profile_id, \
    received_at_us, kind, source, external_id, occurred_at_us, occurred_offset_s, \
    stakeholder_type, email, phone, handle, account_id, channel, touchpoint, stage, brand, \
    store, team, region, action, reason, nps, csat, ces, ratings, text, language, amount, \
    currency, first_response_at_us, resolved_at_us, properties) VALUES (?1, ?2, ?3, ?4, ?5, \
    ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, \
    ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34)";

/// The parameters of [`INSERT`] for one signal, borrowing its strings (no copies on
/// the hot path). Empty ratings and properties are stored as NULL, which is most rows.
pub(crate) fn encode(
    s: &Signal,
    seq: SignalSeq,
    workspace: WorkspaceId,
    profile: ProfileId,
    received_at_us: i64,
) -> [ToSqlOutput<'_>; 34] {
    fn text(v: Option<&str>) -> ToSqlOutput<'_> {
        match v {
            Some(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            None => ToSqlOutput::Owned(SqlValue::Null),
        }
    }
    let owned_text =
        |v: Option<String>| ToSqlOutput::Owned(v.map_or(SqlValue::Null, SqlValue::Text));
    let int = |v: Option<i64>| ToSqlOutput::Owned(v.map_or(SqlValue::Null, SqlValue::Integer));
    let identity = |kind| text(identity_of(s, kind));
    let dim = |i: usize| text(s.dimensions()[i].as_deref());
    let ratings =
        (!s.ratings().is_empty()).then(|| serde_json::to_string(s.ratings()).unwrap_or_default());
    // The same text as `Value::Object(..).to_string()`, without copying the map first.
    let properties = (!s.properties().is_empty())
        .then(|| serde_json::to_string(s.properties()).unwrap_or_default());
    [
        int(Some(seq.0)),
        int(Some(workspace.0)),
        int(Some(profile.0)),
        int(Some(received_at_us)),
        text(Some(s.kind().as_str())),
        text(Some(s.source())),
        text(Some(s.external_id())),
        int(Some(s.occurred_at().timestamp_micros())),
        int(Some(i64::from(s.occurred_at().offset().local_minus_utc()))),
        text(Some(s.stakeholder_type().as_str())),
        identity(IdentityKind::Email),
        identity(IdentityKind::Phone),
        identity(IdentityKind::Handle),
        identity(IdentityKind::AccountId),
        dim(0),
        dim(1),
        dim(2),
        dim(3),
        dim(4),
        dim(5),
        dim(6),
        text(s.action().map(Action::as_str)),
        text(s.reason()),
        int(s.nps().map(i64::from)),
        int(s.csat().map(i64::from)),
        int(s.ces().map(i64::from)),
        owned_text(ratings),
        text(s.text()),
        text(s.language()),
        ToSqlOutput::Owned(s.amount().map_or(SqlValue::Null, SqlValue::Real)),
        text(s.currency()),
        int(s.first_response_at().map(|t| t.timestamp_micros())),
        int(s.resolved_at().map(|t| t.timestamp_micros())),
        owned_text(properties),
    ]
}

/// Runs [`INSERT`] with [`encode`]'s columns. Most columns of most signals are NULL:
/// the bindings are cleared (all NULL) in one call and only the others are bound,
/// instead of a call per NULL (a few percent of an import's writer thread).
pub(crate) fn insert(
    stmt: &mut rusqlite::Statement<'_>,
    columns: &[ToSqlOutput<'_>; 34],
) -> rusqlite::Result<()> {
    stmt.clear_bindings();
    for (i, value) in columns.iter().enumerate() {
        if !matches!(value, ToSqlOutput::Owned(SqlValue::Null)) {
            stmt.raw_bind_parameter(i + 1, value)?;
        }
    }
    stmt.raw_execute().map(drop)
}

/// The record's identity of one kind; a parsed record carries at most one of each.
pub(crate) fn identity_of(s: &Signal, kind: IdentityKind) -> Option<&str> {
    s.identities()
        .iter()
        .find(|i| i.kind == kind)
        .map(|i| i.value.as_str())
}

/// Reads one row selected with [`COLUMNS`].
pub(crate) fn decode(row: &Row<'_>) -> rusqlite::Result<StoredSignal> {
    let kind_text: String = row.get(4)?;
    let kind = SignalKind::parse(&kind_text).ok_or_else(|| corrupt(4, "kind", &kind_text))?;
    let stakeholder_text: String = row.get(9)?;
    let stakeholder_type = StakeholderType::parse(&stakeholder_text)
        .ok_or_else(|| corrupt(9, "stakeholder_type", &stakeholder_text))?;
    let offset_s: i32 = row.get(8)?;
    let offset = FixedOffset::east_opt(offset_s).ok_or_else(|| corrupt(8, "offset", ""))?;
    let time = |idx: usize| -> rusqlite::Result<Option<DateTime<FixedOffset>>> {
        let us: Option<i64> = row.get(idx)?;
        us.map(|us| {
            DateTime::from_timestamp_micros(us)
                .map(|t| t.with_timezone(&offset))
                .ok_or_else(|| corrupt(idx, "timestamp", &us.to_string()))
        })
        .transpose()
    };
    let mut identities = Vec::new();
    for (idx, kind) in [
        (10, IdentityKind::Email),
        (11, IdentityKind::Phone),
        (12, IdentityKind::Handle),
        (13, IdentityKind::AccountId),
    ] {
        if let Some(value) = row.get::<_, Option<String>>(idx)? {
            identities.push(Identity { kind, value });
        }
    }
    let mut dimensions: [Option<String>; 7] = Default::default();
    for (i, slot) in dimensions.iter_mut().enumerate() {
        *slot = row.get(14 + i)?;
    }
    let ratings_json: Option<String> = row.get(26)?;
    let ratings = match ratings_json {
        Some(json) => serde_json::from_str(&json).map_err(|_| corrupt(26, "ratings", &json))?,
        None => BTreeMap::new(),
    };
    let properties_json: Option<String> = row.get(33)?;
    let properties = match properties_json {
        Some(json) => serde_json::from_str(&json).map_err(|_| corrupt(33, "properties", &json))?,
        None => serde_json::Map::new(),
    };
    let action: Option<String> = row.get(21)?;
    let signal = Signal::from_stored(SignalParts {
        kind,
        source: row.get(5)?,
        external_id: row.get(6)?,
        occurred_at: time(7)?.ok_or_else(|| corrupt(7, "occurred_at", ""))?,
        stakeholder_type,
        identities,
        dimensions,
        action: action.map(|a| action_for(kind, a)),
        reason: row.get(22)?,
        nps: row.get(23)?,
        csat: row.get(24)?,
        ces: row.get(25)?,
        ratings,
        text: row.get(27)?,
        language: row.get(28)?,
        amount: row.get(29)?,
        currency: row.get(30)?,
        first_response_at: time(31)?,
        resolved_at: time(32)?,
        properties,
    });
    Ok(StoredSignal {
        seq: SignalSeq(row.get(0)?),
        workspace: WorkspaceId(row.get(1)?),
        profile: ProfileId(row.get(2)?),
        received_at_us: row.get(3)?,
        signal,
    })
}

/// The stored action name read back as the kind interprets it (as `Signal::parse` did).
fn action_for(kind: SignalKind, name: String) -> Action {
    let typed = match kind {
        SignalKind::Transaction => TransactionType::parse(&name).map(Action::Transaction),
        SignalKind::HrEvent => HrEventType::parse(&name).map(Action::Hr),
        _ => None,
    };
    typed.unwrap_or(Action::Event(name))
}

fn corrupt(idx: usize, what: &str, value: &str) -> rusqlite::Error {
    let message = format!("stored {what} {value:?} is not valid");
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, message.into())
}
