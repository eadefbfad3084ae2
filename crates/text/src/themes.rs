//! Theme matching with aspect sentiment: which taxonomy themes a text mentions, the words that
//! matched, and the sentiment of the clause each mention sits in.
//!
//! All phrases, lemma inflections and proximity terms go into one automaton. Aspect sentiment
//! uses the clause around a mention, cut at punctuation and at contrast words, so in "staff were
//! lovely but delivery was late" staff get "lovely" and delivery gets "late".

use std::ops::Range;

use rustc_hash::FxHashMap;

use crate::phrases::PhraseIndex;
use crate::sentiment::{normalize, rule, DocScore, Label};
use crate::taxonomy::{Matchers, Taxonomy};
use crate::tokenize::{Break, Doc};

/// A theme (and optionally sub-theme) index pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    pub theme: u16,
    pub sub: Option<u16>,
}

#[derive(Clone, Copy, Debug)]
enum Cue {
    Phrase(Target),
    Lemma(Target),
    /// Term `term` of proximity rule `rule`.
    Near {
        rule: u32,
        term: u8,
    },
}

struct CompiledNear {
    target: Target,
    terms: usize,
    within: usize,
}

pub struct CompiledTaxonomy {
    pub taxonomy: Taxonomy,
    index: PhraseIndex<Cue>,
    near: Vec<CompiledNear>,
}

/// One mention of a theme: which tokens, and which rule matched them.
#[derive(Clone, Debug)]
pub struct Mention {
    pub target: Target,
    pub tokens: Range<usize>,
    pub rule: &'static str,
}

/// A theme found in a text with its aspect sentiment.
#[derive(Clone, Debug)]
pub struct ThemeMatch {
    pub target: Target,
    pub mentions: Vec<Mention>,
    pub score: f32,
    pub label: Label,
    /// Indexes into `DocScore::hits` of the sentiment words in the mentions' clauses.
    pub sentiment_hits: Vec<usize>,
}

/// Regular inflections of an English base form; over-generation is harmless because a form must
/// still appear as a whole word.
pub fn inflections(lemma: &str) -> Vec<String> {
    let mut forms = vec![lemma.to_string()];
    let bytes = lemma.as_bytes();
    let last = *bytes.last().unwrap_or(&b' ');
    let stem_e = lemma.strip_suffix('e');
    forms.push(format!("{lemma}s"));
    if let Some(stem) = lemma
        .strip_suffix('y')
        .filter(|s| !s.ends_with(['a', 'e', 'o', 'u']))
    {
        forms.push(format!("{stem}ies"));
        forms.push(format!("{stem}ied"));
    }
    if matches!(last, b's' | b'x' | b'z' | b'h') {
        forms.push(format!("{lemma}es"));
    }
    match stem_e {
        Some(stem) => {
            forms.push(format!("{lemma}d"));
            forms.push(format!("{stem}ing"));
        }
        None => {
            forms.push(format!("{lemma}ed"));
            forms.push(format!("{lemma}ing"));
            // "stop" → "stopped": double a final consonant after a single vowel.
            let n = bytes.len();
            if n >= 3
                && !b"aeiouwxy".contains(&last)
                && b"aeiou".contains(&bytes[n - 2])
                && !b"aeiou".contains(&bytes[n - 3])
            {
                let last = last as char;
                forms.push(format!("{lemma}{last}ed"));
                forms.push(format!("{lemma}{last}ing"));
            }
        }
    }
    forms.push(format!("{lemma}'s"));
    forms
}

impl CompiledTaxonomy {
    pub fn new(taxonomy: Taxonomy) -> CompiledTaxonomy {
        let mut patterns: Vec<(String, Cue)> = Vec::new();
        let mut near = Vec::new();
        let mut add = |matchers: &Matchers, target: Target, patterns: &mut Vec<(String, Cue)>| {
            for phrase in &matchers.phrases {
                patterns.push((phrase.clone(), Cue::Phrase(target)));
            }
            for lemma in &matchers.lemmas {
                for form in inflections(lemma) {
                    patterns.push((form, Cue::Lemma(target)));
                }
            }
            for rule in &matchers.near {
                let rule_index = near.len() as u32;
                for (term_index, term) in rule.all.iter().enumerate() {
                    let forms = if term.contains(' ') {
                        vec![term.clone()]
                    } else {
                        inflections(term)
                    };
                    for form in forms {
                        patterns.push((
                            form,
                            Cue::Near {
                                rule: rule_index,
                                term: term_index as u8,
                            },
                        ));
                    }
                }
                near.push(CompiledNear {
                    target,
                    terms: rule.all.len(),
                    within: rule.within,
                });
            }
        };
        for (theme_index, theme) in taxonomy.themes.iter().enumerate() {
            let theme_target = Target {
                theme: theme_index as u16,
                sub: None,
            };
            add(&theme.matchers, theme_target, &mut patterns);
            for (sub_index, sub) in theme.subs.iter().enumerate() {
                let target = Target {
                    theme: theme_index as u16,
                    sub: Some(sub_index as u16),
                };
                add(&sub.matchers, target, &mut patterns);
            }
        }
        CompiledTaxonomy {
            taxonomy,
            index: PhraseIndex::new(patterns),
            near,
        }
    }

