//! A few string keys with a value each, in first-seen order: for the handfuls of
//! brands and themes counted row by row, where comparing a key with the few already
//! seen is cheaper than hashing it, and a new key is the only allocation.

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
