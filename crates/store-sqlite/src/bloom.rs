//! A blocked Bloom filter over 64-bit key hashes: "certainly absent" or "maybe
//! present". Each key sets `PROBES` bits inside one 512-bit block (one cache
//! line), so a lookup costs one memory access however large the filter grows
//! (Putze, Sanders & Singler, "Cache-, Hash- and Space-Efficient Bloom Filters", 2007).

/// Bits reserved per key at capacity; with `PROBES` = 8 in 512-bit blocks the
/// false-positive rate at capacity is about 1 %.
const BITS_PER_KEY: usize = 12;
const PROBES: u32 = 8;
const WORDS_PER_BLOCK: usize = 8;
/// The smallest filter: 64 Ki keys (96 KiB).
const MIN_CAPACITY: usize = 64 * 1024;

pub(crate) struct Bloom {
    blocks: Vec<[u64; WORDS_PER_BLOCK]>,
}

impl Bloom {
    /// An empty filter sized for `capacity` keys (at least `MIN_CAPACITY`).
    pub fn with_capacity(capacity: usize) -> Self {
        let capacity = capacity.max(MIN_CAPACITY);
        let blocks = (capacity * BITS_PER_KEY).div_ceil(WORDS_PER_BLOCK * 64);
        Self {
            blocks: vec![[0; WORDS_PER_BLOCK]; blocks],
        }
    }

    pub fn insert(&mut self, hash: i64) {
        let (block, bits) = self.locate(hash);
        for (word, mask) in self.blocks[block].iter_mut().zip(bits) {
            *word |= mask;
        }
    }

    /// `false` only if `hash` was never inserted.
    pub fn may_contain(&self, hash: i64) -> bool {
        let (block, bits) = self.locate(hash);
        self.blocks[block]
            .iter()
            .zip(bits)
            .all(|(word, mask)| word & mask == mask)
    }

    /// The block of `hash` and the bits to test in each of its words: the block
    /// from the high half of a remixed hash, the bit positions from its low half
    /// and the original's high half.
    fn locate(&self, hash: i64) -> (usize, [u64; WORDS_PER_BLOCK]) {
        // The stored hashes are XXH64 outputs already; the multiply only guards
        // against structured input.
        let mixed = (hash as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let block = (((mixed >> 32) * self.blocks.len() as u64) >> 32) as usize;
        // Double hashing (Kirsch & Mitzenmacher): probe i is a + i·b within the block.
        let (a, b) = (mixed as u32, (hash as u64 >> 32) as u32 | 1);
        let mut bits = [0u64; WORDS_PER_BLOCK];
        for i in 0..PROBES {
            let bit = (a.wrapping_add(i.wrapping_mul(b)) & 511) as usize;
            bits[bit / 64] |= 1 << (bit % 64);
        }
        (block, bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(i: u64) -> i64 {
        twox_hash::XxHash64::oneshot(1, &i.to_le_bytes()) as i64
    }

    #[test]
    fn every_inserted_key_is_found() {
        let mut bloom = Bloom::with_capacity(100_000);
        for i in 0..100_000 {
            bloom.insert(hash(i));
        }
        assert!((0..100_000).all(|i| bloom.may_contain(hash(i))));
    }

    #[test]
    fn absent_keys_are_rarely_reported_present_at_capacity() {
        let mut bloom = Bloom::with_capacity(200_000);
        for i in 0..200_000 {
            bloom.insert(hash(i));
        }
        let false_positives = (1_000_000..1_200_000)
            .filter(|i| bloom.may_contain(hash(*i)))
            .count();
        // ~1 % expected (12 bits per key, 8 probes in a 512-bit block).
        let rate = false_positives as f64 / 200_000.0;
        assert!(rate > 0.0 && rate < 0.02, "{rate}");
    }
}
