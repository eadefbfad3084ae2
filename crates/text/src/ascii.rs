//! Eight bytes at a time ("SWAR": SIMD within a register) for the tokenizer's ASCII word path.
//!
//! Most tokens are short ASCII words. Classifying, counting and lowercasing their bytes eight
//! at a time in one `u64` (first byte lowest) costs a few instructions per block instead of a
//! few per byte, and yields the lowercased bytes the lexicon key is made of.

const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// `byte` in every byte of a `u64`.
const fn splat(byte: u8) -> u64 {
    byte as u64 * 0x0101_0101_0101_0101
}

/// 0x80 in each byte of `x` that lies in `lo..=hi`, 0 elsewhere. Every byte of `x` must be
/// below 0x80 and `lo` at least 1, so no addition carries into the next byte.
#[inline]
fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    (x.wrapping_add(splat(0x80 - lo)) & !x.wrapping_add(splat(0x7f - hi))) & HIGH
}

/// Eight bytes of text starting at `at`, first byte lowest; bytes past the end read as 0,
/// which is no word character.
#[inline]
pub fn load(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..at + 8) {
        Some(block) => u64::from_le_bytes(block.try_into().expect("eight bytes")),
        None => {
            let mut block = [0u8; 8];
            let rest = bytes.get(at..).unwrap_or_default();
            block[..rest.len()].copy_from_slice(rest);
            u64::from_le_bytes(block)
        }
    }
}

/// Mask of the first `count` (0..=8) bytes of a block.
#[inline]
pub fn first_bytes(count: usize) -> u64 {
    if count >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * count)) - 1
    }
}

/// How many bytes of a mask (0x80 or 0 in each byte) are set; a multiply, as `count_ones`
/// without the POPCNT instruction (not in the baseline x86-64 target) is a long sequence.
#[inline]
pub fn count(mask: u64) -> usize {
    ((mask >> 7).wrapping_mul(splat(1)) >> 56) as usize
}

/// What one block of eight bytes holds, as masks with 0x80 in the bytes concerned.
pub struct Block {
    /// The bytes with ASCII capitals lowercased (other bytes unchanged).
    pub lower: u64,
    /// ASCII letters and digits: the bytes the tokenizer's fast path takes.
    pub alnum: u64,
    /// ASCII letters.
    pub letters: u64,
    /// ASCII capitals.
    pub upper: u64,
}

impl Block {
    #[inline]
    pub fn new(raw: u64) -> Block {
        // Bytes from 0x80 up (UTF-8 sequences) are in no class.
        let ascii = !raw & HIGH;
        let low = raw & LOW7;
        let upper = in_range(low, b'A', b'Z') & ascii;
        let letters = in_range(low | splat(0x20), b'a', b'z') & ascii;
        let digits = in_range(low, b'0', b'9') & ascii;
        Block {
            // 0x80 >> 2 is 0x20, the ASCII case bit.
            lower: raw | upper >> 2,
            alnum: letters | digits,
            letters,
            upper,
        }
    }

    /// How many leading bytes are ASCII letters or digits (8 when all are).
    #[inline]
    pub fn alnum_prefix(&self) -> usize {
        ((!self.alnum & HIGH).trailing_zeros() / 8) as usize
    }
}

/// How many ASCII letters and digits start `bytes[at..]`.
#[inline]
pub fn alnum_len(bytes: &[u8], at: usize) -> usize {
    let mut length = 0;
    loop {
        let run = Block::new(load(bytes, at + length)).alnum_prefix();
        length += run;
        if run < 8 {
            return length;
        }
    }
}

/// True when `x` (up to 16 bytes, first byte lowest, unused bytes 0) has three equal bytes in a
/// row among its first `length` bytes. No branch: it runs for most words, whose lengths vary
/// too much for a branch on them to predict well.
#[inline]
pub fn has_triple(x: u128, length: usize) -> bool {
    const LOW7: u128 = 0x7f7f_7f7f_7f7f_7f7f_7f7f_7f7f_7f7f_7f7f;
    // A byte of `diff` is 0 where byte i equals byte i + 1; only i + 1 < length counts.
    let diff = x ^ (x >> 8);
    let zero = !(((diff & LOW7).wrapping_add(LOW7)) | diff | LOW7);
    let pairs = zero & ((1u128 << (8 * length.saturating_sub(1))) - 1);
    // Words shorter than 3 have at most one pair, so no triple.
    pairs & (pairs >> 8) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str) -> Block {
        Block::new(load(text.as_bytes(), 0))
    }

    #[test]
    fn classes_and_lowercase() {
        let b = block("Ab9_z@Z[");
        assert_eq!(b.alnum_prefix(), 3);
        assert_eq!(count(b.letters & first_bytes(8)), 4);
        assert_eq!(count(b.upper), 2);
        assert_eq!(count(HIGH), 8);
        assert_eq!(&b.lower.to_le_bytes(), b"ab9_z@z[");
        let b = block("héllo");
        assert_eq!(b.alnum_prefix(), 1);
        assert_eq!(block("short").alnum_prefix(), 5);
        assert_eq!(block("abcdefgh").alnum_prefix(), 8);
    }

    #[test]
    fn triples_match_a_byte_loop() {
        for word in [
            "",
            "a",
            "aa",
            "aaa",
            "baaa",
            "aab",
            "abcdd",
            "abcddd",
            "xyzzzzzzzzzzzzz",
        ] {
            let mut bytes = [0u8; 16];
            bytes[..word.len()].copy_from_slice(word.as_bytes());
            let expected = word
                .as_bytes()
                .windows(3)
                .any(|w| w[0] == w[1] && w[1] == w[2]);
            assert_eq!(
                has_triple(u128::from_le_bytes(bytes), word.len()),
                expected,
                "{word}"
            );
        }
    }
}
