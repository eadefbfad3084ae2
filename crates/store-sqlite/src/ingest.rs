//! Writing one batch: idempotency, identity resolution and the signal rows, all in
//! one `BEGIN IMMEDIATE` transaction, so a batch is written whole or not at all.

use rusqlite::{params, CachedStatement, OptionalExtension, Transaction};
use throughline_domain::resolve::{plan, Plan};
use throughline_domain::{Identity, IdentityPolicy, ProfileId, Signal, SignalSeq, WorkspaceId};
use throughline_store::{IngestOutcome, RecordOutcome, StoreError};

use crate::cache::{IdentityScope, ResolveCache};
use crate::keys::{Claim, GroupKeys};
use crate::row;

/// The statements one batch runs per record, prepared once per batch (and cached
/// by the connection across batches).
struct Statements<'t> {
    find_identity: CachedStatement<'t>,
    insert_profile: CachedStatement<'t>,
    insert_identity: CachedStatement<'t>,
    set_merged: CachedStatement<'t>,
    insert_merge: CachedStatement<'t>,
    insert_signal: CachedStatement<'t>,
    keys: GroupKeys<'t>,
}

impl<'t> Statements<'t> {
    fn prepare(tx: &'t Transaction<'_>, last_seq: i64) -> rusqlite::Result<Self> {
        Ok(Self {
            find_identity: tx.prepare_cached(
                "SELECT profile_id FROM identities WHERE workspace_id = ?1 \
                 AND stakeholder_type = ?2 AND kind = ?3 AND value = ?4",
            )?,
            insert_profile: tx.prepare_cached(
                "INSERT INTO profiles (id, workspace_id, stakeholder_type, created_at_us) \
                 VALUES (?1, ?2, ?3, ?4)",
            )?,
            insert_identity: tx.prepare_cached(
                "INSERT INTO identities (workspace_id, stakeholder_type, kind, value, profile_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            set_merged: tx.prepare_cached("UPDATE profiles SET merged_into = ?1 WHERE id = ?2")?,
            insert_merge: tx.prepare_cached(
                "INSERT INTO merges (workspace_id, survivor, absorbed, identity_kind, \
                 identity_value, signal_seq, merged_at_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?,
            insert_signal: tx.prepare_cached(row::INSERT)?,
            keys: GroupKeys::prepare(tx, last_seq)?,
        })
    }
}

/// One caller's batch: the workspace it is for, its signals and identity policy.
pub(crate) type Request<'a> = (WorkspaceId, &'a [Signal], &'a IdentityPolicy);

/// What a group write answers: one outcome per request, in order.
pub(crate) type GroupOutcome = Vec<Result<IngestOutcome, StoreError>>;

/// Writes `batch` in one transaction. On any error the transaction rolls back and
/// the cache forgets what the batch taught it.
pub(crate) fn ingest(
    conn: &mut rusqlite::Connection,
    cache: &mut ResolveCache,
    workspace: WorkspaceId,
    batch: &[Signal],
    policy: &IdentityPolicy,
) -> Result<IngestOutcome, StoreError> {
    let mut outcomes = ingest_group(conn, cache, &[(workspace, batch, policy)])?;
    outcomes
        .pop()
        .unwrap_or_else(|| Err(StoreError::backend(NoOutcome)))
}

/// Writes several callers' batches in one transaction (group commit): one commit,
/// and each index page written once, for all of them. A request for an unknown
/// workspace gets `NotFound` without failing the others; any other error rolls the
/// whole group back (the caller then retries each request on its own).
pub(crate) fn ingest_group(
    conn: &mut rusqlite::Connection,
    cache: &mut ResolveCache,
    requests: &[Request<'_>],
) -> Result<GroupOutcome, StoreError> {
    let result = write_group(conn, cache, requests);
    if result.is_err() {
        // Best effort: if even this fails, the next batch's sync reloads the pointers,
        // and the owners map is empty either way.
        let _ = cache.reset(conn);
    }
    result
}

fn write_group(
    conn: &mut rusqlite::Connection,
    cache: &mut ResolveCache,
    requests: &[Request<'_>],
) -> Result<GroupOutcome, StoreError> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(StoreError::backend)?;
    cache.sync(&tx).map_err(StoreError::backend)?;
    // Seqs and profile ids are handed out here, under the write lock, so seq order is
    // commit order. A seq is never reused: feed_state remembers the last one given.
    let (last_seq, last_profile): (i64, i64) = tx
        .query_row(
            "SELECT max((SELECT last_seq FROM feed_state), coalesce((SELECT max(seq) FROM signals), 0)), \
                    coalesce((SELECT max(id) FROM profiles), 0)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(StoreError::backend)?;
    cache
        .keys
        .catch_up(&tx, last_seq)
        .map_err(StoreError::backend)?;
    let mut writer = BatchWriter {
        st: Statements::prepare(&tx, last_seq).map_err(StoreError::backend)?,
        cache,
        workspace: WorkspaceId(0),
        now: crate::now_us(),
        next_seq: last_seq + 1,
        next_profile: last_profile + 1,
        listed: Vec::new(),
    };
    let mut outcomes = Vec::with_capacity(requests.len());
    for &(workspace, batch, policy) in requests {
        if !workspace_exists(&tx, workspace).map_err(StoreError::backend)? {
            outcomes.push(Err(StoreError::NotFound(format!("workspace {workspace}"))));
            continue;
        }
        writer.workspace = workspace;
        let mut outcome = IngestOutcome {
            records: Vec::with_capacity(batch.len()),
            ..Default::default()
        };
        for signal in batch {
            let record = writer
                .record(signal, policy, &mut outcome)
                .map_err(StoreError::backend)?;
            outcome.records.push(record);
        }
        outcomes.push(Ok(outcome));
    }
    let last_seq = writer.next_seq - 1;
    writer.st.keys.write(&tx).map_err(StoreError::backend)?;
    writer.list_profiles(&tx).map_err(StoreError::backend)?;
    drop(writer);
    tx.execute("UPDATE feed_state SET last_seq = ?1", [last_seq])
        .map_err(StoreError::backend)?;
    tx.commit().map_err(StoreError::backend)?;
    cache.keys.committed(last_seq);
    Ok(outcomes)
}

fn workspace_exists(tx: &Transaction<'_>, workspace: WorkspaceId) -> rusqlite::Result<bool> {
    let known: Option<i64> = tx
        .prepare_cached("SELECT 1 FROM workspaces WHERE id = ?1")?
        .query_row([workspace.0], |r| r.get(0))
        .optional()?;
    Ok(known.is_some())
}

/// A group write answered nothing for a request: a bug, reported as an error.
#[derive(Debug)]
pub(crate) struct NoOutcome;

impl std::fmt::Display for NoOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the write returned no outcome")
    }
}

impl std::error::Error for NoOutcome {}

struct BatchWriter<'t, 'c> {
    st: Statements<'t>,
    cache: &'c mut ResolveCache,
    workspace: WorkspaceId,
    now: i64,
    next_seq: i64,
    next_profile: i64,
    /// [bucket, profile, seq] of every signal stored in this group.
    listed: Vec<[i64; 3]>,
}

impl BatchWriter<'_, '_> {
    fn record(
        &mut self,
        s: &Signal,
        policy: &IdentityPolicy,
        outcome: &mut IngestOutcome,
    ) -> rusqlite::Result<RecordOutcome> {
        let ws = self.workspace.0;
        let mut known = Vec::with_capacity(s.identities().len());
        for identity in s.identities() {
            if let Some(owner) = self.owner(s, identity)? {
                known.push((identity.clone(), self.cache.canonical(owner)));
            }
        }
        let plan = plan(s.identities(), &known, policy);
        let profile = plan
            .existing_profile()
            .unwrap_or(ProfileId(self.next_profile));
        // The key goes first: if it is already stored (earlier, or earlier in this
        // batch) nothing is inserted and the plan is dropped unexecuted.
        let seq = SignalSeq(self.next_seq);
        let claim = self.st.keys.claim(
            &mut self.cache.keys,
            self.workspace,
            s.source(),
            s.external_id(),
            seq.0,
        )?;
        if claim == Claim::Duplicate {
            outcome.duplicates += 1;
            return Ok(RecordOutcome::Duplicate);
        }
        let columns = row::encode(s, seq, self.workspace, profile, self.now);
        row::insert(&mut self.st.insert_signal, &columns)?;
        self.listed
            .push([crate::buckets::bucket(seq.0), profile.0, seq.0]);
        self.next_seq += 1;
        let (add, absorbed) = match plan {
            Plan::Create { identities } => {
                self.next_profile += 1;
                let stakeholder = s.stakeholder_type().as_str();
                self.st
                    .insert_profile
                    .execute(params![profile.0, ws, stakeholder, self.now])?;
                (identities, Vec::new())
            }
            Plan::Attach { add, .. } => (add, Vec::new()),
            Plan::Merge { absorbed, add, .. } => (add, absorbed),
        };
        for identity in add {
            self.st.insert_identity.execute(params![
                ws,
                s.stakeholder_type().as_str(),
                identity.kind.as_str(),
                identity.value,
                profile.0
            ])?;
            let scope = (self.workspace, s.stakeholder_type(), identity.kind);
            self.cache.remember_owner(scope, identity.value, profile);
        }
        for (absorbed, identity) in &absorbed {
            self.st.set_merged.execute(params![profile.0, absorbed.0])?;
            self.st.insert_merge.execute(params![
                ws,
                profile.0,
                absorbed.0,
                identity.kind.as_str(),
                identity.value,
                seq.0,
                self.now
            ])?;
            self.cache.link(*absorbed, profile);
            outcome.merges += 1;
        }
        outcome.accepted += 1;
        Ok(RecordOutcome::Accepted { seq, profile })
    }

    /// Adds the group's signals to their profiles' lists in one sorted pass (see
    /// migrations 3 and 5), from memory rather than reading the new rows back.
    fn list_profiles(&mut self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        self.listed.sort_unstable();
        let mut insert = tx.prepare_cached(
            "INSERT INTO profile_signals (bucket, profile_id, seq) VALUES (?1, ?2, ?3)",
        )?;
        for row in &self.listed {
            insert.execute(*row)?;
        }
        Ok(())
    }

    /// The profile that owns `identity` (not yet canonical), from memory or the index.
    fn owner(&mut self, s: &Signal, identity: &Identity) -> rusqlite::Result<Option<ProfileId>> {
        let scope: IdentityScope = (self.workspace, s.stakeholder_type(), identity.kind);
        if let Some(owner) = self.cache.owner(&scope, &identity.value) {
            return Ok(Some(owner));
        }
        let found: Option<i64> = self
            .st
            .find_identity
            .query_row(
                params![
                    self.workspace.0,
                    s.stakeholder_type().as_str(),
                    identity.kind.as_str(),
                    identity.value
                ],
                |r| r.get(0),
            )
            .optional()?;
        let found = found.map(ProfileId);
        if let Some(owner) = found {
            self.cache
                .remember_owner(scope, identity.value.clone(), owner);
        }
        Ok(found)
    }
}