    /// All mentions in a document, grouped per target (theme-only and sub-theme targets apart).
    pub fn mentions(&self, doc: &Doc<'_>) -> Vec<Mention> {
        let mut mentions = Vec::new();
        let mut near_hits: Vec<(u32, u8, usize)> = Vec::new();
        for (tokens, cue) in self.index.find_all(doc) {
            match *cue {
                Cue::Phrase(target) => mentions.push(Mention {
                    target,
                    tokens,
                    rule: "phrase",
                }),
                Cue::Lemma(target) => mentions.push(Mention {
                    target,
                    tokens,
                    rule: "lemma",
                }),
                Cue::Near { rule, term } => near_hits.push((rule, term, tokens.start)),
            }
        }
        if !near_hits.is_empty() {
            near_hits.sort_unstable();
            for group in near_hits.chunk_by(|a, b| a.0 == b.0) {
                let rule = &self.near[group[0].0 as usize];
                if let Some(tokens) = proximity_window(group, rule.terms, rule.within) {
                    mentions.push(Mention {
                        target: rule.target,
                        tokens,
                        rule: "near",
                    });
                }
            }
        }
        mentions
    }

    /// Themes with aspect sentiment. A sub-theme match also reports its parent theme.
    pub fn match_themes(&self, doc: &Doc<'_>, scored: &DocScore) -> Vec<ThemeMatch> {
        let mut by_target: FxHashMap<Target, Vec<Mention>> = FxHashMap::default();
        for mention in self.mentions(doc) {
            if mention.target.sub.is_some() {
                let parent = Target {
                    theme: mention.target.theme,
                    sub: None,
                };
                by_target.entry(parent).or_default().push(mention.clone());
            }
            by_target.entry(mention.target).or_default().push(mention);
        }
        if by_target.is_empty() {
            return Vec::new();
        }
        debug_assert!(
            scored
                .hits
                .windows(2)
                .all(|pair| pair[0].tokens.end <= pair[1].tokens.start),
            "sentiment hits are in token order and do not overlap"
        );
        let clauses = Clauses::new(doc);
        // Which target last took each hit into its evidence (`usize::MAX`: none yet), so a
        // hit is added once per target without searching the evidence for it.
        let mut taken_by = vec![usize::MAX; scored.hits.len()];
        let mut matches: Vec<ThemeMatch> = by_target
            .into_iter()
            .enumerate()
            .map(|(stamp, (target, mut mentions))| {
                mentions.sort_by_key(|m| (m.tokens.start, m.tokens.end));
                mentions.dedup_by(|a, b| a.tokens.start < b.tokens.end);
                let mut hit_indexes = Vec::new();
                let mut total = 0.0;
                // Mentions in one clause share its tone: a clause is summed once, not once
                // per mention in it.
                let mut previous: Option<(Range<usize>, f32, bool)> = None;
                for mention in &mentions {
                    let clause = clauses.around(doc, mention.tokens.clone());
                    let (clause_raw, any) = match &previous {
                        Some((last, raw, any)) if *last == clause => (*raw, *any),
                        _ => {
                            let within = hits_within(scored, clause.clone());
                            crate::work::count(within.len());
                            let mut clause_raw = 0.0;
                            for index in within.clone() {
                                let hit = &scored.hits[index];
                                clause_raw += without_contrast(hit.valence, hit.rules);
                                if taken_by[index] != stamp {
                                    taken_by[index] = stamp;
                                    hit_indexes.push(index);
                                }
                            }
                            (clause_raw, !within.is_empty())
                        }
                    };
                    previous = Some((clause, clause_raw, any));
                    // A mention in a clause with no sentiment words takes its sentence's tone.
                    total += if any {
                        normalize(clause_raw)
                    } else {
                        sentence_score(scored, mention.tokens.start)
                    };
                }
                let score = total / mentions.len().max(1) as f32;
                ThemeMatch {
                    target,
                    mentions,
                    score,
                    label: Label::from_score(score),
                    sentiment_hits: hit_indexes,
                }
            })
            .collect();
        matches.sort_by_key(|m| m.target);
        matches
    }

    pub fn theme_label(&self, target: Target) -> (&str, &str, Option<(&str, &str)>) {
        let theme = &self.taxonomy.themes[target.theme as usize];
        let sub = target.sub.map(|s| {
            let sub = &theme.subs[s as usize];
            (sub.id.as_str(), sub.label.as_str())
        });
        (theme.id.as_str(), theme.label.as_str(), sub)
    }
}

/// Undoes contrast weighting: inside its own clause a word counts at face value.
fn without_contrast(valence: f32, rules: u16) -> f32 {
    if rules & rule::BEFORE_CONTRAST != 0 {
        valence / 0.5
    } else if rules & rule::AFTER_CONTRAST != 0 {
        valence / 1.5
    } else {
        valence
    }
}

