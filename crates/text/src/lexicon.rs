//! Per-language sentiment lexicon: word valences, emoji, emoticons, boosters, negators, phrases.
//!
//! English builds on the VADER lexicon (MIT, Hutto & Gilbert 2014) as shipped by the
//! `vader_sentiment` crate, plus Throughline's own additions in `data/en_*.tsv`. A new language
//! adds one `Lexicon` built from its own files; the scoring rules in `sentiment` stay the same.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::phrases::TokenPhrases;
use crate::table::Table;
use crate::vocab::{pack, PackedWord, Vocabulary, WordInfo};

const EN_WORDS: &str = include_str!("../data/en_words.tsv");
const EN_PHRASES: &str = include_str!("../data/en_phrases.tsv");
const EN_MODIFIERS: &str = include_str!("../data/en_modifiers.tsv");
const EN_EMOJI: &str = include_str!("../data/en_emoji.tsv");
const EN_AGENT: &str = include_str!("../data/en_agent.tsv");

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
    /// "from" and "been", which open the multi-word negation and counterfactual rules in
    /// `sentiment` ("far from", "could have been"), so those compare only these tokens' text.
    pub const SCOPE_CUE: u32 = 1 << 4;
    /// The words `repeats` starts from ("times", "time", "weeks" …).
    pub const REPEAT_CUE: u32 = 1 << 5;
    /// The words `sarcasm` starts from ("great", "love", "thanks" …).
    pub const SARCASM_CUE: u32 = 1 << 6;
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

/// `Entry` as the word tables store it, in 16 bytes, so a table slot holds key and entry.
#[derive(Clone, Copy, Debug)]
struct Stored {
    /// NaN for none (no data file gives a NaN valence or booster).
    valence: f32,
    booster: f32,
    flags: u32,
    phrase: u32,
}

impl Default for Stored {
    fn default() -> Stored {
        Stored::from(Entry::default())
    }
}

impl From<Entry> for Stored {
    fn from(entry: Entry) -> Stored {
        Stored {
            valence: entry.valence.unwrap_or(f32::NAN),
            booster: entry.booster.unwrap_or(f32::NAN),
            flags: entry.flags,
            phrase: entry.phrase,
        }
    }
}

impl Stored {
    #[inline]
    fn entry(self) -> Entry {
        let some = |value: f32| (!value.is_nan()).then_some(value);
        Entry {
            valence: some(self.valence),
            booster: some(self.booster),
            flags: self.flags,
            phrase: self.phrase,
        }
    }
}

/// The merged word table. Words of up to 15 bytes (nearly all) are keyed by their bytes, so a
/// lookup hashes and compares integers with no pointer to follow: up to 7 bytes in one `u64`
/// (small slots keep more of the frequent short words in cache), up to 15 in two; longer words
/// use a string map.
struct Entries {
    tiny: Table<u64, Stored>,
    short: Table<[u64; 2], Stored>,
    long: FxHashMap<Box<str>, Entry>,
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
    fn new<'w>(words: impl IntoIterator<Item = (&'w str, Entry)>) -> Entries {
        let (mut tiny, mut short, mut long) = (Vec::new(), Vec::new(), FxHashMap::default());
        for (word, entry) in words {
            match pack(word).map(key_of) {
                Some(Key::Tiny(key)) => tiny.push((key, Stored::from(entry))),
                Some(Key::Short(key)) => short.push((key, Stored::from(entry))),
                None => {
                    long.insert(word.into(), entry);
                }
            }
        }
        Entries {
            tiny: Table::new(&tiny),
            short: Table::new(&short),
            long,
        }
    }

    // Always inlined into the tokenizer: out of line, the entry came back through the stack
    // in pieces narrower than the token's stores that read them (a stall on every token).
    #[inline(always)]
    fn get_packed(&self, packed: PackedWord) -> Entry {
        let stored = match key_of(packed) {
            Key::Tiny(key) => self.tiny.get(key),
            Key::Short(key) => self.short.get(key),
        };
        stored.entry()
    }

    #[inline]
    fn get(&self, word: &str) -> Entry {
        match pack(word) {
            Some(packed) => self.get_packed(packed),
            None => self.long.get(word).copied().unwrap_or_default(),
        }
    }
}

