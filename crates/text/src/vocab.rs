//! What the tokenizer asks of a vocabulary while it scans: a [`WordInfo`] per word, and
//! which chunks are emoji or emoticons with their valence. The tokenizer owns this
//! interface and knows no lexicon; the sentiment lexicon (`lexicon.rs`) is the vocabulary
//! the analyzers pass, so each token carries its lookup and later stages look nothing up
//! again.

/// Everything a vocabulary knows about one lowercased word, found with a single lookup.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WordInfo {
    /// Sentiment valence (elongations such as "gooood" resolved).
    pub valence: Option<f32>,
    /// Booster amount (negative for dampeners).
    pub booster: Option<f32>,
    /// Bits the vocabulary defines (`lexicon::flag`); the tokenizer only carries them.
    pub flags: u32,
    /// List number of the phrases starting with this word, 0 for none.
    pub phrase: u32,
}

/// A word of up to 15 bytes as one integer: its bytes with the first lowest (as
/// `u128::from_le_bytes` reads them) and its length in the top byte. An integer rather than a
/// byte array, so the tokenizer can build it in registers eight bytes at a time while it scans
/// the word (`ascii::Block`).
pub type PackedWord = u128;

#[inline]
pub fn pack(word: &str) -> Option<PackedWord> {
    let bytes = word.as_bytes();
    // The empty word would pack to 0, which marks an empty table slot.
    if bytes.is_empty() || bytes.len() > 15 {
        return None;
    }
    let mut packed = [0u8; 16];
    packed[..bytes.len()].copy_from_slice(bytes);
    packed[15] = bytes.len() as u8;
    Some(PackedWord::from_le_bytes(packed))
}

/// The lookups the tokenizer makes per token. Generic, not `dyn`: the tokenizer is the
/// hottest loop of text analysis, and each lookup inlines into it.
pub trait Vocabulary {
    /// What is known about a lowercased word.
    fn info(&self, norm: &str) -> WordInfo;
    /// `info` for an ASCII word (`norm`, lowercased) whose packed key ([`pack`]) the
    /// tokenizer already built.
    fn info_key(&self, key: PackedWord, norm: &[u8]) -> WordInfo;
    /// The phrase list number of a word by its packed key (0 for none).
    fn phrase_head_key(&self, key: PackedWord) -> u32;
    /// The phrase list number of a lowercased word (0 for none).
    fn phrase_head(&self, norm: &str) -> u32;
    /// The valence of an emoji, if it is one the vocabulary knows.
    fn emoji(&self, symbol: &str) -> Option<f32>;
    /// The valence of an emoticon such as ":)", if it is one.
    fn emoticon(&self, raw: &str) -> Option<f32>;
    fn is_emoticon(&self, raw: &str) -> bool {
        self.emoticon(raw).is_some()
    }
}
