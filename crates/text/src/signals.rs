//! Emotion, effort and intent: cue phrases from `data/en_signals.tsv` plus a few rules on
//! punctuation and sentiment (a `?` asks a question; strong negative tone is a complaint).

use std::ops::Range;

use crate::lexicon::Lexicon;
use crate::phrases::PhraseIndex;
use crate::sentiment::DocScore;
use crate::tokenize::{Break, Doc};

const EN_SIGNALS: &str = include_str!("../data/en_signals.tsv");

pub const EMOTIONS: [&str; 6] = [
    "anger",
    "frustration",
    "disappointment",
    "confusion",
    "joy",
    "gratitude",
];
pub const INTENTS: [&str; 6] = [
    "churn",
    "complaint",
    "praise",
    "suggestion",
    "question",
    "urgency",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SignalKind {
    Emotion,
    Effort,
    Intent,
}

#[derive(Clone, Copy, Debug)]
struct Cue {
    kind: SignalKind,
    label: &'static str,
}

/// Why a signal fired: the tokens and the rule.
#[derive(Clone, Debug)]
pub struct SignalEvidence {
    pub tokens: Range<usize>,
    pub rule: &'static str,
}

#[derive(Clone, Debug)]
pub struct Signal {
    pub kind: SignalKind,
    pub label: &'static str,
    pub evidence: Vec<SignalEvidence>,
}

pub struct SignalModel {
    index: PhraseIndex<Cue>,
}

fn intern(label: &str) -> &'static str {
    EMOTIONS
        .iter()
        .chain(INTENTS.iter())
        .chain(["high", "low"].iter())
        .find(|known| **known == label)
        .copied()
        .unwrap_or("other")
}

impl SignalModel {
    pub fn english() -> SignalModel {
        let cues = EN_SIGNALS
            .lines()
            .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
            .filter_map(|line| {
                let mut fields = line.split('\t');
                let kind = match fields.next()? {
                    "emotion" => SignalKind::Emotion,
                    "effort" => SignalKind::Effort,
                    "intent" => SignalKind::Intent,
                    _ => return None,
                };
                let label = intern(fields.next()?);
                Some((fields.next()?.to_string(), Cue { kind, label }))
            });
        SignalModel {
            index: PhraseIndex::new(cues),
        }
    }

    pub fn detect(&self, doc: &Doc<'_>, lexicon: &Lexicon, scored: &DocScore) -> Vec<Signal> {
        let mut signals: Vec<Signal> = Vec::new();
        let mut add = |kind, label, tokens, rule| match signals
            .iter_mut()
            .find(|s| s.kind == kind && s.label == label)
        {
            Some(signal) => signal.evidence.push(SignalEvidence { tokens, rule }),
            None => signals.push(Signal {
                kind,
                label,
                evidence: vec![SignalEvidence { tokens, rule }],
            }),
        };
        for (tokens, cue) in self.index.find_all(doc) {
            let negated = negated(doc, lexicon, tokens.start);
            match (cue.kind, negated) {
                (SignalKind::Effort, true) if cue.label == "low" => {
                    add(SignalKind::Effort, "high", tokens, "negated low-effort cue")
                }
                (_, true) => {}
                (kind, false) => add(kind, cue.label, tokens, "cue"),
            }
        }
        for (index, token) in doc.tokens.iter().enumerate() {
            if token.questions > 0 {
                add(
                    SignalKind::Intent,
                    "question",
                    index..index + 1,
                    "question mark",
                );
            }
        }
        let strongest = |negative: bool| {
            scored
                .hits
                .iter()
                .filter(|hit| (hit.valence < 0.0) == negative)
                .max_by(|a, b| a.valence.abs().total_cmp(&b.valence.abs()))
                .map(|hit| hit.tokens.clone())
        };
        if scored.score <= -0.5 {
            if let Some(tokens) = strongest(true) {
                add(
                    SignalKind::Intent,
                    "complaint",
                    tokens,
                    "strongly negative sentiment",
                );
            }
        }
        if scored.score >= 0.6 {
            if let Some(tokens) = strongest(false) {
                add(
                    SignalKind::Intent,
                    "praise",
                    tokens,
                    "strongly positive sentiment",
                );
            }
        }
        signals.sort_by_key(|s| (s.kind, s.label));
        signals
    }
}

/// True when a negator precedes `start` within three tokens of the same clause.
fn negated(doc: &Doc<'_>, lexicon: &Lexicon, start: usize) -> bool {
    for distance in 1..=3 {
        let Some(at) = start.checked_sub(distance) else {
            return false;
        };
        if doc.tokens[at].brk != Break::None {
            return false;
        }
        if lexicon.is_negator(doc.norm_of(at)) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentiment::SentimentModel;
    use crate::tokenize::tokenize;

    fn check(text: &str, expected: &[&str]) {
        let sentiment = SentimentModel::new(Lexicon::english());
        let model = SignalModel::english();
        let doc = tokenize(text, &sentiment.lexicon);
        let scored = sentiment.score(&doc);
        let found: Vec<String> = model
            .detect(&doc, &sentiment.lexicon, &scored)
            .iter()
            .map(|s| format!("{:?}:{}", s.kind, s.label).to_lowercase())
            .collect();
        assert_eq!(found, expected, "{text}");
    }

    #[test]
    fn emotions_effort_and_intents() {
        check(
            "I am furious, this is unacceptable",
            &["emotion:anger", "intent:complaint"],
        );
        check(
            "I'm not angry, just tired of waiting",
            &["emotion:frustration"],
        );
        check(
            "Thank you so much, really grateful",
            &["emotion:gratitude", "intent:praise"],
        );
        check(
            "I had to call several times and was on hold",
            &["effort:high", "intent:complaint"],
        );
        check("It wasn't easy to find the form", &["effort:high"]);
        check("Signing up was quick and easy", &["effort:low"]);
        check("I'm switching to another provider", &["intent:churn"]);
        check("How do I change my address?", &["intent:question"]);
        check("You should add a dark mode", &["intent:suggestion"]);
        check("Please call me back asap", &["intent:urgency"]);
    }
}