fn sentence_score(scored: &DocScore, token: usize) -> f32 {
    // Sentences are consecutive token ranges: the one holding `token` is the first that ends
    // after it.
    let index = scored.sentences.partition_point(|s| s.tokens.end <= token);
    crate::work::count(scored.sentences.len().max(1).ilog2() as usize + 1);
    scored
        .sentences
        .get(index)
        .filter(|s| s.tokens.contains(&token))
        .map_or(0.0, |s| s.score)
}

/// The indexes of the hits that lie wholly inside `clause`. Hits are in token order and do
/// not overlap, so their starts and their ends both rise and the indexes are one range.
fn hits_within(scored: &DocScore, clause: Range<usize>) -> Range<usize> {
    let hits = &scored.hits;
    let first = hits.partition_point(|hit| hit.tokens.start < clause.start);
    let end = hits.partition_point(|hit| hit.tokens.end <= clause.end);
    crate::work::count(2 * (hits.len().max(1).ilog2() as usize + 1));
    first..end.max(first)
}

/// The sentence holding token `token`, if any.
fn sentence_of(doc: &Doc<'_>, token: usize) -> Option<Range<usize>> {
    let index = doc.sentences.partition_point(|s| s.end <= token);
    crate::work::count(doc.sentences.len().max(1).ilog2() as usize + 1);
    doc.sentences
        .get(index)
        .filter(|s| s.contains(&token))
        .cloned()
}

fn is_clause_word(norm: &str) -> bool {
    matches!(
        norm,
        "but"
            | "however"
            | "although"
            | "though"
            | "whereas"
            | "while"
            | "whilst"
            | "yet"
            | "except"
    )
}

/// The clause around `tokens`: bounded by punctuation, sentence ends and contrast words.
pub fn clause_around(doc: &Doc<'_>, tokens: Range<usize>) -> Range<usize> {
    let sentence = sentence_of(doc, tokens.start).unwrap_or(0..doc.tokens.len());
    let mut start = tokens.start;
    while start > sentence.start
        && doc.tokens[start - 1].brk == Break::None
        && !is_clause_word(doc.norm_of(start - 1))
    {
        start -= 1;
    }
    let mut end = tokens.end;
    while end < sentence.end
        && doc.tokens[end - 1].brk == Break::None
        && !is_clause_word(doc.norm_of(end))
    {
        end += 1;
    }
    crate::work::count(tokens.start - start + end - tokens.end);
    start..end
}

/// `clause_around` for every token at once: where the walk left from each token stops, and
/// where the walk right from each token end stops, each within its sentence. Walking out from
/// every mention instead would read a long clause again for each mention in it.
struct Clauses {
    /// `starts[i]`: the clause start found walking left from token `i`.
    starts: Vec<u32>,
    /// `ends[e]`: the clause end found walking right from token end `e` (1..=tokens).
    ends: Vec<u32>,
}

impl Clauses {
    fn new(doc: &Doc<'_>) -> Clauses {
        let count = doc.tokens.len();
        crate::work::count(count);
        let clause_word: Vec<bool> = (0..count).map(|i| is_clause_word(doc.norm_of(i))).collect();
        let joined = |i: usize| doc.tokens[i].brk == Break::None;
        let mut starts = vec![0; count];
        let mut ends = vec![0; count + 1];
        for sentence in &doc.sentences {
            for i in sentence.clone() {
                starts[i] = if i > sentence.start && joined(i - 1) && !clause_word[i - 1] {
                    starts[i - 1]
                } else {
                    i as u32
                };
            }
            for e in (sentence.start + 1..=sentence.end).rev() {
                ends[e] = if e < sentence.end && joined(e - 1) && !clause_word[e] {
                    ends[e + 1]
                } else {
                    e as u32
                };
            }
        }
        Clauses { starts, ends }
    }

    /// The same as `clause_around(doc, tokens)`.
    fn around(&self, doc: &Doc<'_>, tokens: Range<usize>) -> Range<usize> {
        let Some(sentence) = sentence_of(doc, tokens.start) else {
            return clause_around(doc, tokens);
        };
        let start = self.starts[tokens.start] as usize;
        // A mention reaching past its sentence (a proximity window) is not walked out of.
        let end = if tokens.end < sentence.end {
            self.ends[tokens.end] as usize
        } else {
            tokens.end
        };
        start..end
    }
}

/// Smallest window of `(rule, term, token)` hits containing every term within `within` tokens.
fn proximity_window(
    hits: &[(u32, u8, usize)],
    terms: usize,
    within: usize,
) -> Option<Range<usize>> {
    let mut positions: Vec<(usize, u8)> = hits.iter().map(|h| (h.2, h.1)).collect();
    positions.sort_unstable();
    for (i, &(start, _)) in positions.iter().enumerate() {
        let mut seen = 0u64;
        for &(position, term) in &positions[i..] {
            if position - start > within {
                break;
            }
            seen |= 1 << term;
            if seen.count_ones() as usize == terms {
                return Some(start..position + 1);
            }
        }
    }
    None
}
