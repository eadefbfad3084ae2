//! A fixed, read-only hash table from small integer keys to small values, for the lexicon.
//!
//! Every token is looked up once, and whether a word is in the lexicon is as good as random
//! to the processor, so a lookup that branches on what it reads (probing until a match or an
//! empty slot, as general maps do) mispredicts often, and a mispredicted branch waits for the
//! memory read before anything after it can run. This table is a perfect hash ("hash and
//! displace"): each key's slot is its hash mixed with a displacement chosen per bucket of keys
//! when the table is built, so that no two keys share a slot. A lookup reads the bucket's
//! displacement (a small array that stays in cache), then the one slot, and compares keys
//! without branching: key and value share the slot, and a key that is not there reads as the
//! default value.
//!
//! Most tokens are not in the lexicon at all ("table", names), and the slots are too many to
//! stay in the first-level cache. A bit array that does (8 bits per key, one set per key's
//! hash) turns away most absent keys first: they then read the one empty slot, which is always
//! in cache, instead of a random one.

/// A key that can live in a `Table`: never equal to `Default::default()`, which marks an empty
/// slot.
pub trait SlotKey: Copy + Default + PartialEq {
    /// A well-mixed hash: the table takes buckets from its high bits and slots from its low.
    fn hash(self) -> u64;
}

/// Odd constant from FxHash: multiplying by it spreads every key bit into the high bits.
const SEED: u64 = 0xf135_7aea_2e62_a9c5;
/// Another odd constant (the golden ratio's), for placing a key in its slot.
const PLACE: u64 = 0x9e37_79b9_7f4a_7c15;

/// Folds the high half of a product into the low half, so the low bits depend on every key
/// bit too.
#[inline(always)]
fn finish(product: u64) -> u64 {
    product ^ (product >> 32)
}

impl SlotKey for u64 {
    #[inline(always)]
    fn hash(self) -> u64 {
        finish(self.wrapping_mul(SEED))
    }
}

impl SlotKey for [u64; 2] {
    #[inline(always)]
    fn hash(self) -> u64 {
        finish((self[0].wrapping_mul(SEED) ^ self[1]).wrapping_mul(SEED))
    }
}

pub struct Table<K, V> {
    /// A power of two of slots, empty ones holding the default key, and one more, always
    /// empty, that a lookup of an absent key reads its value from.
    slots: Vec<(K, V)>,
    /// One displacement per bucket; a power of two of buckets.
    displacements: Vec<u16>,
    /// 64 minus log2 of the bucket count: `hash >> bucket_shift` is a bucket.
    bucket_shift: u32,
    /// 64 minus log2 of the slot count (without the empty one).
    slot_shift: u32,
    /// One bit per `hash >> filter_shift`, set when some key has that hash prefix.
    filter: Vec<u64>,
    filter_shift: u32,
}

impl<K: SlotKey, V: Copy + Default> Table<K, V> {
    /// Builds the table. Keys must be distinct and not the default key.
    pub fn new(items: &[(K, V)]) -> Table<K, V> {
        // About four keys per bucket and a table at most 80% full; a larger table is tried
        // if no displacements fit (never needed for the shipped lexicons).
        // At least two buckets, so `hash >> bucket_shift` never shifts by 64.
        let buckets = (items.len() / 4).next_power_of_two().max(2);
        let mut slots = (items.len() * 5 / 4).next_power_of_two().max(16);
        loop {
            if let Some(table) = Table::try_build(items, buckets, slots) {
                return table;
            }
            slots *= 2;
        }
    }

