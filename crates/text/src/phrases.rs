//! Token-aligned phrase matching: one Aho-Corasick automaton over `Doc::norm` per phrase set.
//!
//! Matching runs on the normalized text (lowercase, single spaces, `\n` at every clause break),
//! so a phrase is found in one linear pass however many phrases there are. A match only counts
//! when it starts and ends on token boundaries, which rules out "hold" inside "household".

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use rustc_hash::FxHashMap;

use crate::tokenize::{Break, Doc};

/// A set of phrases, each carrying a value of type `T`.
pub struct PhraseIndex<T> {
    automaton: AhoCorasick,
    values: Vec<T>,
}

/// Lowercases and collapses whitespace so a phrase matches `Doc::norm`.
pub fn normalize_phrase(phrase: &str) -> String {
    let mut out = String::with_capacity(phrase.len());
    for word in phrase.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            match c {
                '’' | '‘' => out.push('\''),
                c => out.extend(c.to_lowercase()),
            }
        }
    }
    out
}

/// The normalized spellings a phrase matches: as written and, when it has an apostrophe,
/// without it ("can't wait", "cant wait").
pub fn phrase_variants(phrase: &str) -> Vec<String> {
    let phrase = normalize_phrase(phrase);
    if phrase.is_empty() {
        return Vec::new();
    }
    if phrase.contains('\'') {
        vec![phrase.replace('\'', ""), phrase]
    } else {
        vec![phrase]
    }
}

/// Phrases matched token by token from their first word. Each distinct first word gets a list
/// number (from 1) that callers store with the word (the lexicon keeps it in its entry), so a
/// token costs no lookup here unless some phrase starts with it.
pub struct TokenPhrases<T> {
    heads: FxHashMap<Box<str>, u32>,
    lists: Vec<Vec<(Vec<Box<str>>, T)>>,
}

impl<T: Clone> TokenPhrases<T> {
    pub fn new(phrases: impl IntoIterator<Item = (String, T)>) -> TokenPhrases<T> {
        let mut index = TokenPhrases {
            heads: FxHashMap::default(),
            lists: Vec::new(),
        };
        for (phrase, value) in phrases {
            for variant in phrase_variants(&phrase) {
                let words: Vec<Box<str>> = variant.split(' ').map(Into::into).collect();
                let next = index.lists.len() as u32 + 1;
                let list = *index.heads.entry(words[0].clone()).or_insert(next);
                if list == next {
                    index.lists.push(Vec::new());
                }
                index.lists[list as usize - 1].push((words, value.clone()));
            }
        }
        index
    }

    /// Every first word with its list number.
    pub fn heads(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        self.heads.iter().map(|(word, &list)| (&**word, list))
    }

    /// The list number of phrases starting with `word`, 0 for none.
    pub fn head(&self, word: &str) -> u32 {
        self.heads.get(word).copied().unwrap_or(0)
    }

    /// Every match, starting where `list_of` gives a list number, as the same token ranges the
    /// automaton would find (phrases never cross a clause break), longest kept as in
    /// `PhraseIndex::find_longest`. Only tokens in `starts` (increasing) are tried; it must
    /// hold every token with a list number.
    pub fn find_longest(
        &self,
        doc: &Doc<'_>,
        starts: impl Iterator<Item = usize>,
        list_of: impl Fn(usize) -> u32,
        out: &mut Vec<(Range<usize>, T)>,
    ) {
        out.clear();
        let count = doc.tokens.len();
        for start in starts {
            let list = list_of(start);
            if list == 0 {
                continue;
            }
            'phrase: for (words, value) in &self.lists[list as usize - 1] {
                let end = start + words.len();
                if end > count {
                    continue;
                }
                for (offset, word) in words.iter().enumerate().skip(1) {
                    let at = start + offset;
                    if doc.tokens[at - 1].brk != Break::None || !doc.norm_is(at, word) {
                        continue 'phrase;
                    }
                }
                out.push((start..end, value.clone()));
            }
        }
        select_longest(out);
    }
}

