//! Theme discovery: groups comments the taxonomy does not cover into candidate themes, each with
//! its characteristic phrases and example comments, for an analyst to name and promote.
//!
//! Method: stemmed content words and adjacent-word bigrams per comment; the most frequent term
//! (bigrams count double, being more specific) seeds a group of the comments containing it; terms
//! whose comments mostly fall in the group join it; the group's phrases are its terms ranked by
//! lift over the whole collection. Repeat on the comments left. Deterministic, no training.

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::tokenize::{tokenize, Break, TokenKind};
use crate::Analyzer;

#[derive(Clone, Debug)]
pub struct DiscoverOptions {
    /// Smallest number of comments a candidate theme must have.
    pub min_documents: usize,
    pub max_themes: usize,
    pub max_phrases: usize,
    pub max_examples: usize,
    /// Also cluster comments that already match the taxonomy.
    pub include_covered: bool,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        DiscoverOptions {
            min_documents: 3,
            max_themes: 10,
            max_phrases: 6,
            max_examples: 3,
            include_covered: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CandidatePhrase {
    pub phrase: String,
    /// Comments in the candidate that contain it.
    pub documents: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CandidateTheme {
    /// A suggested name: the top phrase.
    pub name: String,
    pub phrases: Vec<CandidatePhrase>,
    /// Indexes into the input of the comments in this candidate.
    pub documents: Vec<usize>,
    /// Share of all input comments.
    pub share: f32,
    pub examples: Vec<String>,
    pub mean_sentiment: f32,
}

const STOPWORDS: &[&str] = &[
    "the", "and", "was", "were", "are", "is", "it's", "its", "this", "that", "with", "for", "you",
    "your", "they", "them", "their", "have", "has", "had", "but", "not", "from", "our", "out",
    "all", "can", "could", "would", "will", "just", "get", "got", "been", "very", "really",
    "there", "what", "when", "which", "who", "how", "why", "then", "than", "too", "also", "about",
    "into", "over", "after", "again", "some", "any", "more", "most", "much", "one", "two", "did",
    "does", "don't", "didn't", "i'm", "i've", "we're", "you're", "she", "him", "her", "his",
    "hers", "because", "only", "even", "still", "now", "here", "off", "way", "make", "made",
    "said", "say", "see", "use", "used", "like", "know", "thing", "things", "lot", "being",
    "should", "these", "those", "other", "such", "each", "both", "where", "while", "per", "via",
    "yet",
];

struct Term {
    display: String,
    bigram: bool,
}

/// Groups uncovered comments into candidate themes, largest first.
pub fn discover_themes(
    texts: &[&str],
    analyzer: &Analyzer,
    options: &DiscoverOptions,
) -> Vec<CandidateTheme> {
    let stemmer = Stemmer::create(Algorithm::English);
    let mut terms: Vec<Term> = Vec::new();
    let mut term_ids: FxHashMap<String, u32> = FxHashMap::default();
    let mut doc_terms: Vec<Vec<u32>> = vec![Vec::new(); texts.len()];
    let mut pool: Vec<usize> = Vec::new();
    for (index, text) in texts.iter().enumerate() {
        let doc = tokenize(text, analyzer.lexicon());
        if !options.include_covered && !analyzer.compiled_taxonomy().mentions(&doc).is_empty() {
            continue;
        }
        let mut ids = FxHashSet::default();
        let mut previous: Option<(String, String)> = None;
        for (at, token) in doc.tokens.iter().enumerate() {
            let norm = doc.norm_of(at);
            let content = token.kind == TokenKind::Word
                && norm.chars().count() >= 3
                && norm
                    .chars()
                    .all(|c| c.is_alphabetic() || c == '\'' || c == '-')
                && !STOPWORDS.contains(&norm)
                && !analyzer.lexicon().is_negator(norm);
            if !content {
                previous = None;
                continue;
            }
            let stem = stemmer.stem(norm).into_owned();
            let mut intern = |key: String, display: String, bigram: bool| {
                let next = terms.len() as u32;
                let id = *term_ids.entry(key).or_insert_with(|| {
                    terms.push(Term { display, bigram });
                    next
                });
                ids.insert(id);
            };
            intern(stem.clone(), norm.to_string(), false);
            if let Some((previous_stem, previous_norm)) = &previous {
                intern(
                    format!("{previous_stem} {stem}"),
                    format!("{previous_norm} {norm}"),
                    true,
                );
            }
            previous = (token.brk == Break::None).then(|| (stem, norm.to_string()));
        }
        if !ids.is_empty() {
            let mut ids: Vec<u32> = ids.into_iter().collect();
            ids.sort_unstable();
            doc_terms[index] = ids;
            pool.push(index);
        }
    }
    let total_docs = texts.len().max(1) as f32;
    let mut all_df = vec![0usize; terms.len()];
    for &doc in &pool {
        for &term in &doc_terms[doc] {
            all_df[term as usize] += 1;
        }
    }
    let max_df = (pool.len() / 2).max(options.min_documents);
    let mut candidates = Vec::new();
    let mut remaining: FxHashSet<usize> = pool.iter().copied().collect();
    while candidates.len() < options.max_themes {
        let mut df = vec![0usize; terms.len()];
        for &doc in &remaining {
            for &term in &doc_terms[doc] {
                df[term as usize] += 1;
            }
        }
        let seed = (0..terms.len())
            .filter(|&t| df[t] >= options.min_documents && all_df[t] <= max_df)
            .max_by(|&a, &b| {
                let weight = |t: usize| df[t] as f32 * if terms[t].bigram { 2.0 } else { 1.0 };
                weight(a).total_cmp(&weight(b)).then(b.cmp(&a))
            });
        let Some(seed) = seed else { break };
        let mut members: FxHashSet<usize> = remaining
            .iter()
            .copied()
            .filter(|&d| doc_terms[d].binary_search(&(seed as u32)).is_ok())
            .collect();
        // Terms with at least three quarters of their comments in the group pull the rest in.
        let mut in_group = vec![0usize; terms.len()];
        for &doc in &members {
            for &term in &doc_terms[doc] {
                in_group[term as usize] += 1;
            }
        }
        let joiners: Vec<u32> = (0..terms.len())
            .filter(|&t| {
                t != seed && in_group[t] >= options.min_documents && in_group[t] * 4 >= df[t] * 3
            })
            .map(|t| t as u32)
            .collect();
        for &doc in &remaining {
            if joiners
                .iter()
                .any(|t| doc_terms[doc].binary_search(t).is_ok())
            {
                members.insert(doc);
            }
        }
        let mut member_list: Vec<usize> = members.iter().copied().collect();
        member_list.sort_unstable();
        let mut counts: FxHashMap<u32, usize> = FxHashMap::default();
        for &doc in &member_list {
            for &term in &doc_terms[doc] {
                *counts.entry(term).or_default() += 1;
            }
        }
        let size = member_list.len() as f32;
        let mut ranked: Vec<(u32, usize, f32)> = counts
            .into_iter()
            .filter(|&(_, count)| count >= 2.min(member_list.len()))
            .map(|(term, count)| {
                let lift = (count as f32 / size)
                    / ((all_df[term as usize] as f32 + 1.0) / (total_docs + 1.0));
                let specificity = if terms[term as usize].bigram {
                    1.5
                } else {
                    1.0
                };
                (term, count, lift.ln_1p() * count as f32 * specificity)
            })
            .collect();
        ranked.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        ranked.truncate(options.max_phrases);
        let top: Vec<u32> = ranked.iter().map(|r| r.0).collect();
        let mut examples: Vec<(usize, usize)> = member_list
            .iter()
            .map(|&d| {
                (
                    top.iter()
                        .filter(|t| doc_terms[d].binary_search(t).is_ok())
                        .count(),
                    d,
                )
            })
            .collect();
        examples.sort_by(|a, b| b.0.cmp(&a.0).then(texts[a.1].len().cmp(&texts[b.1].len())));
        let mean_sentiment = member_list
            .iter()
            .map(|&d| analyzer.sentiment_score(texts[d]))
            .sum::<f32>()
            / size.max(1.0);
        candidates.push(CandidateTheme {
            name: terms[ranked.first().map_or(seed as u32, |r| r.0) as usize]
                .display
                .clone(),
            phrases: ranked
                .iter()
                .map(|&(term, documents, _)| CandidatePhrase {
                    phrase: terms[term as usize].display.clone(),
                    documents,
                })
                .collect(),
            share: size / total_docs,
            examples: examples
                .iter()
                .take(options.max_examples)
                .map(|&(_, d)| texts[d].to_string())
                .collect(),
            documents: member_list.clone(),
            mean_sentiment,
        });
        for doc in member_list {
            remaining.remove(&doc);
        }
    }
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_uncovered_comments_by_shared_phrases() {
        let texts = [
            "The loyalty points never showed up on my card",
            "Where are my loyalty points from last month",
            "Loyalty points expired without warning",
            "I love the loyalty points scheme honestly",
            "The gift wrapping was beautiful",
            "Gift wrapping option is a nice touch",
            "Please bring back the gift wrapping",
            "The delivery was late",
            "Random remark about weather",
        ];
        let analyzer = Analyzer::new();
        let found = discover_themes(&texts, &analyzer, &DiscoverOptions::default());
        let names: Vec<&str> = found.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["loyalty points", "gift wrapping"], "{found:#?}");
        assert_eq!(found[0].documents, [0, 1, 2, 3]);
        assert!(
            !found[0].documents.contains(&7),
            "covered by the delivery theme"
        );
        assert_eq!(found[1].examples.len(), 3);
    }
}
