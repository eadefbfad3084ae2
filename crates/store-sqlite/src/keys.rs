//! Idempotency keys: a signal is stored once per (workspace, source, external id).
//! The key is kept as a 64-bit hash in `signal_keys` (see migration 4 for why);
//! a hash that is already taken is checked against the stored signal, and a
//! different key under a taken hash is kept whole in `signal_key_collisions`.
//! The writer remembers the stored hashes in a Bloom filter, and a group of
//! batches adds its keys in one sorted pass at the end.

use rusqlite::{params, CachedStatement, OptionalExtension, Transaction};
use rustc_hash::FxHashMap;
use throughline_domain::WorkspaceId;
use twox_hash::XxHash64;

use crate::bloom::Bloom;
use crate::buckets::bucket;

/// The hash of a key. Stored, so it must never change: XXH64 (a published,
/// versioned algorithm) with seed 0 over the workspace id (8 bytes, little-endian),
/// the source's length (4 bytes, little-endian), the source and the external id.
/// The length keeps ("ab", "c") and ("a", "bc") apart.
pub(crate) fn key_hash(workspace: WorkspaceId, source: &str, external_id: &str) -> i64 {
    let mut hasher = XxHash64::with_seed(0);
    std::hash::Hasher::write(&mut hasher, &workspace.0.to_le_bytes());
    std::hash::Hasher::write(&mut hasher, &(source.len() as u32).to_le_bytes());
    std::hash::Hasher::write(&mut hasher, source.as_bytes());
    std::hash::Hasher::write(&mut hasher, external_id.as_bytes());
    std::hash::Hasher::finish(&hasher) as i64
}

/// The writer's memory of which key hashes are stored: one Bloom filter per seq
/// bucket, over that bucket's part of `signal_keys`, complete up to `covered_seq`.
/// Most records bring new keys, and a "certainly absent" answer spares a search of
/// the key B-tree; a key that may be stored is searched for only in the buckets
/// whose filter may hold it. A bucket holds at most 2^`BUCKET_BITS` keys, so each
/// filter is sized once, exactly, and never rebuilt.
#[derive(Default)]
pub(crate) struct KeyFilter {
    /// Indexed by bucket; `None` until built from `signal_keys`.
    buckets: Option<Vec<Bloom>>,
    /// Every key of a signal with a seq up to this one is in the filter.
    covered_seq: i64,
}

impl KeyFilter {
    /// Brings the filter up to `last_seq` inside a write transaction: built from
    /// `signal_keys` the first time, else extended with the keys of signals another
    /// connection has committed since.
    pub fn catch_up(&mut self, tx: &Transaction<'_>, last_seq: i64) -> rusqlite::Result<()> {
        match &mut self.buckets {
            Some(filters) => {
                if last_seq > self.covered_seq {
                    let mut rows = tx.prepare_cached(
                        "SELECT workspace_id, source, external_id, seq FROM signals WHERE seq > ?1",
                    )?;
                    let mut rows = rows.query([self.covered_seq])?;
                    while let Some(r) = rows.next()? {
                        let (source, external_id): (String, String) = (r.get(1)?, r.get(2)?);
                        let key = key_hash(WorkspaceId(r.get(0)?), &source, &external_id);
                        filter_of(filters, r.get(3)?).insert(key);
                    }
                }
            }
            None => {
                let mut filters = Vec::new();
                let mut rows = tx.prepare("SELECT key, seq FROM signal_keys")?;
                let mut rows = rows.query([])?;
                while let Some(r) = rows.next()? {
                    filter_of(&mut filters, r.get(1)?).insert(r.get(0)?);
                }
                self.buckets = Some(filters);
            }
        }
        self.covered_seq = last_seq;
        Ok(())
    }

    /// Call after the group that claimed keys up to `last_seq` committed.
    pub fn committed(&mut self, last_seq: i64) {
        self.covered_seq = last_seq;
    }

    /// Whether `bucket`'s part of `signal_keys` may hold `key` (always, unbuilt).
    fn may_hold(&self, bucket: i64, key: i64) -> bool {
        let Some(filters) = &self.buckets else {
            return true;
        };
        usize::try_from(bucket)
            .ok()
            .and_then(|b| filters.get(b))
            .is_some_and(|filter| filter.may_contain(key))
    }

    /// Records `key` as stored for the signal `seq`.
    fn insert(&mut self, key: i64, seq: i64) {
        if let Some(filters) = &mut self.buckets {
            filter_of(filters, seq).insert(key);
        }
    }
}

/// The filter of `seq`'s bucket, added (with any missing before it) if new. Seqs
/// start at 1 and are handed out in order, so the vector grows one bucket at a time.
fn filter_of(filters: &mut Vec<Bloom>, seq: i64) -> &mut Bloom {
    let index = usize::try_from(bucket(seq)).unwrap_or(0);
    while filters.len() <= index {
        filters.push(Bloom::with_capacity(1 << crate::buckets::BUCKET_BITS));
    }
    &mut filters[index]
}