    fn try_build(items: &[(K, V)], buckets: usize, slots: usize) -> Option<Table<K, V>> {
        assert!(slots <= 1 << 16, "displacements are 16-bit");
        let filter_bits = (8 * items.len()).next_power_of_two().max(64);
        let mut table = Table {
            slots: vec![(K::default(), V::default()); slots + 1],
            displacements: vec![0; buckets],
            bucket_shift: 64 - buckets.trailing_zeros(),
            slot_shift: 64 - slots.trailing_zeros(),
            filter: vec![0; filter_bits / 64],
            filter_shift: 64 - filter_bits.trailing_zeros(),
        };
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); buckets];
        for (index, &(key, _)) in items.iter().enumerate() {
            assert!(key != K::default(), "the empty-slot key cannot be stored");
            members[table.bucket(key.hash())].push(index);
            let bit = table.filter_bit(key.hash());
            table.filter[bit / 64] |= 1 << (bit % 64);
        }
        // Largest buckets first, while the table is emptiest.
        let mut order: Vec<usize> = (0..buckets).collect();
        order.sort_by_key(|&bucket| std::cmp::Reverse(members[bucket].len()));
        let mut taken = vec![false; slots + 1];
        let mut chosen = Vec::new();
        for bucket in order {
            let keys = &members[bucket];
            if keys.is_empty() {
                break;
            }
            let displacement = (0..slots).find(|&displacement| {
                chosen.clear();
                for &index in keys {
                    let slot = table.slot(items[index].0.hash(), displacement as u16);
                    if taken[slot] || chosen.contains(&slot) {
                        return false;
                    }
                    chosen.push(slot);
                }
                true
            })?;
            table.displacements[bucket] = displacement as u16;
            for &index in keys {
                let slot = table.slot(items[index].0.hash(), displacement as u16);
                taken[slot] = true;
                table.slots[slot] = items[index];
            }
        }
        Some(table)
    }

    #[inline(always)]
    fn bucket(&self, hash: u64) -> usize {
        (hash >> self.bucket_shift) as usize
    }

    #[inline(always)]
    fn filter_bit(&self, hash: u64) -> usize {
        (hash >> self.filter_shift) as usize
    }

    /// The last slot, never filled.
    #[inline(always)]
    fn empty_slot(&self) -> usize {
        self.slots.len() - 1
    }

    /// The slot of a key: its hash and its bucket's displacement mixed again, so that each
    /// displacement places the bucket's keys anew (with a plain xor, two keys whose hashes
    /// agree in the low bits would collide under every displacement).
    #[inline(always)]
    fn slot(&self, hash: u64, displacement: u16) -> usize {
        ((hash ^ displacement as u64).wrapping_mul(PLACE) >> self.slot_shift) as usize
    }

    /// The value stored for `key`, or the default value when it is absent.
    #[inline(always)]
    pub fn get(&self, key: K) -> V {
        let hash = key.hash();
        let displacement = self.displacements[self.bucket(hash)];
        let bit = self.filter_bit(hash);
        let maybe = self.filter[bit / 64] >> (bit % 64) & 1 != 0;
        // Indexes chosen with masks, not branches: the outcome is as good as random, and a
        // mispredicted branch would wait for the memory read.
        let slot = choose(maybe, self.slot(hash, displacement), self.empty_slot());
        let found = choose(self.slots[slot].0 == key, slot, self.empty_slot());
        self.slots[found].1
    }
}

/// `if condition { a } else { b }` without a branch.
#[inline(always)]
fn choose(condition: bool, a: usize, b: usize) -> usize {
    let mask = (condition as usize).wrapping_neg();
    (a & mask) | (b & !mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_it_holds_and_nothing_else() {
        let items: Vec<(u64, u32)> = (1..5000u64).map(|k| (k * 7919, k as u32)).collect();
        let table = Table::new(&items);
        for &(key, value) in &items {
            assert_eq!(table.get(key), value);
        }
        assert_eq!(table.get(3), 0);
        let wide = Table::new(&[([1u64, 2], 'a'), ([2, 1], 'b')]);
        assert_eq!(wide.get([1, 2]), 'a');
        assert_eq!(wide.get([2, 1]), 'b');
        assert_eq!(wide.get([1, 1]), char::default());
    }
}
