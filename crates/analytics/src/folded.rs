//! Answers folded part by part, so that a dashboard recomputed after new signals
//! arrive reads only what is new.
//!
//! Segments never change once written, and new rows only ever land in the tail
//! (and, when it is flushed, in a new segment appended to the list). So an answer
//! that can be computed over disjoint parts of the rows and merged — counts and
//! sums per group, row lists — is kept, folded, for the segments it has read and
//! for those plus the tail's first rows, keyed by (workspace, SQL, type). The next
//! call takes the kept value for the longest list of segments that is still a
//! prefix of the copy's, reads only the segments after it and the tail rows not
//! yet folded (all of the tail once it was flushed: its epoch moved), and keeps
//! the new values. When compaction or a rebuild replaces segments already folded,
//! the next call reads everything once; a profile merge changes the canonical
//! mapping and does the same.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use datafusion::arrow::array::RecordBatch;

use crate::snapshot::CanonicalMap;

/// An answer that can be computed over disjoint sets of rows and merged.
///
/// `merge(a, b)` must equal the value folded from `a`'s rows and `b`'s together:
/// sums and counts per key add, row lists concatenate, maxima take the larger. The
/// SQL folded into it must not depend on rows outside the part it reads (no
/// `LIMIT`, no ranking, no `DISTINCT` the fold does not redo).
pub trait Partial: Clone + Send + Sync + 'static {
    fn merge(&mut self, other: Self);
    /// Whether merging this would change nothing (no rows were folded into it), so
    /// the value it would be merged into can be shared instead of copied.
    fn is_empty(&self) -> bool;
    /// About how many bytes this value holds, for the memo's budget.
    fn bytes(&self) -> usize;
}

type Key = (i64, String, TypeId);
type Any_ = Arc<dyn Any + Send + Sync>;

/// What was kept for a key, as `get` hands it out.
pub(crate) struct Kept<A> {
    /// How many of the copy's segments (its first ones) `segments` folded.
    pub segments_done: usize,
    pub segments: Arc<A>,
    /// The segments and the tail's first rows folded together, if kept.
    pub tail: Option<TailFold<A>>,
}

/// A value folded over the segments and the tail's first `rows` rows, as the tail
/// was in `epoch`.
pub(crate) struct TailFold<A: ?Sized> {
    pub epoch: u64,
    pub rows: usize,
    pub value: Arc<A>,
}

struct Entry {
    /// The segment files folded, in the copy's order.
    files: Vec<PathBuf>,
    /// The merged profiles the rows were read with.
    canonical: Option<Arc<CanonicalMap>>,
    segments: Any_,
    tail: Option<TailFold<dyn Any + Send + Sync>>,
    bytes: usize,
    used: u64,
}

/// Folded values per (workspace, SQL, type), within a byte budget; the least
/// recently used go first.
pub(crate) struct FoldMemo {
    inner: Mutex<Inner>,
    budget: usize,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<Key, Entry>,
    bytes: usize,
    tick: u64,
}

impl FoldMemo {
    pub fn new(budget: usize) -> Self {
        Self {
            inner: Mutex::default(),
            budget,
        }
    }

    /// What is kept for `key`, if its files are a prefix of `files` and it was read
    /// with the same merged profiles. The tail part is handed over (the entry keeps
    /// none until the next `put`).
    pub fn get<A: Partial>(
        &self,
        key: &Key,
        files: &[PathBuf],
        canonical: &Option<Arc<CanonicalMap>>,
    ) -> Option<Kept<A>> {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.tick += 1;
        let tick = inner.tick;
        let entry = inner.entries.get_mut(key)?;
        let same_profiles = match (&entry.canonical, canonical) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        if !same_profiles || !files.starts_with(&entry.files) {
            return None;
        }
        entry.used = tick;
        let segments = Arc::clone(&entry.segments).downcast::<A>().ok()?;
        // Taken out, not shared: when nobody else holds it, the caller can add the new
        // rows to it in place instead of copying it (it is kept again by `put`).
        let tail = entry.tail.take().and_then(|t| {
            Some(TailFold {
                epoch: t.epoch,
                rows: t.rows,
                value: t.value.downcast::<A>().ok()?,
            })
        });
        Some(Kept {
            segments_done: entry.files.len(),
            segments,
            tail,
        })
    }

    /// Keeps `segments`, folded over `files`, and `tail`, folded over them and the
    /// tail's first rows, for `key`; evicts the least recently used entries to stay
    /// within the budget. Values larger than the budget are not kept.
    pub fn put<A: Partial>(
        &self,
        key: Key,
        files: Vec<PathBuf>,
        canonical: Option<Arc<CanonicalMap>>,
        segments: Arc<A>,
        tail: Option<TailFold<A>>,
    ) {
        let tail_bytes = tail.as_ref().map_or(0, |t| t.value.bytes());
        let bytes = segments.bytes() + tail_bytes + key.1.len() + files.len() * 64;
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(old) = inner.entries.remove(&key) {
            inner.bytes -= old.bytes;
        }
        if bytes > self.budget {
            return;
        }
        while inner.bytes + bytes > self.budget {
            let Some(oldest) = inner
                .entries
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(gone) = inner.entries.remove(&oldest) {
                inner.bytes -= gone.bytes;
            }
        }
        inner.tick += 1;
        let used = inner.tick;
        inner.bytes += bytes;
        let tail = tail.map(|t| TailFold {
            epoch: t.epoch,
            rows: t.rows,
            value: t.value as Any_,
        });
        inner.entries.insert(
            key,
            Entry {
                files,
                canonical,
                segments: segments as Any_,
                tail,
                bytes,
                used,
            },
        );
    }

