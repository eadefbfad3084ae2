//! Small answers read from the analytics copy (filter menus, the newest signal's
//! time), kept until the copy's generation moves: equal generations read equal
//! data, and every page asks for them again.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};

pub(crate) struct GenerationMemo<K, V> {
    entries: Mutex<HashMap<K, (u64, V)>>,
    /// Most entries kept; beyond it the memo starts over.
    capacity: usize,
}

impl<K: Eq + Hash, V: Clone> GenerationMemo<K, V> {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// The value kept for `key`, if it was read at `generation`.
    pub fn get(&self, key: &K, generation: u64) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(key)
            .filter(|(g, _)| *g == generation)
            .map(|(_, v)| v.clone())
    }

    pub fn put(&self, key: K, generation: u64, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (generation, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_kept_for_its_generation_only() {
        let memo = GenerationMemo::new(2);
        memo.put("a", 1, 10);
        assert_eq!(memo.get(&"a", 1), Some(10));
        assert_eq!(memo.get(&"a", 2), None, "the copy moved on");
        memo.put("b", 1, 20);
        memo.put("c", 1, 30);
        assert_eq!(memo.get(&"a", 1), None, "over capacity it starts over");
        assert_eq!(memo.get(&"c", 1), Some(30));
    }
}
