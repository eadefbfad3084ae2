//! A few string keys with a value each, in first-seen order: for the handfuls of
//! brands and themes counted row by row, where comparing a key with the few already
//! seen is cheaper than hashing it, and a new key is the only allocation.

use throughline_analytics::Partial;

#[derive(Debug, Clone)]
pub(crate) struct SmallMap<T> {
    pub entries: Vec<(String, T)>,
}

impl<T> Default for SmallMap<T> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
        }
    }
}

impl<T> SmallMap<T> {
    /// The position of `key`, added with `make()` if missing.
    pub fn index_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> T) -> usize {
        match self.entries.iter().position(|(k, _)| k == key) {
            Some(i) => i,
            None => {
                self.entries.push((key.to_string(), make()));
                self.entries.len() - 1
            }
        }
    }

    pub fn get_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> T) -> &mut T {
        let i = self.index_or_insert_with(key, make);
        &mut self.entries[i].1
    }

    pub fn get(&self, key: &str) -> Option<&T> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// Parts merge key by key.
impl<T: Partial> Partial for SmallMap<T> {
    fn merge(&mut self, other: Self) {
        for (key, value) in other.entries {
            match self.entries.iter_mut().find(|(k, _)| *k == key) {
                Some((_, mine)) => mine.merge(value),
                None => self.entries.push((key, value)),
            }
        }
    }

    fn bytes(&self) -> usize {
        self.entries
            .iter()
            .map(|(k, v)| k.len() + 24 + v.bytes())
            .sum()
    }

    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Counts per slot (a month of a window, say); parts add slot by slot.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Slots<T>(pub Vec<T>);

impl<T> Partial for Slots<T>
where
    T: Copy + Default + PartialEq + std::ops::AddAssign + Send + Sync + 'static,
{
    fn merge(&mut self, other: Self) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), T::default());
        }
        for (mine, v) in self.0.iter_mut().zip(other.0) {
            *mine += v;
        }
    }

    fn bytes(&self) -> usize {
        self.0.len() * std::mem::size_of::<T>()
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|v| *v == T::default())
    }
}

#[cfg(test)]
mod tests {
    use super::SmallMap;

    #[test]
    fn keys_keep_their_first_seen_order_and_values() {
        let mut m: SmallMap<u32> = SmallMap::default();
        *m.get_or_insert_with("b", || 10) += 1;
        *m.get_or_insert_with("a", || 20) += 1;
        *m.get_or_insert_with("b", || 99) += 1;
        assert_eq!(m.index_or_insert_with("a", || 0), 1);
        assert_eq!(m.get("b"), Some(&12));
        assert_eq!(m.get("c"), None);
        let keys: Vec<&str> = m.entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, vec!["b", "a"]);
    }
}
