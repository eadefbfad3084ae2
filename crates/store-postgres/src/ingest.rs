//! Writing one batch in one transaction with a handful of statements, whatever its
//! size: read everything the batch needs (known keys, identity owners, merge
//! pointers), resolve every record in memory, then write each table with one
//! `INSERT … SELECT FROM unnest(…)`.
//!
//! Every ingest transaction first takes `pg_advisory_xact_lock(INGEST_LOCK)`, so
//! ingests run one at a time. That is what makes `seq` order equal commit order:
//! were two batches to interleave, the one holding the larger seqs could commit
//! first, a reader of `signals_after` would move past them, and the smaller seqs
//! committed a moment later would never be read. The lock also makes the
//! in-memory resolution safe (no one else creates identities or merges meanwhile)
//! and lets the store hand out profile ids and seqs itself. Reads take no lock.

use rustc_hash::{FxHashMap, FxHashSet};
use throughline_domain::resolve::{plan, Plan};
use throughline_domain::{
    Identity, IdentityKind, IdentityPolicy, ProfileId, Signal, SignalSeq, StakeholderType,
    WorkspaceId,
};
use throughline_store::{IngestOutcome, RecordOutcome, StoreError};
use tokio_postgres::Transaction;

use crate::row::{self, Columns};

/// The advisory lock key every ingest (and unmerge) transaction holds: "thrlngst".
pub(crate) const INGEST_LOCK: i64 = 0x7468_726c_6e67_7374;

type Key = (&'static str, &'static str, String);

pub(crate) async fn ingest(
    tx: &Transaction<'_>,
    workspace: WorkspaceId,
    batch: &[Signal],
    policy: &IdentityPolicy,
) -> Result<IngestOutcome, StoreError> {
    let backend = StoreError::backend;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&INGEST_LOCK])
        .await
        .map_err(backend)?;
    let ws = workspace.0;
    let state = tx
        .query_opt(
            "SELECT (SELECT last_seq FROM feed_state), \
                    (SELECT coalesce(max(id), 0) FROM profiles) \
             FROM workspaces WHERE id = $1",
            &[&ws],
        )
        .await
        .map_err(backend)?
        .ok_or_else(|| StoreError::NotFound(format!("workspace {workspace}")))?;
    let (last_seq, last_profile): (i64, i64) = (state.get(0), state.get(1));

    // 1. Which keys are already stored.
    let sources: Vec<&str> = batch.iter().map(|s| s.source()).collect();
    let external: Vec<&str> = batch.iter().map(|s| s.external_id()).collect();
    let stored = tx
        .query(
            "SELECT s.source, s.external_id FROM signals s \
             JOIN unnest($2::text[], $3::text[]) AS u(source, external_id) \
               ON s.source = u.source AND s.external_id = u.external_id \
             WHERE s.workspace_id = $1",
            &[&ws, &sources, &external],
        )
        .await
        .map_err(backend)?;
    let mut seen: FxHashSet<(String, String)> =
        stored.iter().map(|r| (r.get(0), r.get(1))).collect();

    // 2. Who owns each identity the batch names, and 3. where those owners live now.
    let mut owners = owners(tx, ws, batch).await?;
    let mut links = links(tx, owners.values().copied().collect()).await?;

    // 4. Resolve in memory, record by record, exactly as the trait describes.
    let now = crate::now_us();
    let mut out = Writes::default();
    let mut outcome = IngestOutcome {
        records: Vec::with_capacity(batch.len()),
        ..Default::default()
    };
    let (mut next_seq, mut next_profile) = (last_seq + 1, last_profile + 1);
    for s in batch {
        if !seen.insert((s.source().to_owned(), s.external_id().to_owned())) {
            outcome.duplicates += 1;
            outcome.records.push(RecordOutcome::Duplicate);
            continue;
        }
        let stakeholder = s.stakeholder_type().as_str();
        let known: Vec<(Identity, ProfileId)> = s
            .identities()
            .iter()
            .filter_map(|i| {
                let owner = owners.get(&(stakeholder, i.kind.as_str(), i.value.clone()))?;
                Some((i.clone(), canonical(&links, *owner)))
            })
            .collect();
        let seq = SignalSeq(next_seq);
        next_seq += 1;
        let (profile, add, absorbed) = match plan(s.identities(), &known, policy) {
            Plan::Create { identities } => {
                let id = ProfileId(next_profile);
                next_profile += 1;
                out.profiles.push(id.0);
                out.profile_types.push(stakeholder);
                (id, identities, Vec::new())
            }
            Plan::Attach { profile, add } => (profile, add, Vec::new()),
            Plan::Merge {
                survivor,
                absorbed,
                add,
            } => (survivor, add, absorbed),
        };
        for identity in add {
            out.identity_types.push(stakeholder);
            out.identity_kinds.push(identity.kind.as_str());
            out.identity_values.push(identity.value.clone());
            out.identity_owners.push(profile.0);
            owners.insert(
                (stakeholder, identity.kind.as_str(), identity.value),
                profile,
            );
        }
        for (gone, identity) in absorbed {
            links.insert(gone, profile);
            out.merge_survivors.push(profile.0);
            out.merge_absorbed.push(gone.0);
            out.merge_kinds.push(identity.kind.as_str());
            out.merge_values.push(identity.value);
            out.merge_seqs.push(seq.0);
            outcome.merges += 1;
        }
        out.signals.push(s, seq, profile);
        outcome.accepted += 1;
        outcome
            .records
            .push(RecordOutcome::Accepted { seq, profile });
    }

    // 5. Write each table once.
    out.write(tx, ws, now).await?;
    if !out.signals.is_empty() {
        tx.execute("UPDATE feed_state SET last_seq = $1", &[&(next_seq - 1)])
            .await
            .map_err(backend)?;
    }
    Ok(outcome)
}

