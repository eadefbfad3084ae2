//! What the overview's queries fold their answers into, so the analytics copy can
//! keep them per segment prefix (`AnalyticsCopy::query_folded`) and a cache miss
//! after new signals reads only the new rows. Each type merges exactly: counts
//! and sums per key add, row lists concatenate.

use std::collections::BTreeMap;

use throughline_analytics::Partial;

use crate::kpis::KpiCounts;

/// KPI histograms folded per group key.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Grouped<K: Ord>(pub BTreeMap<K, KpiCounts>);

impl<K: Ord + Clone + Send + Sync + 'static> Partial for Grouped<K> {
    fn merge(&mut self, other: Self) {
        for (key, counts) in other.0 {
            self.0.entry(key).or_default().merge(&counts);
        }
    }

    fn bytes(&self) -> usize {
        self.0.len() * (std::mem::size_of::<K>() + std::mem::size_of::<KpiCounts>() + 32)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Ord> Grouped<K> {
    /// Histogram rows (several may share a key) folded per key.
    pub fn fold(keys: impl IntoIterator<Item = K>, counts: Vec<KpiCounts>) -> Self {
        Self(crate::kpis::fold(keys, counts).into_iter().collect())
    }
}

/// Sums per key: each key's vector of counts or totals adds element-wise.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Sums<K: Ord, const N: usize>(pub BTreeMap<K, [f64; N]>);

impl<K: Ord + Clone + Send + Sync + 'static, const N: usize> Partial for Sums<K, N> {
    fn merge(&mut self, other: Self) {
        for (key, values) in other.0 {
            let mine = self.0.entry(key).or_insert([0.0; N]);
            for (m, v) in mine.iter_mut().zip(values) {
                *m += v;
            }
        }
    }

    fn bytes(&self) -> usize {
        self.0.len() * (std::mem::size_of::<K>() + N * 8 + 32)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Ord, const N: usize> Sums<K, N> {
    pub fn add(&mut self, key: K, values: [f64; N]) {
        let mine = self.0.entry(key).or_insert([0.0; N]);
        for (m, v) in mine.iter_mut().zip(values) {
            *m += v;
        }
    }
}

/// Rows kept whole (the parts that need every row: quantiles, per-customer
/// histories); parts concatenate.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Rows<T>(pub Vec<T>);

impl<T: Clone + Send + Sync + 'static> Partial for Rows<T> {
    fn merge(&mut self, mut other: Self) {
        self.0.append(&mut other.0);
    }

    fn bytes(&self) -> usize {
        self.0.len() * std::mem::size_of::<T>()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A count of rows; parts add.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Count(pub u64);

impl Partial for Count {
    fn merge(&mut self, other: Self) {
        self.0 += other.0;
    }

    fn bytes(&self) -> usize {
        8
    }

    fn is_empty(&self) -> bool {
        self.0 == 0
    }
}

/// The largest value seen, if any.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Latest(pub Option<i64>);

impl Partial for Latest {
    fn merge(&mut self, other: Self) {
        self.0 = self.0.max(other.0);
    }

    fn bytes(&self) -> usize {
        8
    }

    fn is_empty(&self) -> bool {
        self.0.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use throughline_metrics::NpsCounts;

    fn promoters(n: u64) -> KpiCounts {
        KpiCounts {
            nps: NpsCounts {
                promoters: n,
                ..NpsCounts::default()
            },
            signals: n,
            ..KpiCounts::default()
        }
    }

    #[test]
    fn parts_merge_into_what_one_fold_of_all_rows_gives() {
        let rows = [("a", 1), ("b", 2), ("a", 3), ("c", 4), ("b", 5)];
        let whole = Grouped::fold(
            rows.iter().map(|r| r.0),
            rows.iter().map(|r| promoters(r.1)).collect(),
        );
        let mut parts = Grouped::fold(
            rows[..2].iter().map(|r| r.0),
            rows[..2].iter().map(|r| promoters(r.1)).collect(),
        );
        parts.merge(Grouped::fold(
            rows[2..].iter().map(|r| r.0),
            rows[2..].iter().map(|r| promoters(r.1)).collect(),
        ));
        assert_eq!(parts, whole);
        assert_eq!(whole.0["a"].nps.promoters, 4);
        assert_eq!(whole.0["b"].signals, 7);

        let mut sums: Sums<&str, 2> = Sums::default();
        sums.add("x", [1.0, 2.0]);
        let mut other = Sums::default();
        other.add("x", [3.0, 4.0]);
        other.add("y", [5.0, 6.0]);
        sums.merge(other);
        assert_eq!(sums.0["x"], [4.0, 6.0]);
        assert_eq!(sums.0["y"], [5.0, 6.0]);

        let mut rows = Rows(vec![1, 2]);
        rows.merge(Rows(vec![3]));
        assert_eq!(rows.0, vec![1, 2, 3]);

        let mut latest = Latest(Some(5));
        latest.merge(Latest(None));
        assert_eq!(latest, Latest(Some(5)));
        latest.merge(Latest(Some(9)));
        assert_eq!(latest, Latest(Some(9)));

        let mut count = Count(2);
        count.merge(Count(3));
        assert_eq!(count, Count(5));
    }
}