    /// Bytes the kept values count against the budget.
    pub fn used_bytes(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .bytes
    }
}

/// The rows of `tail` from row `from` on (slices share the batches' buffers).
pub(crate) fn rows_from(tail: &[RecordBatch], mut from: usize) -> Vec<RecordBatch> {
    let mut out = Vec::new();
    for batch in tail {
        let n = batch.num_rows();
        if from >= n {
            from -= n;
            continue;
        }
        out.push(batch.slice(from, n - from));
        from = 0;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct Sum(u64, usize);

    impl Partial for Sum {
        fn merge(&mut self, other: Self) {
            self.0 += other.0;
        }
        fn is_empty(&self) -> bool {
            self.0 == 0
        }
        fn bytes(&self) -> usize {
            self.1
        }
    }

    fn key(sql: &str) -> Key {
        (1, sql.to_string(), TypeId::of::<Sum>())
    }

    /// How many files the kept value covers, and the value.
    fn found(
        memo: &FoldMemo,
        key: &Key,
        files: &[PathBuf],
        canonical: &Option<Arc<CanonicalMap>>,
    ) -> Option<(usize, Sum)> {
        memo.get::<Sum>(key, files, canonical)
            .map(|k| (k.segments_done, (*k.segments).clone()))
    }

    fn put(memo: &FoldMemo, key: Key, files: Vec<PathBuf>, c: Option<Arc<CanonicalMap>>, v: Sum) {
        memo.put(key, files, c, Arc::new(v), None);
    }

    fn files(names: &[&str]) -> Vec<PathBuf> {
        names.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn a_value_is_found_only_for_a_prefix_read_with_the_same_profiles() {
        let memo = FoldMemo::new(1 << 20);
        let map = Some(Arc::new(CanonicalMap::default()));
        put(&memo, key("q"), files(&["a", "b"]), map.clone(), Sum(5, 10));
        let longer = found(&memo, &key("q"), &files(&["a", "b", "c"]), &map);
        assert_eq!(longer, Some((2, Sum(5, 10))));
        assert_eq!(
            found(&memo, &key("q"), &files(&["a", "b"]), &map),
            Some((2, Sum(5, 10)))
        );
        // Compaction replaced b: not a prefix any more.
        assert_eq!(found(&memo, &key("q"), &files(&["a", "c"]), &map), None);
        // A merge since: other profiles.
        let other = Some(Arc::new(CanonicalMap::default()));
        assert_eq!(found(&memo, &key("q"), &files(&["a", "b"]), &other), None);
        assert_eq!(found(&memo, &key("q"), &files(&["a", "b"]), &None), None);
        assert_eq!(
            found(&memo, &key("other sql"), &files(&["a", "b"]), &map),
            None
        );
    }

    #[test]
    fn the_tail_is_read_from_a_row_on() {
        use datafusion::arrow::array::{Array, Int64Array};
        let batch = |from: i64, n: i64| {
            let values: Int64Array = (from..from + n).collect();
            RecordBatch::try_from_iter([("v", Arc::new(values) as Arc<dyn Array>)]).unwrap()
        };
        let tail = [batch(0, 3), batch(3, 4), batch(7, 2)];
        let values = |from| -> Vec<i64> {
            rows_from(&tail, from)
                .iter()
                .flat_map(|b| {
                    let a = b.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
                    a.values().to_vec()
                })
                .collect()
        };
        assert_eq!(values(0), (0..9).collect::<Vec<_>>());
        assert_eq!(values(3), (3..9).collect::<Vec<_>>());
        assert_eq!(values(5), (5..9).collect::<Vec<_>>());
        assert_eq!(values(8), vec![8]);
        assert!(values(9).is_empty());
    }

    #[test]
    fn the_least_recently_used_go_first_and_the_budget_holds() {
        let memo = FoldMemo::new(1000);
        put(&memo, key("a"), files(&["s"]), None, Sum(1, 400));
        put(&memo, key("b"), files(&["s"]), None, Sum(2, 400));
        // `a` read since `b` was kept: `b` is the one to go.
        assert!(found(&memo, &key("a"), &files(&["s"]), &None).is_some());
        put(&memo, key("c"), files(&["s"]), None, Sum(3, 400));
        assert!(found(&memo, &key("b"), &files(&["s"]), &None).is_none());
        assert!(found(&memo, &key("a"), &files(&["s"]), &None).is_some());
        assert!(found(&memo, &key("c"), &files(&["s"]), &None).is_some());
        assert!(memo.used_bytes() <= 1000);
        // Larger than the whole budget: not kept, and nothing else is evicted for it.
        put(&memo, key("d"), files(&["s"]), None, Sum(4, 5000));
        assert!(found(&memo, &key("d"), &files(&["s"]), &None).is_none());
        assert!(found(&memo, &key("a"), &files(&["s"]), &None).is_some());
        // Kept again for the same key: replaced, not counted twice (else `c` would go).
        put(&memo, key("a"), files(&["s", "t"]), None, Sum(9, 400));
        assert!(found(&memo, &key("c"), &files(&["s"]), &None).is_some());
        assert_eq!(
            found(&memo, &key("a"), &files(&["s", "t"]), &None),
            Some((2, Sum(9, 400)))
        );
    }
}
