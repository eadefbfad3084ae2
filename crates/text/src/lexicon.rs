//! Per-language sentiment lexicon: word valences, emoji, emoticons, boosters, negators, phrases.
//!
//! English builds on the VADER lexicon (MIT, Hutto & Gilbert 2014) as shipped by the
//! `vader_sentiment` crate, plus Throughline's own additions in `data/en_*.tsv`. A new language
//! adds one `Lexicon` built from its own files; the scoring rules in `sentiment` stay the same.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::phrases::TokenPhrases;

const EN_WORDS: &str = include_str!("../data/en_words.tsv");
const EN_PHRASES: &str = include_str!("../data/en_phrases.tsv");
const EN_MODIFIERS: &str = include_str!("../data/en_modifiers.tsv");
const EN_EMOJI: &str = include_str!("../data/en_emoji.tsv");

/// Where an English word's valence came from, for explanations.
pub const EN_SOURCE: &str = "vader lexicon (MIT, Hutto & Gilbert 2014) + throughline additions";

/// What a multi-word expression does to sentiment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PhraseEffect {
    /// Replaces the valence of the words it covers (0 neutralises them).
    Valence(f32),
    /// Acts like a one-word booster ("kind of" dampens what follows).
    Booster(f32),
}

/// Everything the lexicon knows about one lowercased word, found with a single hash lookup.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WordInfo {
    /// Sentiment valence (elongations such as "gooood" resolved).
    pub valence: Option<f32>,
    /// Booster amount (negative for dampeners).
    pub booster: Option<f32>,
    /// `flag::*` bits.
    pub flags: u32,
    /// List number in `Lexicon::phrase_index` of the phrases starting with this word, 0 for
    /// none.
    pub phrase: u32,
}

/// Bits of `WordInfo::flags`.
pub mod flag {
    /// A negator ("not", "never", any "n't" word).
    pub const NEGATOR: u32 = 1;
    /// Negates for sentiment scoring: a negator or "least".
    pub const SCORE_NEGATOR: u32 = 1 << 1;
    /// In the lexicon in any role (word valence, booster, negator).
    pub const KNOWN: u32 = 1 << 2;
    /// One of `sentiment::CONTRAST_CUES`, so sentiment rules compare only these tokens' text.
    pub const CONTRAST_CUE: u32 = 1 << 3;
    /// Bits from `LANG_SHIFT` up: function-word profiles of the languages in `lang::PROFILES`.
    pub const LANG_SHIFT: u32 = 8;
}

/// Stored per word: valence, booster and flags from the exact spelling.
#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    valence: Option<f32>,
    booster: Option<f32>,
    flags: u32,
    phrase: u32,
}

/// The merged word table. Words of up to 15 bytes (nearly all) are keyed by their bytes, so a
/// lookup hashes and compares integers with no pointer to follow: up to 7 bytes in one `u64`
/// (small buckets keep the frequent short words cache-resident), up to 15 in two; longer words
/// use a string map. The maps hold indexes into `data`, which only hits touch.
#[derive(Default)]
struct Entries {
    tiny: FxHashMap<u64, u32>,
    short: FxHashMap<[u64; 2], u32>,
    long: FxHashMap<Box<str>, u32>,
    data: Vec<Entry>,
}

/// A word of up to 15 bytes as one integer: its bytes shifted in from the right (the last byte
/// lowest) and its length in the top byte. An integer rather than a byte array, so the
/// tokenizer can build it in a register while it scans the word (`pack_byte`).
pub type PackedWord = u128;

/// Appends a byte to a key being built (the length is added at the end, see `pack`).
#[inline]
pub fn pack_byte(packed: PackedWord, byte: u8) -> PackedWord {
    packed << 8 | byte as PackedWord
}

#[inline]
pub fn pack(word: &str) -> Option<PackedWord> {
    let bytes = word.as_bytes();
    if bytes.len() > 15 {
        return None;
    }
    let packed = bytes
        .iter()
        .fold(0, |packed, &byte| pack_byte(packed, byte));
    Some(packed | (bytes.len() as PackedWord) << 120)
}

enum Key {
    Tiny(u64),
    Short([u64; 2]),
}

#[inline]
fn key_of(packed: PackedWord) -> Key {
    let low = packed as u64;
    let high = (packed >> 64) as u64;
    let length = high >> 56;
    if length <= 7 {
        // Up to 7 bytes sit in the low 56 bits, so the length fits in the top byte.
        Key::Tiny(low | length << 56)
    } else {
        Key::Short([low, high])
    }
}