impl<T: Clone> PhraseIndex<T> {
    /// Builds the automaton. A phrase spelled with "n't" also matches without the apostrophe,
    /// since reviews often drop it ("dont", "didnt").
    pub fn new(phrases: impl IntoIterator<Item = (String, T)>) -> PhraseIndex<T> {
        let mut patterns = Vec::new();
        let mut values = Vec::new();
        for (phrase, value) in phrases {
            for variant in phrase_variants(&phrase) {
                patterns.push(variant);
                values.push(value.clone());
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .or_else(|_| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
            })
            .expect("phrase patterns are plain strings and always compile");
        PhraseIndex { automaton, values }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Every token-aligned match, overlapping ones included, in order of their end.
    pub fn find_all<'d>(
        &'d self,
        doc: &'d Doc<'_>,
    ) -> impl Iterator<Item = (Range<usize>, &'d T)> + 'd {
        self.automaton
            .find_overlapping_iter(doc.norm.as_str())
            .filter_map(move |found| {
                let first = doc.token_starting_at(found.start())?;
                let last = doc.token_ending_at(found.end())?;
                Some((first..last + 1, &self.values[found.pattern().as_usize()]))
            })
    }

    /// Longest non-overlapping matches, sorted by first token: where two phrases overlap the
    /// longer wins ("sorted it out quickly" over "sorted it out").
    pub fn find_longest(&self, doc: &Doc<'_>, out: &mut Vec<(Range<usize>, T)>) {
        out.clear();
        for (range, value) in self.find_all(doc) {
            out.push((range, value.clone()));
        }
        select_longest(out);
    }
}

/// Keeps the longest non-overlapping matches, sorted by first token: where two phrases overlap
/// the longer wins.
pub fn select_longest<T>(out: &mut Vec<(Range<usize>, T)>) {
    {
        if out.len() < 2 {
            return;
        }
        out.sort_by(|a, b| {
            a.0.start
                .cmp(&b.0.start)
                .then((b.0.end - b.0.start).cmp(&(a.0.end - a.0.start)))
        });
        let mut kept: Vec<(Range<usize>, T)> = Vec::with_capacity(out.len());
        for (range, value) in out.drain(..) {
            match kept.last_mut() {
                Some(last) if range.start < last.0.end => {
                    if range.end - range.start > last.0.end - last.0.start {
                        *last = (range, value);
                    }
                }
                _ => kept.push((range, value)),
            }
        }
        *out = kept;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicon;
    use crate::tokenize::tokenize;

    fn check(phrases: &[&str], text: &str, expected: &[&str]) {
        let lexicon = Lexicon::english();
        let index = PhraseIndex::new(phrases.iter().map(|p| (p.to_string(), ())));
        let doc = tokenize(text, &lexicon);
        let mut found = Vec::new();
        index.find_longest(&doc, &mut found);
        let texts: Vec<&str> = found
            .iter()
            .map(|(range, _)| {
                let (start, end) = doc.span_of(range.clone());
                &text[start..end]
            })
            .collect();
        assert_eq!(texts, expected, "{text}");
    }

    #[test]
    fn phrases_match_whole_tokens_only() {
        check(&["on hold"], "I was on hold for an hour", &["on hold"]);
        check(&["hold"], "household items", &[]);
        check(&["on hold"], "I was on, hold", &[]);
        check(&["on hold"], "ON HOLD again", &["ON HOLD"]);
    }

    #[test]
    fn longest_match_wins_and_apostrophes_are_optional() {
        check(
            &["sorted it out", "sorted it out quickly"],
            "they sorted it out quickly",
            &["sorted it out quickly"],
        );
        check(&["can't wait"], "I cant wait", &["cant wait"]);
        check(&["can't wait"], "I can’t wait", &["can’t wait"]);
    }
}