/// The owner of every identity the batch names, in one query.
async fn owners(
    tx: &Transaction<'_>,
    ws: i64,
    batch: &[Signal],
) -> Result<FxHashMap<Key, ProfileId>, StoreError> {
    let mut wanted: FxHashSet<(&'static str, &'static str, &str)> = FxHashSet::default();
    for s in batch {
        for i in s.identities() {
            wanted.insert((
                s.stakeholder_type().as_str(),
                i.kind.as_str(),
                i.value.as_str(),
            ));
        }
    }
    let types: Vec<&str> = wanted.iter().map(|w| w.0).collect();
    let kinds: Vec<&str> = wanted.iter().map(|w| w.1).collect();
    let values: Vec<&str> = wanted.iter().map(|w| w.2).collect();
    let rows = tx
        .query(
            "SELECT i.stakeholder_type, i.kind, i.value, i.profile_id FROM identities i \
             JOIN unnest($2::text[], $3::text[], $4::text[]) AS u(t, k, v) \
               ON i.stakeholder_type = u.t AND i.kind = u.k AND i.value = u.v \
             WHERE i.workspace_id = $1",
            &[&ws, &types, &kinds, &values],
        )
        .await
        .map_err(StoreError::backend)?;
    let mut owners = FxHashMap::default();
    for row in rows {
        // Map the stored names back onto the static names the batch uses.
        let t = StakeholderType::parse(row.get(0)).map(StakeholderType::as_str);
        let k = IdentityKind::parse(row.get(1)).map(IdentityKind::as_str);
        if let (Some(t), Some(k)) = (t, k) {
            owners.insert((t, k, row.get(2)), ProfileId(row.get(3)));
        }
    }
    Ok(owners)
}

