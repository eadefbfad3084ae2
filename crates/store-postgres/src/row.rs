//! The flat row form of a signal for PostgreSQL: a batch becomes one array per
//! column (inserted with a single `INSERT … SELECT FROM unnest(…)`), and a row
//! becomes a `StoredSignal` again.

use chrono::{DateTime, FixedOffset};
use std::collections::BTreeMap;
use throughline_domain::kind::{HrEventType, TransactionType};
use throughline_domain::{
    Action, Identity, IdentityKind, ProfileId, Signal, SignalKind, SignalParts, SignalSeq,
    StakeholderType, WorkspaceId,
};
use throughline_store::{StoreError, StoredSignal};
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

/// The columns every signal query selects, in the order [`decode`] reads them.
pub(crate) const COLUMNS: &str = "seq, workspace_id, profile_id, received_at_us, kind, source, \
    external_id, occurred_at_us, occurred_offset_s, stakeholder_type, email, phone, handle, \
    account_id, channel, touchpoint, stage, brand, store, team, region, action, reason, nps, \
    csat, ces, ratings::text, text, language, amount, currency, first_response_at_us, \
    resolved_at_us, properties::text";

/// Inserts every row of a [`Columns`] in one statement.
pub(crate) const INSERT: &str = "INSERT INTO signals (seq, workspace_id, profile_id, \
    received_at_us, kind, source, external_id, occurred_at_us, occurred_offset_s, \
    stakeholder_type, email, phone, handle, account_id, channel, touchpoint, stage, brand, \
    store, team, region, action, reason, nps, csat, ces, ratings, text, language, amount, \
    currency, first_response_at_us, resolved_at_us, properties) \
    SELECT seq, $2, profile_id, $3, kind, source, external_id, occurred_at_us, offset_s, \
    stakeholder_type, email, phone, handle, account_id, channel, touchpoint, stage, brand, \
    store, team, region, action, reason, nps, csat, ces, ratings::jsonb, text, language, \
    amount, currency, first_response_at_us, resolved_at_us, properties::jsonb \
    FROM unnest($1::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::bigint[], \
    $9::int[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], \
    $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], \
    $23::text[], $24::smallint[], $25::smallint[], $26::smallint[], $27::text[], $28::text[], \
    $29::text[], $30::float8[], $31::text[], $32::bigint[], $33::bigint[], $34::text[]) \
    AS u(seq, profile_id, kind, source, external_id, occurred_at_us, offset_s, \
    stakeholder_type, email, phone, handle, account_id, channel, touchpoint, stage, brand, \
    store, team, region, action, reason, nps, csat, ces, ratings, text, language, amount, \
    currency, first_response_at_us, resolved_at_us, properties)";

/// One array per column of the accepted signals of a batch.
#[derive(Default)]
pub(crate) struct Columns<'a> {
    seq: Vec<i64>,
    profile: Vec<i64>,
    kind: Vec<&'static str>,
    source: Vec<&'a str>,
    external_id: Vec<&'a str>,
    occurred_at_us: Vec<i64>,
    offset_s: Vec<i32>,
    stakeholder_type: Vec<&'static str>,
    identities: [Vec<Option<&'a str>>; 4],
    dimensions: [Vec<Option<&'a str>>; 7],
    action: Vec<Option<&'a str>>,
    reason: Vec<Option<&'a str>>,
    scores: [Vec<Option<i16>>; 3],
    ratings: Vec<Option<String>>,
    text: Vec<Option<&'a str>>,
    language: Vec<Option<&'a str>>,
    amount: Vec<Option<f64>>,
    currency: Vec<Option<&'a str>>,
    first_response_at_us: Vec<Option<i64>>,
    resolved_at_us: Vec<Option<i64>>,
    properties: Vec<Option<String>>,
}

const IDENTITY_KINDS: [IdentityKind; 4] = [
    IdentityKind::Email,
    IdentityKind::Phone,
    IdentityKind::Handle,
    IdentityKind::AccountId,
];

impl<'a> Columns<'a> {
    pub(crate) fn push(&mut self, s: &'a Signal, seq: SignalSeq, profile: ProfileId) {
        self.seq.push(seq.0);
        self.profile.push(profile.0);
        self.kind.push(s.kind().as_str());
        self.source.push(s.source());
        self.external_id.push(s.external_id());
        self.occurred_at_us.push(s.occurred_at().timestamp_micros());
        self.offset_s
            .push(s.occurred_at().offset().local_minus_utc());
        self.stakeholder_type.push(s.stakeholder_type().as_str());
        for (column, kind) in self.identities.iter_mut().zip(IDENTITY_KINDS) {
            column.push(
                s.identities()
                    .iter()
                    .find(|i| i.kind == kind)
                    .map(|i| i.value.as_str()),
            );
        }
        for (column, value) in self.dimensions.iter_mut().zip(s.dimensions()) {
            column.push(value.as_deref());
        }
        self.action.push(s.action().map(Action::as_str));
        self.reason.push(s.reason());
        for (column, score) in self.scores.iter_mut().zip([s.nps(), s.csat(), s.ces()]) {
            column.push(score.map(i16::from));
        }
        let ratings = (!s.ratings().is_empty()).then(|| serde_json::to_string(s.ratings()));
        self.ratings.push(ratings.and_then(Result::ok));
        self.text.push(s.text());
        self.language.push(s.language());
        self.amount.push(s.amount());
        self.currency.push(s.currency());
        self.first_response_at_us
            .push(s.first_response_at().map(|t| t.timestamp_micros()));
        self.resolved_at_us
            .push(s.resolved_at().map(|t| t.timestamp_micros()));
        let properties = (!s.properties().is_empty())
            .then(|| serde_json::Value::Object(s.properties().clone()).to_string());
        self.properties.push(properties);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.seq.is_empty()
    }

    /// The parameters of [`INSERT`]; `$2` and `$3` are the workspace and receipt time.
    pub(crate) fn params<'p>(
        &'p self,
        workspace: &'p i64,
        received_at_us: &'p i64,
    ) -> Vec<&'p (dyn ToSql + Sync)> {
        let [email, phone, handle, account] = &self.identities;
        let [channel, touchpoint, stage, brand, store, team, region] = &self.dimensions;
        let [nps, csat, ces] = &self.scores;
        vec![
            &self.seq,
            workspace,
            received_at_us,
            &self.profile,
            &self.kind,
            &self.source,
            &self.external_id,
            &self.occurred_at_us,
            &self.offset_s,
            &self.stakeholder_type,
            email,
            phone,
            handle,
            account,
            channel,
            touchpoint,
            stage,
            brand,
            store,
            team,
            region,
            &self.action,
            &self.reason,
            nps,
            csat,
            ces,
            &self.ratings,
            &self.text,
            &self.language,
            &self.amount,
            &self.currency,
            &self.first_response_at_us,
            &self.resolved_at_us,
            &self.properties,
        ]
    }
}

