//! Per-language sentiment lexicon: word valences, emoji, emoticons, boosters, negators, phrases.
//!
//! English builds on the VADER lexicon (MIT, Hutto & Gilbert 2014) as shipped by the
//! `vader_sentiment` crate, plus Throughline's own additions in `data/en_*.tsv`. A new language
//! adds one `Lexicon` built from its own files; the scoring rules in `sentiment` stay the same.

use rustc_hash::{FxHashMap, FxHashSet};

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

pub struct Lexicon {
    words: FxHashMap<Box<str>, f32>,
    emoticons: FxHashMap<Box<str>, f32>,
    emoji: FxHashMap<Box<str>, f32>,
    boosters: FxHashMap<Box<str>, f32>,
    negators: FxHashSet<Box<str>>,
    /// Multi-word expressions; compiled into the phrase automaton.
    pub phrases: Vec<(String, PhraseEffect)>,
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
        let mut boosters = FxHashMap::default();
        let mut negators = FxHashSet::default();
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
        let mut lexicon = Lexicon {
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
