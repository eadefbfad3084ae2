//! Seq buckets (migration 5): `signal_keys` and `profile_signals` lead with
//! `seq >> BUCKET_BITS`, so a batch's rows, whatever their keys or profiles, land in
//! the newest bucket only, and a commit rewrites a bounded part of each B-tree
//! instead of nearly all of it. A profile's lists are read through an IN list of
//! buckets ([`up_to`]); a key is looked up bucket by bucket, only where that
//! bucket's Bloom filter may hold it (`keys.rs`; migration 5's comment predates that).

/// Signals per bucket: 2^19. Migration 5 computes buckets with the same shift.
pub(crate) const BUCKET_BITS: u32 = 19;

/// The bucket of the signal stored as `seq`.
pub(crate) fn bucket(seq: i64) -> i64 {
    seq >> BUCKET_BITS
}

/// A CTE naming every bucket from 0 to the SQL expression `last` (inclusive), for
/// `bucket IN buckets`; one part of a `WITH RECURSIVE` list.
pub(crate) fn up_to(last: &str) -> String {
    format!("buckets(b) AS (SELECT 0 UNION ALL SELECT b + 1 FROM buckets WHERE b < {last})")
}