impl Entries {
    fn insert(&mut self, word: &str, entry: Entry) {
        let index = self.data.len() as u32;
        self.data.push(entry);
        match pack(word).map(key_of) {
            Some(Key::Tiny(key)) => self.tiny.insert(key, index),
            Some(Key::Short(key)) => self.short.insert(key, index),
            None => self.long.insert(word.into(), index),
        };
    }

    #[inline]
    fn get_packed(&self, packed: PackedWord) -> Entry {
        let index = match key_of(packed) {
            Key::Tiny(key) => self.tiny.get(&key),
            Key::Short(key) => self.short.get(&key),
        };
        index.map_or_else(Entry::default, |&i| self.data[i as usize])
    }

    #[inline]
    fn get(&self, word: &str) -> Entry {
        match pack(word) {
            Some(packed) => self.get_packed(packed),
            None => self
                .long
                .get(word)
                .map_or_else(Entry::default, |&i| self.data[i as usize]),
        }
    }
}

pub struct Lexicon {
    words: FxHashMap<Box<str>, f32>,
    /// Valence, booster, negator and language flags merged, one lookup per token.
    entries: Entries,
    emoticons: FxHashMap<Box<str>, f32>,
    emoji: FxHashMap<Box<str>, f32>,
    boosters: FxHashMap<Box<str>, f32>,
    negators: FxHashSet<Box<str>>,
    /// Multi-word expressions, as read.
    pub phrases: Vec<(String, PhraseEffect)>,
    /// The same, matched token by token from list numbers kept in the word entries.
    pub phrase_index: TokenPhrases<PhraseEffect>,
}

