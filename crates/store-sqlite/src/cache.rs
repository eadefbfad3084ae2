//! The writer's memory of who is who: identity → owning profile, and the
//! `merged_into` pointers, so resolving a record rarely touches the disk; and
//! which idempotency keys are stored (`keys.rs`).
//!
//! Both are safe to keep because of how the schema changes: an identity row is
//! never updated or deleted (merges are pointers), so a cached owner stays true
//! forever; only pointers change, and they are few, so all of them are held and
//! reloaded whenever another connection has committed (`PRAGMA data_version`).

use rusqlite::Connection;
use rustc_hash::FxHashMap as HashMap;
use throughline_domain::{IdentityKind, ProfileId, StakeholderType, WorkspaceId};

use crate::keys::KeyFilter;

/// Beyond this many cached identities the cache starts over: a bound on memory,
/// not on correctness (a miss falls back to the index).
const MAX_IDENTITIES: usize = 2_000_000;

/// Merge chains are short; a longer walk means a cycle, which would be a bug.
const MAX_CHAIN: usize = 10_000;

/// What an identity's value is scoped by; the value itself is the inner map's key,
/// so a lookup borrows the record's `&str` instead of building an owned key.
pub(crate) type IdentityScope = (WorkspaceId, StakeholderType, IdentityKind);

pub(crate) struct ResolveCache {
    owners: HashMap<IdentityScope, HashMap<String, ProfileId>>,
    /// Identities held in `owners`, over all scopes.
    owner_count: usize,
    /// profile → the profile it was merged into, for every currently merged profile.
    links: HashMap<ProfileId, ProfileId>,
    /// `PRAGMA data_version` when the links were last known to be complete.
    data_version: i64,
    /// Which idempotency keys are stored (a Bloom filter, see `keys.rs`).
    pub(crate) keys: KeyFilter,
}

impl ResolveCache {
    pub(crate) fn load(conn: &Connection) -> rusqlite::Result<Self> {
        let mut cache = Self {
            owners: HashMap::default(),
            owner_count: 0,
            links: HashMap::default(),
            data_version: 0,
            keys: KeyFilter::default(),
        };
        cache.reload_links(conn)?;
        Ok(cache)
    }

    /// Called inside each write transaction, before resolving: picks up merges and
    /// unmerges committed by another connection (another process on the same file).
    pub(crate) fn sync(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        let version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        if version != self.data_version {
            self.reload_links(conn)?;
        }
        Ok(())
    }

    /// Forgets everything a failed (rolled back) batch may have taught the cache.
    pub(crate) fn reset(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        self.owners.clear();
        self.owner_count = 0;
        self.reload_links(conn)
    }

    fn reload_links(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        self.data_version = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let mut stmt =
            conn.prepare("SELECT id, merged_into FROM profiles WHERE merged_into IS NOT NULL")?;
        let rows = stmt.query_map([], |r| Ok((ProfileId(r.get(0)?), ProfileId(r.get(1)?))))?;
        self.links = rows.collect::<rusqlite::Result<_>>()?;
        Ok(())
    }

    pub(crate) fn owner(&self, scope: &IdentityScope, value: &str) -> Option<ProfileId> {
        self.owners.get(scope)?.get(value).copied()
    }

    pub(crate) fn remember_owner(
        &mut self,
        scope: IdentityScope,
        value: String,
        profile: ProfileId,
    ) {
        if self.owner_count >= MAX_IDENTITIES {
            self.owners.clear();
            self.owner_count = 0;
        }
        if self
            .owners
            .entry(scope)
            .or_default()
            .insert(value, profile)
            .is_none()
        {
            self.owner_count += 1;
        }
    }

    /// The root of `profile`'s merge chain.
    pub(crate) fn canonical(&self, profile: ProfileId) -> ProfileId {
        let mut current = profile;
        for _ in 0..MAX_CHAIN {
            match self.links.get(&current) {
                Some(next) => current = *next,
                None => return current,
            }
        }
        current
    }

    pub(crate) fn link(&mut self, absorbed: ProfileId, survivor: ProfileId) {
        self.links.insert(absorbed, survivor);
    }

    pub(crate) fn unlink(&mut self, absorbed: ProfileId) {
        self.links.remove(&absorbed);
    }
}