pub struct Lexicon {
    words: FxHashMap<Box<str>, f32>,
    /// Valence, booster, negator and language flags merged, one lookup per token.
    entries: Entries,
    emoticons: FxHashMap<Box<str>, f32>,
    /// Bit `b` set when some emoticon starts with ASCII byte `b` (lowercased).
    emoticon_starts: u128,
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
        Lexicon::english_with(None)
    }

    /// English for an agent's turns of a conversation: `data/en_agent.tsv` on top, where
    /// apologies and the words naming a customer's problem are courtesy, not complaint.
    pub fn english_agent() -> Lexicon {
        Lexicon::english_with(Some(EN_AGENT))
    }

    /// English, with `extra` (word or phrase, tab, valence) overriding words and adding
    /// phrases.
    fn english_with(extra: Option<&str>) -> Lexicon {
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
        for line in extra.into_iter().flat_map(data_lines) {
            let Some((key, valence)) = line.split_once('\t') else {
                continue;
            };
            let Ok(valence) = valence.trim().parse::<f32>() else {
                continue;
            };
            if key.contains(' ') {
                phrases.push((key.to_string(), PhraseEffect::Valence(valence)));
            } else {
                words.insert(key.into(), valence);
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
        for word in crate::sentiment::SCOPE_CUES {
            entries.entry(word.into()).or_default().flags |= flag::SCOPE_CUE;
        }
        for word in crate::repeats::REPEAT_CUES {
            entries.entry(word.into()).or_default().flags |= flag::REPEAT_CUE;
        }
        for word in crate::sarcasm::SARCASM_CUES {
            entries.entry(word.into()).or_default().flags |= flag::SARCASM_CUE;
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
        // In a fixed order, so the tables come out the same on every build.
        let mut order: Vec<&str> = entries.keys().map(|word| &**word).collect();
        order.sort_unstable();
        let packed = Entries::new(order.iter().map(|&word| (word, entries[word])));
        let mut lexicon = Lexicon {
            phrase_index,
            entries: packed,
            words,
            emoticon_starts: emoticon_starts(&emoticons),
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
        let entry = self.entries.get(norm);
        let elongated = norm.len() >= 4 && has_letter_run(norm, 3);
        info_from(entry, norm.ends_with("n't"), elongated, || self.word(norm))
    }

    /// `info` for an ASCII word (`norm`, lowercased) whose packed key (`pack`) the caller
    /// already built.
    #[inline(always)]
    pub fn info_key(&self, key: PackedWord, norm: &[u8]) -> WordInfo {
        let entry = self.entries.get_packed(key);
        // `&`, not `&&`: word lengths are too irregular for a branch on them to predict well.
        let elongated = (norm.len() >= 4) & crate::ascii::has_triple(key, norm.len());
        let shortened = || {
            std::str::from_utf8(norm)
                .ok()
                .and_then(|norm| self.word(norm))
        };
        info_from(entry, norm.ends_with(b"n't"), elongated, shortened)
    }

    /// The phrase list number of a word (`phrase_index.head`) by its packed key.
    #[inline]
    pub fn phrase_head_key(&self, key: PackedWord) -> u32 {
        self.entries.get_packed(key).phrase
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
        // Most chunks asked about are short words with a mark ("I'm", "it."), and no
        // emoticon starts as they do: answered without hashing.
        let first = *raw.as_bytes().first()?;
        if first.is_ascii() && self.emoticon_starts & 1 << first.to_ascii_lowercase() == 0 {
            return None;
        }
        let mut buffer = [0u8; 16];
        let bytes = &mut buffer[..raw.len()];
        bytes.copy_from_slice(raw.as_bytes());
        bytes.make_ascii_lowercase();
        let lower = std::str::from_utf8(bytes).ok()?;
        self.emoticons.get(lower).copied()
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

/// The lexicon is the vocabulary the tokenizer looks words up in.
impl Vocabulary for Lexicon {
    #[inline]
    fn info(&self, norm: &str) -> WordInfo {
        Lexicon::info(self, norm)
    }
    #[inline(always)]
    fn info_key(&self, key: PackedWord, norm: &[u8]) -> WordInfo {
        Lexicon::info_key(self, key, norm)
    }
    #[inline]
    fn phrase_head_key(&self, key: PackedWord) -> u32 {
        Lexicon::phrase_head_key(self, key)
    }
    #[inline]
    fn phrase_head(&self, norm: &str) -> u32 {
        self.phrase_index.head(norm)
    }
    #[inline]
    fn emoji(&self, symbol: &str) -> Option<f32> {
        Lexicon::emoji(self, symbol)
    }
    #[inline]
    fn emoticon(&self, raw: &str) -> Option<f32> {
        Lexicon::emoticon(self, raw)
    }
}

/// `WordInfo` from a word's entry; `negator` says it ends in "n't", `elongated` that it has 4
/// bytes or more and a run of three equal letters. Such a word without a valence of its own
/// takes the valence of its shortened letter runs ("gooood"), from `shortened`.
#[inline(always)]
fn info_from(
    entry: Entry,
    negator: bool,
    elongated: bool,
    shortened: impl FnOnce() -> Option<f32>,
) -> WordInfo {
    let mut flags = entry.flags;
    if negator {
        flags |= flag::NEGATOR | flag::SCORE_NEGATOR | flag::KNOWN;
    }
    // `elongated` first: it is known from the word alone and nearly always false, so the
    // processor need not wait for the entry to be read to know which way this goes.
    let valence = if elongated & entry.valence.is_none() {
        shortened()
    } else {
        entry.valence
    };
    WordInfo {
        valence,
        booster: entry.booster,
        flags,
        phrase: entry.phrase,
    }
}

/// Bit `b` set when some key starts with ASCII byte `b` (see `Lexicon::emoticon_starts`).
fn emoticon_starts(emoticons: &FxHashMap<Box<str>, f32>) -> u128 {
    emoticons
        .keys()
        .filter_map(|key| key.bytes().next().filter(u8::is_ascii))
        .fold(0, |starts, byte| starts | 1 << byte)
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