/// Data lines: skips blank lines and `#` comments.
fn data_lines(raw: &str) -> impl Iterator<Item = &str> {
    raw.lines()
        .map(str::trim_end)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

fn is_emoticon_key(key: &str) -> bool {
    let letters = key.chars().filter(|c| c.is_alphabetic()).count();
    key.chars().any(|c| c.is_ascii_punctuation()) && letters <= 2
}

impl Lexicon {
    pub fn english() -> Lexicon {
        let mut words = FxHashMap::default();
        let mut emoticons = FxHashMap::default();
        for (key, &valence) in vader_sentiment::LEXICON.iter() {
            let key: &str = key.as_ref();
            if is_emoticon_key(key) {
                emoticons.insert(key.to_ascii_lowercase().into(), valence as f32);
            } else {
                words.insert(key.to_lowercase().into_boxed_str(), valence as f32);
            }
        }
        for line in data_lines(EN_WORDS) {
            if let Some((word, valence)) = line.split_once('\t') {
                if let Ok(valence) = valence.trim().parse::<f32>() {
                    words.insert(word.into(), valence);
                }
            }
        }
        let mut phrases = Vec::new();
        for line in data_lines(EN_PHRASES) {
            if let Some((phrase, effect)) = line.split_once('\t') {
                let effect = match effect.trim().strip_prefix("booster ") {
                    Some(amount) => amount.parse().ok().map(PhraseEffect::Booster),
                    None => effect.trim().parse().ok().map(PhraseEffect::Valence),
                };
                if let Some(effect) = effect {
                    phrases.push((phrase.to_string(), effect));
                }
            }
        }
        let mut boosters: FxHashMap<Box<str>, f32> = FxHashMap::default();
        let mut negators: FxHashSet<Box<str>> = FxHashSet::default();
        for line in data_lines(EN_MODIFIERS) {
            let mut fields = line.split('\t');
            match (fields.next(), fields.next(), fields.next()) {
                (Some("booster"), Some(word), Some(amount)) => {
                    if let Ok(amount) = amount.parse::<f32>() {
                        boosters.insert(word.into(), amount);
                    }
                }
                (Some("negator"), Some(word), _) => {
                    negators.insert(word.into());
                }
                _ => {}
            }
        }
        let mut entries: FxHashMap<Box<str>, Entry> = FxHashMap::default();
        for (word, &valence) in &words {
            let entry = entries.entry(word.clone()).or_default();
            entry.valence = Some(valence);
            entry.flags |= flag::KNOWN;
        }
        for (word, &amount) in &boosters {
            let entry = entries.entry(word.clone()).or_default();
            entry.booster = Some(amount);
            entry.flags |= flag::KNOWN;
        }
        for word in &negators {
            let entry = entries.entry(word.clone()).or_default();
            entry.flags |= flag::KNOWN | flag::NEGATOR | flag::SCORE_NEGATOR;
        }
        entries.entry("least".into()).or_default().flags |= flag::SCORE_NEGATOR;
        for word in crate::sentiment::CONTRAST_CUES {
            entries.entry(word.into()).or_default().flags |= flag::CONTRAST_CUE;
        }
        let phrase_index = TokenPhrases::new(phrases.clone());
        for (head, list) in phrase_index.heads() {
            entries.entry(head.into()).or_default().phrase = list;
        }
        for (index, profile) in crate::lang::PROFILES.iter().enumerate() {
            for word in profile.words {
                entries.entry((*word).into()).or_default().flags |=
                    1 << (flag::LANG_SHIFT + index as u32);
            }
        }
        // Frequent words first, so their entries share a few cache lines: English function
        // words, then modifiers, then the rest in alphabetical order.
        let mut order: Vec<(u8, Box<str>)> = entries
            .keys()
            .map(|word| {
                let entry = &entries[word];
                let english = 1 << (flag::LANG_SHIFT + crate::lang::ENGLISH_PROFILES);
                let rank = if entry.flags & (english - (1 << flag::LANG_SHIFT)) != 0 {
                    0
                } else if entry.flags & (flag::NEGATOR | flag::SCORE_NEGATOR) != 0
                    || entry.booster.is_some()
                {
                    1
                } else {
                    2
                };
                (rank, word.clone())
            })
            .collect();
        order.sort_unstable();
        let mut packed = Entries::default();
        for (_, word) in order {
            packed.insert(&word, entries[&word]);
        }
        let mut lexicon = Lexicon {
            phrase_index,
            entries: packed,
            words,
            emoticons,
            emoji: FxHashMap::default(),
            boosters,
            negators,
            phrases,
        };
        lexicon.emoji = lexicon.english_emoji();
        lexicon
    }

    /// Emoji valence: the VADER emoji table gives each emoji an English description
    /// ("face with tears of joy"); we score the description's words once, here.
    fn english_emoji(&self) -> FxHashMap<Box<str>, f32> {
        let mut emoji = FxHashMap::default();
        for (&symbol, &description) in vader_sentiment::EMOJI_LEXICON.iter() {
            let key: String = symbol
                .chars()
                .filter(|&c| !matches!(c as u32, 0xFE0F | 0x200D | 0x1F3FB..=0x1F3FF))
                .collect();
            let mut total = 0.0;
            let mut negated = false;
            for word in description.split(|c: char| !c.is_alphanumeric() && c != '\'') {
                let word = word.to_lowercase();
                if self.is_negator(&word) {
                    negated = true;
                    continue;
                }
                if let Some(valence) = self.words.get(word.as_str()) {
                    total += if negated { -0.5 * valence } else { *valence };
                }
            }
            if total != 0.0 && !key.is_empty() {
                emoji.insert(key.into_boxed_str(), total.clamp(-3.5, 3.5));
            }
        }
        for line in data_lines(EN_EMOJI) {
            if let Some((symbol, valence)) = line.split_once('\t') {
                if let Ok(valence) = valence.trim().parse::<f32>() {
                    emoji.insert(symbol.into(), valence);
                }
            }
        }
        emoji
    }

    /// Valence of a lowercased word; retries with letter runs shortened ("soooo gooood").
    pub fn word(&self, norm: &str) -> Option<f32> {
        if let Some(&valence) = self.words.get(norm) {
            return Some(valence);
        }
        if norm.len() < 4 || !has_letter_run(norm, 3) {
            return None;
        }
        let two = collapse_runs(norm, 2);
        if let Some(&valence) = self.words.get(two.as_str()) {
            return Some(valence);
        }
        self.words.get(collapse_runs(norm, 1).as_str()).copied()
    }

    /// Everything known about a lowercased word in one lookup; the valence falls back to
    /// shortened letter runs like `word`.
    pub fn info(&self, norm: &str) -> WordInfo {
        self.info_entry(self.entries.get(norm), norm, has_letter_run(norm, 3))
    }

    /// `info` for a word whose packed key (`pack`) the caller already built, with whether it
    /// has a run of three equal bytes (`has_letter_run(norm, 3)`), also found while scanning.
    #[inline]
    pub fn info_key(&self, key: PackedWord, norm: &str, long_run: bool) -> WordInfo {
        let entry = self.entries.get_packed(key);
        self.info_entry(entry, norm, long_run)
    }

    #[inline]
    fn info_entry(&self, entry: Entry, norm: &str, long_run: bool) -> WordInfo {
        let mut flags = entry.flags;
        if norm.ends_with("n't") {
            flags |= flag::NEGATOR | flag::SCORE_NEGATOR | flag::KNOWN;
        }
        let valence = match entry.valence {
            Some(valence) => Some(valence),
            None if norm.len() >= 4 && long_run => self.word(norm),
            None => None,
        };
        WordInfo {
            valence,
            booster: entry.booster,
            flags,
            phrase: entry.phrase,
        }
    }

    pub fn emoji(&self, symbol: &str) -> Option<f32> {
        if let Some(&valence) = self.emoji.get(symbol) {
            return Some(valence);
        }
        let stripped: String = symbol
            .chars()
            .filter(|&c| !matches!(c as u32, 0xFE0F | 0x200D | 0x1F3FB..=0x1F3FF))
            .collect();
        self.emoji.get(stripped.as_str()).copied()
    }

    /// Emoticons are looked up case-insensitively (":D" and ":d" are one entry).
    pub fn emoticon(&self, raw: &str) -> Option<f32> {
        if raw.len() > 16 {
            return None;
        }
        let mut buffer = [0u8; 16];
        let bytes = &mut buffer[..raw.len()];
        bytes.copy_from_slice(raw.as_bytes());
        bytes.make_ascii_lowercase();
        let lower = std::str::from_utf8(bytes).ok()?;
        self.emoticons.get(lower).copied()
    }

    pub fn is_emoticon(&self, raw: &str) -> bool {
        self.emoticon(raw).is_some()
    }

    pub fn booster(&self, norm: &str) -> Option<f32> {
        self.boosters.get(norm).copied()
    }

    pub fn is_negator(&self, norm: &str) -> bool {
        self.negators.contains(norm) || norm.ends_with("n't")
    }

    /// True when the word is known to the lexicon in any role (used by language detection).
    pub fn knows(&self, norm: &str) -> bool {
        self.words.contains_key(norm)
            || self.boosters.contains_key(norm)
            || self.negators.contains(norm)
    }
}

fn has_letter_run(word: &str, length: usize) -> bool {
    if word.is_ascii() {
        let bytes = word.as_bytes();
        let mut run = 1;
        for pair in bytes.windows(2) {
            run = if pair[0] == pair[1] { run + 1 } else { 1 };
            if run >= length {
                return true;
            }
        }
        return length <= 1 && !bytes.is_empty();
    }
    let mut previous = '\0';
    let mut run = 0;
    for c in word.chars() {
        run = if c == previous { run + 1 } else { 1 };
        if run >= length {
            return true;
        }
        previous = c;
    }
    false
}

/// Shortens every run of the same letter to at most `keep` letters.
fn collapse_runs(word: &str, keep: usize) -> String {
    let mut out = String::with_capacity(word.len());
    let mut previous = '\0';
    let mut run = 0;
    for c in word.chars() {
        run = if c == previous { run + 1 } else { 1 };
        if run <= keep {
            out.push(c);
        }
        previous = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_word(word: &str, expected_sign: i32) {
        let lexicon = Lexicon::english();
        let valence = lexicon.word(word).unwrap_or(0.0);
        assert_eq!(
            valence.signum() as i32 * (valence != 0.0) as i32,
            expected_sign,
            "{word}"
        );
    }

    #[test]
    fn words_and_elongations() {
        check_word("good", 1);
        check_word("gooood", 1);
        check_word("terrible", -1);
        check_word("overcharged", -1);
        check_word("table", 0);
    }

    #[test]
    fn emoji_and_emoticons() {
        let lexicon = Lexicon::english();
        assert!(lexicon.emoji("😀").unwrap() > 0.0);
        assert!(lexicon.emoji("😡").unwrap() < 0.0);
        assert!(lexicon.emoticon(":)").unwrap() > 0.0);
        assert!(lexicon.emoticon(":(").unwrap() < 0.0);
        assert!(lexicon.is_negator("didn't"));
        assert!(lexicon.booster("very").unwrap() > 0.0);
    }
}