/// The merge pointers on the way up from `profiles` to their roots.
async fn links(
    tx: &Transaction<'_>,
    profiles: Vec<ProfileId>,
) -> Result<FxHashMap<ProfileId, ProfileId>, StoreError> {
    let ids: Vec<i64> = profiles.iter().map(|p| p.0).collect();
    let rows = tx
        .query(
            "WITH RECURSIVE up(id, next) AS ( \
                 SELECT id, merged_into FROM profiles WHERE id = ANY($1) AND merged_into IS NOT NULL \
                 UNION SELECT p.id, p.merged_into FROM profiles p JOIN up ON p.id = up.next \
                 WHERE p.merged_into IS NOT NULL) \
             SELECT id, next FROM up",
            &[&ids],
        )
        .await
        .map_err(StoreError::backend)?;
    Ok(rows
        .iter()
        .map(|r| (ProfileId(r.get(0)), ProfileId(r.get(1))))
        .collect())
}

fn canonical(links: &FxHashMap<ProfileId, ProfileId>, profile: ProfileId) -> ProfileId {
    let mut current = profile;
    // Bounded: chains are short, and a corrupt cycle must not hang ingest.
    for _ in 0..=links.len() {
        match links.get(&current) {
            Some(next) => current = *next,
            None => break,
        }
    }
    current
}

/// Everything a batch writes, one array per column.
#[derive(Default)]
struct Writes<'a> {
    profiles: Vec<i64>,
    profile_types: Vec<&'static str>,
    identity_types: Vec<&'static str>,
    identity_kinds: Vec<&'static str>,
    identity_values: Vec<String>,
    identity_owners: Vec<i64>,
    merge_survivors: Vec<i64>,
    merge_absorbed: Vec<i64>,
    merge_kinds: Vec<&'static str>,
    merge_values: Vec<String>,
    merge_seqs: Vec<i64>,
    signals: Columns<'a>,
}

impl Writes<'_> {
    async fn write(&self, tx: &Transaction<'_>, ws: i64, now: i64) -> Result<(), StoreError> {
        let backend = StoreError::backend;
        if !self.profiles.is_empty() {
            tx.execute(
                "INSERT INTO profiles (id, workspace_id, stakeholder_type, created_at_us) \
                 SELECT id, $2, t, $3 FROM unnest($1::bigint[], $4::text[]) AS u(id, t)",
                &[&self.profiles, &ws, &now, &self.profile_types],
            )
            .await
            .map_err(backend)?;
        }
        if !self.identity_values.is_empty() {
            tx.execute(
                "INSERT INTO identities (workspace_id, stakeholder_type, kind, value, profile_id) \
                 SELECT $1, t, k, v, p FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[]) \
                 AS u(t, k, v, p)",
                &[&ws, &self.identity_types, &self.identity_kinds, &self.identity_values, &self.identity_owners],
            )
            .await
            .map_err(backend)?;
        }
        if !self.merge_absorbed.is_empty() {
            tx.execute(
                "UPDATE profiles SET merged_into = u.s FROM unnest($1::bigint[], $2::bigint[]) \
                 AS u(a, s) WHERE profiles.id = u.a",
                &[&self.merge_absorbed, &self.merge_survivors],
            )
            .await
            .map_err(backend)?;
            tx.execute(
                "INSERT INTO merges (workspace_id, survivor, absorbed, identity_kind, \
                 identity_value, signal_seq, merged_at_us) \
                 SELECT $1, s, a, k, v, q, $2 FROM unnest($3::bigint[], $4::bigint[], $5::text[], \
                 $6::text[], $7::bigint[]) WITH ORDINALITY AS u(s, a, k, v, q, n) ORDER BY n",
                &[
                    &ws,
                    &now,
                    &self.merge_survivors,
                    &self.merge_absorbed,
                    &self.merge_kinds,
                    &self.merge_values,
                    &self.merge_seqs,
                ],
            )
            .await
            .map_err(backend)?;
        }
        if !self.signals.is_empty() {
            let params = self.signals.params(&ws, &now);
            tx.execute(row::INSERT, &params).await.map_err(backend)?;
        }
        Ok(())
    }
}