/// Reads one row selected with [`COLUMNS`].
pub(crate) fn decode(row: &Row) -> Result<StoredSignal, StoreError> {
    let backend = StoreError::backend;
    let kind_text: String = row.try_get(4).map_err(backend)?;
    let kind = SignalKind::parse(&kind_text).ok_or_else(|| corrupt("kind", &kind_text))?;
    let stakeholder_text: String = row.try_get(9).map_err(backend)?;
    let stakeholder_type = StakeholderType::parse(&stakeholder_text)
        .ok_or_else(|| corrupt("stakeholder_type", &stakeholder_text))?;
    let offset_s: i32 = row.try_get(8).map_err(backend)?;
    let offset = FixedOffset::east_opt(offset_s).ok_or_else(|| corrupt("offset", ""))?;
    let time = |idx: usize| -> Result<Option<DateTime<FixedOffset>>, StoreError> {
        let us: Option<i64> = row.try_get(idx).map_err(StoreError::backend)?;
        us.map(|us| {
            DateTime::from_timestamp_micros(us)
                .map(|t| t.with_timezone(&offset))
                .ok_or_else(|| corrupt("timestamp", &us.to_string()))
        })
        .transpose()
    };
    let mut identities = Vec::new();
    for (idx, kind) in (10..).zip(IDENTITY_KINDS) {
        if let Some(value) = row.try_get::<_, Option<String>>(idx).map_err(backend)? {
            identities.push(Identity { kind, value });
        }
    }
    let mut dimensions: [Option<String>; 7] = Default::default();
    for (i, slot) in dimensions.iter_mut().enumerate() {
        *slot = row.try_get(14 + i).map_err(backend)?;
    }
    let ratings = match row.try_get::<_, Option<String>>(26).map_err(backend)? {
        Some(json) => serde_json::from_str(&json).map_err(|_| corrupt("ratings", &json))?,
        None => BTreeMap::new(),
    };
    let properties = match row.try_get::<_, Option<String>>(33).map_err(backend)? {
        Some(json) => serde_json::from_str(&json).map_err(|_| corrupt("properties", &json))?,
        None => serde_json::Map::new(),
    };
    let score = |idx: usize| -> Result<Option<u8>, StoreError> {
        let v: Option<i16> = row.try_get(idx).map_err(StoreError::backend)?;
        v.map(|v| u8::try_from(v).map_err(|_| corrupt("score", &v.to_string())))
            .transpose()
    };
    let text = |idx: usize| -> Result<Option<String>, StoreError> {
        row.try_get(idx).map_err(StoreError::backend)
    };
    let action = text(21)?;
    let signal = Signal::from_stored(SignalParts {
        kind,
        source: row.try_get(5).map_err(backend)?,
        external_id: row.try_get(6).map_err(backend)?,
        occurred_at: time(7)?.ok_or_else(|| corrupt("occurred_at", ""))?,
        stakeholder_type,
        identities,
        dimensions,
        action: action.map(|a| action_for(kind, a)),
        reason: text(22)?,
        nps: score(23)?,
        csat: score(24)?,
        ces: score(25)?,
        ratings,
        text: text(27)?,
        language: text(28)?,
        amount: row.try_get(29).map_err(backend)?,
        currency: text(30)?,
        first_response_at: time(31)?,
        resolved_at: time(32)?,
        properties,
    });
    Ok(StoredSignal {
        seq: SignalSeq(row.try_get(0).map_err(backend)?),
        workspace: WorkspaceId(row.try_get(1).map_err(backend)?),
        profile: ProfileId(row.try_get(2).map_err(backend)?),
        received_at_us: row.try_get(3).map_err(backend)?,
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

fn corrupt(what: &str, value: &str) -> StoreError {
    let message = format!("stored {what} {value:?} is not valid");
    StoreError::Backend(message.into())
}