/// What a claim found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claim {
    /// The key was free: store the signal under the seq given.
    New,
    /// A signal is already stored (or is being stored in this group) under the key.
    Duplicate,
}

/// One group's claims: the new keys it took, written to `signal_keys` in
/// (bucket, key) order by [`GroupKeys::write`] (a sorted pass over the newest
/// bucket instead of a random insert per record), and the statements for the rare
/// record whose hash is taken.
pub(crate) struct GroupKeys<'t> {
    /// key → seq of the signal that claimed it in this group.
    claimed: FxHashMap<i64, i64>,
    /// The newest bucket holding stored keys: lookups search 0 through it.
    last_bucket: i64,
    lookup: CachedStatement<'t>,
    holder: CachedStatement<'t>,
    claim_exact: CachedStatement<'t>,
}

impl<'t> GroupKeys<'t> {
    /// `last_seq`: the highest seq stored before this group.
    pub fn prepare(tx: &'t Transaction<'_>, last_seq: i64) -> rusqlite::Result<Self> {
        Ok(Self {
            claimed: FxHashMap::default(),
            last_bucket: bucket(last_seq),
            lookup: tx
                .prepare_cached("SELECT seq FROM signal_keys WHERE bucket = ?1 AND key = ?2")?,
            holder: tx.prepare_cached(
                "SELECT workspace_id = ?2 AND source = ?3 AND external_id = ?4 \
                 FROM signals WHERE seq = ?1",
            )?,
            claim_exact: tx.prepare_cached(
                "INSERT INTO signal_key_collisions (workspace_id, source, external_id, seq) \
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            )?,
        })
    }

    /// Claims (workspace, source, external id) for the signal about to be stored as `seq`.
    pub fn claim(
        &mut self,
        filter: &mut KeyFilter,
        workspace: WorkspaceId,
        source: &str,
        external_id: &str,
        seq: i64,
    ) -> rusqlite::Result<Claim> {
        let key = key_hash(workspace, source, external_id);
        let holder = match self.claimed.get(&key) {
            Some(&holder) => Some(holder),
            None => self.stored_holder(filter, key)?,
        };
        let Some(holder) = holder else {
            self.claimed.insert(key, seq);
            filter.insert(key, seq);
            return Ok(Claim::New);
        };
        // The hash is taken: by this very key (a duplicate), or by another one.
        let same: bool = self
            .holder
            .query_row(params![holder, workspace.0, source, external_id], |r| {
                r.get(0)
            })?;
        let exact_new = !same
            && self
                .claim_exact
                .execute(params![workspace.0, source, external_id, seq])?
                == 1;
        Ok(if exact_new {
            Claim::New
        } else {
            Claim::Duplicate
        })
    }

    /// The seq holding `key` in `signal_keys`, searching the buckets whose filter may
    /// hold it, newest first (a re-sent signal is most often a recent one), with one
    /// primary-key search each.
    fn stored_holder(&mut self, filter: &KeyFilter, key: i64) -> rusqlite::Result<Option<i64>> {
        let candidates = (0..=self.last_bucket).rev();
        for bucket in candidates.filter(|&b| filter.may_hold(b, key)) {
            let found = self
                .lookup
                .query_row([bucket, key], |r| r.get(0))
                .optional()?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// Writes the group's new keys, in (bucket, key) order.
    pub fn write(&mut self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        let mut keys: Vec<[i64; 3]> = self
            .claimed
            .drain()
            .map(|(key, seq)| [bucket(seq), key, seq])
            .collect();
        keys.sort_unstable();
        let mut insert =
            tx.prepare_cached("INSERT INTO signal_keys (bucket, key, seq) VALUES (?1, ?2, ?3)")?;
        for row in keys {
            insert.execute(row)?;
        }
        Ok(())
    }
}

/// Fills `signal_keys` (and `signal_key_collisions`) from the signals already
/// stored: the Rust half of migration 4, in its transaction. Keys were unique
/// under the old constraint; of several sharing a hash, the first stored holds it.
pub(crate) fn backfill(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let mut keys = Vec::new();
    let mut rows = tx.prepare("SELECT seq, workspace_id, source, external_id FROM signals")?;
    let mut rows = rows.query([])?;
    while let Some(r) = rows.next()? {
        let (seq, ws): (i64, i64) = (r.get(0)?, r.get(1)?);
        let (source, external_id): (String, String) = (r.get(2)?, r.get(3)?);
        keys.push((key_hash(WorkspaceId(ws), &source, &external_id), seq));
    }
    keys.sort_unstable();
    let mut insert = tx.prepare("INSERT INTO signal_keys (key, seq) VALUES (?1, ?2)")?;
    let mut collide = tx.prepare(
        "INSERT INTO signal_key_collisions SELECT workspace_id, source, external_id, seq \
         FROM signals WHERE seq = ?1",
    )?;
    for (i, (key, seq)) in keys.iter().enumerate() {
        if i > 0 && keys[i - 1].0 == *key {
            collide.execute([seq])?;
        } else {
            insert.execute([key, seq])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_xxh64_of_the_documented_bytes() {
        // Stored hashes must never change: pinned against the bytes hashed by hand
        // (workspace 7, source "crm" of length 3, external id "t-1").
        let mut bytes = 7i64.to_le_bytes().to_vec();
        bytes.extend(3u32.to_le_bytes());
        bytes.extend(b"crmt-1");
        assert_eq!(
            key_hash(WorkspaceId(7), "crm", "t-1"),
            XxHash64::oneshot(0, &bytes) as i64
        );
        // XXH64's published test vector: the empty input with seed 0.
        assert_eq!(XxHash64::oneshot(0, b""), 0xef46_db37_51d8_e999);
    }

    #[test]
    fn the_source_length_keeps_split_points_apart() {
        let ws = WorkspaceId(1);
        assert_ne!(key_hash(ws, "ab", "c"), key_hash(ws, "a", "bc"));
        assert_ne!(key_hash(ws, "a", "b"), key_hash(WorkspaceId(2), "a", "b"));
    }

    fn survey(external_id: &str) -> throughline_domain::Signal {
        let record = serde_json::json!({
            "kind": "survey_response", "source": "crm", "external_id": external_id,
            "occurred_at": "2026-03-01T10:00:00Z",
            "customer": {"email": format!("{external_id}@example.com")}, "nps": 9,
        });
        throughline_domain::Signal::parse(&record).unwrap()
    }

    /// A new key whose hash another stored key already holds is stored (kept whole
    /// in `signal_key_collisions`), and is a duplicate when sent again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_key_whose_hash_is_taken_is_still_stored_once() {
        use throughline_store::{RecordOutcome, Store};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let (store, ws) = crate::acme_store(&path).await;
        let policy = throughline_domain::IdentityPolicy::default();
        let first = store.ingest(ws, &[survey("a")], &policy).await.unwrap();
        let RecordOutcome::Accepted { seq: a, .. } = first.records[0] else {
            panic!("{first:?}")
        };
        drop(store);
        // Pretend "b" hashes to a value "a" took first: its hash row points at "a".
        // (The store is reopened: a writer learns stored keys from the signals it sees
        // committed, and this row comes with none.)
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO signal_keys (bucket, key, seq) VALUES (?1, ?2, ?3)",
            params![bucket(a.0), key_hash(ws, "crm", "b"), a.0],
        )
        .unwrap();
        let store = crate::SqliteStore::open(&path, crate::Durability::Full).unwrap();
        let b = store.ingest(ws, &[survey("b")], &policy).await.unwrap();
        assert_eq!((b.accepted, b.duplicates), (1, 0), "{b:?}");
        let again = store
            .ingest(ws, &[survey("b"), survey("a")], &policy)
            .await
            .unwrap();
        assert_eq!((again.accepted, again.duplicates), (0, 2), "{again:?}");
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(count("SELECT count(*) FROM signals"), 2);
        assert_eq!(
            count("SELECT count(*) FROM signal_key_collisions WHERE external_id = 'b'"),
            1
        );
    }

    /// A key another connection (another process on the file) stored after this
    /// writer built its filter is still found: re-sending it is a duplicate.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn keys_committed_by_another_writer_are_known() {
        use throughline_store::Store;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let (one, ws) = crate::acme_store(&path).await;
        let two = crate::SqliteStore::open(&path, crate::Durability::Full).unwrap();
        let policy = throughline_domain::IdentityPolicy::default();
        // `two` builds its filter on its first write, then `one` stores "a".
        two.ingest(ws, &[survey("z")], &policy).await.unwrap();
        one.ingest(ws, &[survey("a")], &policy).await.unwrap();
        let again = two
            .ingest(ws, &[survey("a"), survey("b")], &policy)
            .await
            .unwrap();
        assert_eq!((again.accepted, again.duplicates), (1, 1), "{again:?}");
    }

    /// A live writer finds keys in every bucket: one stored just below a bucket
    /// boundary, one just above, each a duplicate when re-sent beside a new key.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn keys_on_both_sides_of_a_bucket_boundary_are_known() {
        use throughline_store::{RecordOutcome, Store};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let (store, ws) = crate::acme_store(&path).await;
        let boundary = 1i64 << crate::buckets::BUCKET_BITS;
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute("UPDATE feed_state SET last_seq = ?1", [boundary - 2])
            .unwrap();
        let policy = throughline_domain::IdentityPolicy::default();
        let first = store.ingest(ws, &[survey("a")], &policy).await.unwrap();
        let second = store.ingest(ws, &[survey("b")], &policy).await.unwrap();
        let seq = |o: &throughline_store::IngestOutcome| match o.records[0] {
            RecordOutcome::Accepted { seq, .. } => seq.0,
            ref other => panic!("{other:?}"),
        };
        assert_eq!((bucket(seq(&first)), bucket(seq(&second))), (0, 1));
        let again = store
            .ingest(ws, &[survey("a"), survey("c"), survey("b")], &policy)
            .await
            .unwrap();
        assert_eq!((again.accepted, again.duplicates), (1, 2), "{again:?}");
        let count: i64 = conn
            .query_row("SELECT count(*) FROM signals", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 3);
    }
}
