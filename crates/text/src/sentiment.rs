//! Rule-based sentiment: valence per word, phrase, emoji and emoticon, shaped by negation,
//! boosters, contrast and emphasis, summed per sentence and per document.
//!
//! Scores live on the lexicon's -4..4 scale while summing and are squashed into [-1, 1] at the
//! end with `x / sqrt(x² + 15)`, the normalisation VADER's paper uses, so a score of ±0.05 means
//! about the same thing here as there. Every contributing token is kept as a `Hit` with the
//! rules that shaped it, which is what the explanation shows.

use std::ops::Range;

use serde::Serialize;

use crate::lexicon::{flag, Lexicon, PhraseEffect};
use crate::tokenize::{Break, Doc, Token, TokenKind};

/// Scores within this distance of 0 are neutral (the convention VADER documents).
pub const NEUTRAL_BAND: f32 = 0.05;
const NORMALIZE_ALPHA: f32 = 15.0;
/// How far back (in tokens) a booster or negator reaches.
const SCOPE: usize = 3;
const BOOSTER_DECAY: [f32; SCOPE] = [1.0, 0.95, 0.9];
const CAPS_BOOST: f32 = 0.733;
/// Negated positives turn clearly negative ("not good"); negated negatives only turn mildly
/// positive ("not bad" is faint praise), so the two directions scale differently.
const NEGATE_POSITIVE: f32 = -0.74;
const NEGATE_NEGATIVE: f32 = -0.5;
const CONTRAST_BEFORE: f32 = 0.5;
const CONTRAST_AFTER: f32 = 1.5;
const EXCLAIM_BOOST: f32 = 0.292;
const QUESTION_BOOST: f32 = 0.18;

/// A sentiment label. `Mixed` means clear positive and clear negative parts of similar weight.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Negative,
    Neutral,
    Positive,
    Mixed,
}

impl Label {
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Negative => "negative",
            Label::Neutral => "neutral",
            Label::Positive => "positive",
            Label::Mixed => "mixed",
        }
    }

    /// The polarity label a score alone implies (never `Mixed`).
    pub fn from_score(score: f32) -> Label {
        if score >= NEUTRAL_BAND {
            Label::Positive
        } else if score <= -NEUTRAL_BAND {
            Label::Negative
        } else {
            Label::Neutral
        }
    }
}

/// Rules that shaped a hit, as bit flags (names in `RULE_NAMES`).
pub mod rule {
    pub const WORD: u16 = 1;
    pub const PHRASE: u16 = 1 << 1;
    pub const EMOJI: u16 = 1 << 2;
    pub const EMOTICON: u16 = 1 << 3;
    pub const BOOSTED: u16 = 1 << 4;
    pub const DAMPENED: u16 = 1 << 5;
    pub const NEGATED: u16 = 1 << 6;
    pub const CAPS: u16 = 1 << 7;
    pub const BEFORE_CONTRAST: u16 = 1 << 8;
    pub const AFTER_CONTRAST: u16 = 1 << 9;
    pub const EXCLAMATION: u16 = 1 << 10;
    pub const QUESTION: u16 = 1 << 11;
    /// How often or how long ("14 times", "third time"), see `repeats`.
    pub const REPEAT: u16 = 1 << 12;
    /// Praise reversed as sarcasm, see `sarcasm`.
    pub const SARCASM: u16 = 1 << 13;
}

pub const RULE_NAMES: [&str; 14] = [
    "lexicon",
    "phrase",
    "emoji",
    "emoticon",
    "booster",
    "dampener",
    "negation",
    "caps emphasis",
    "before contrast (weakened)",
    "after contrast (strengthened)",
    "exclamation emphasis",
    "question emphasis",
    "repeated or long wait",
    "sarcasm (reversed)",
];

pub fn rule_names(rules: u16) -> Vec<&'static str> {
    (0..RULE_NAMES.len())
        .filter(|bit| rules & (1 << bit) != 0)
        .map(|bit| RULE_NAMES[bit])
        .collect()
}

/// One token or phrase that moved the score.
#[derive(Clone, Debug)]
pub struct Hit {
    pub tokens: Range<usize>,
    /// Lexicon valence before any rule.
    pub base: f32,
    /// Valence after negation, boosters, caps and contrast.
    pub valence: f32,
    pub rules: u16,
}

#[derive(Clone, Debug)]
pub struct SentenceScore {
    pub tokens: Range<usize>,
    /// Index range into `DocScore::hits`.
    pub hits: Range<usize>,
    /// Sum of hit valences plus emphasis, on the lexicon scale.
    pub raw: f32,
    pub rules: u16,
    pub score: f32,
    pub label: Label,
}

#[derive(Clone, Debug)]
pub struct DocScore {
    pub sentences: Vec<SentenceScore>,
    pub hits: Vec<Hit>,
    pub score: f32,
    pub label: Label,
}

/// Valence of a token on its own with the rule that gives it (the tokenizer stores word, emoji
/// and emoticon valences in `Token::info`; other kinds have none).
fn token_valence(token: &Token) -> Option<(f32, u16)> {
    let rule = match token.kind {
        TokenKind::Word => rule::WORD,
        TokenKind::Emoji => rule::EMOJI,
        TokenKind::Emoticon => rule::EMOTICON,
        _ => return None,
    };
    token.info.valence.map(|v| (v, rule))
}

/// Squashes a lexicon-scale sum into [-1, 1].
pub fn normalize(raw: f32) -> f32 {
    (raw / (raw * raw + NORMALIZE_ALPHA).sqrt()).clamp(-1.0, 1.0)
}

/// Label for a set of hits: `Mixed` when both sides are clear and neither dominates.
pub fn label_for(score: f32, hits: &[Hit]) -> Label {
    let (mut positive, mut negative) = (0.0f32, 0.0f32);
    for hit in hits {
        if hit.valence > 0.0 {
            positive += hit.valence;
        } else {
            negative -= hit.valence;
        }
    }
    let (small, large) = (positive.min(negative), positive.max(negative));
    if small >= 1.0 && small >= 0.5 * large && score.abs() < 0.5 {
        Label::Mixed
    } else {
        Label::from_score(score)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Free,
    PhraseStart {
        end: usize,
        effect: PhraseEffect,
    },
    PhraseInner,
    /// Starts a `repeats` cue ("14 times") ending before `end`.
    Repeat {
        end: usize,
        valence: f32,
    },
}

/// Reusable buffers for scoring, so scoring many texts allocates nothing after the first.
#[derive(Default)]
pub struct ScoreScratch {
    found: Vec<(Range<usize>, PhraseEffect)>,
    repeats: Vec<(Range<usize>, f32)>,
    roles: Vec<Role>,
    pub hits: Vec<Hit>,
    pub sentences: Vec<SentenceScore>,
}

impl ScoreScratch {
    /// Takes back the buffers a `DocScore` from `score_with` borrowed.
    pub fn recycle(&mut self, scored: DocScore) {
        self.hits = scored.hits;
        self.sentences = scored.sentences;
    }
}

/// The sentiment scorer for one language.
pub struct SentimentModel {
    pub lexicon: Lexicon,
}

impl SentimentModel {
    pub fn new(lexicon: Lexicon) -> SentimentModel {
        SentimentModel { lexicon }
    }

    pub fn score(&self, doc: &Doc<'_>) -> DocScore {
        let mut scratch = ScoreScratch::default();
        self.score_with(doc, &mut scratch)
    }

    /// Scores with reused buffers; the returned `DocScore` owns the hit and sentence buffers,
    /// which `recycle` hands back.
    pub fn score_with(&self, doc: &Doc<'_>, scratch: &mut ScoreScratch) -> DocScore {
        let (score, label) = self.score_into(doc, scratch, true);
        DocScore {
            sentences: std::mem::take(&mut scratch.sentences),
            hits: std::mem::take(&mut scratch.hits),
            score,
            label,
        }
    }

    /// Document score only, with reused buffers (the fast path).
    pub fn score_only(&self, doc: &Doc<'_>, scratch: &mut ScoreScratch) -> f32 {
        self.score_into(doc, scratch, false).0
    }

    /// Fills `scratch.hits` and `scratch.sentences`; returns the document score and label.
    /// Without `labels` (the score-only path) every label is left `Neutral` and sentence
    /// scores 0: neither feeds back into the document score.
    fn score_into(&self, doc: &Doc<'_>, scratch: &mut ScoreScratch, labels: bool) -> (f32, Label) {
        let ScoreScratch {
            found,
            repeats,
            roles,
            hits,
            sentences,
        } = scratch;
        hits.clear();
        sentences.clear();
        roles.clear();
        roles.resize(doc.tokens.len(), Role::Free);
        // Phrase first words carry their phrase list number from the lexicon lookup.
        let heads = doc.token_set(doc.phrase_heads, 0..doc.tokens.len());
        self.lexicon
            .phrase_index
            .find_longest(doc, heads, |at| doc.tokens[at].info.phrase, found);
        // Tokens that may start a hit: those with a valence and phrases with one.
        let mut starts = doc.valence_tokens;
        for (range, effect) in found.drain(..) {
            if matches!(effect, PhraseEffect::Valence(_)) && range.start < 64 {
                starts |= 1 << range.start;
            }
            roles[range.start] = Role::PhraseStart {
                end: range.end,
                effect,
            };
            for role in &mut roles[range.start + 1..range.end] {
                *role = Role::PhraseInner;
            }
        }
        // Counts and durations, where no phrase already covers their words.
        crate::repeats::find(doc, repeats);
        for (range, valence) in repeats.drain(..) {
            if roles[range.clone()].iter().any(|role| *role != Role::Free) {
                continue;
            }
            if range.start < 64 {
                starts |= 1 << range.start;
            }
            roles[range.start] = Role::Repeat {
                end: range.end,
                valence,
            };
            for role in &mut roles[range.start + 1..range.end] {
                *role = Role::PhraseInner;
            }
        }
        for range in &doc.sentences {
            let first_hit = hits.len();
            self.score_sentence(doc, roles, range.clone(), starts, hits);
            if doc.flags & flag::SARCASM_CUE != 0 {
                crate::sarcasm::reverse(doc, range.clone(), &mut hits[first_hit..]);
            }
            let mut raw: f32 = hits[first_hit..].iter().map(|h| h.valence).sum();
            let mut rules = 0;
            // Emphasis only strengthens a sentence that has a score.
            let (mut exclaims, mut questions) = (0u32, 0u32);
            if raw != 0.0 {
                for token in &doc.tokens[range.clone()] {
                    exclaims += token.exclaims as u32;
                    questions += token.questions as u32;
                }
            }
            if raw != 0.0 && exclaims > 0 {
                raw += raw.signum() * EXCLAIM_BOOST * exclaims.min(4) as f32;
                rules |= rule::EXCLAMATION;
            }
            if raw != 0.0 && questions > 1 {
                raw += raw.signum() * QUESTION_BOOST * questions.min(4) as f32;
                rules |= rule::QUESTION;
            }
            // The document score needs only `raw`; a sentence's own score is for explanations.
            let (score, label) = if labels {
                let score = normalize(raw);
                (score, label_for(score, &hits[first_hit..]))
            } else {
                (0.0, Label::Neutral)
            };
            sentences.push(SentenceScore {
                tokens: range.clone(),
                hits: first_hit..hits.len(),
                raw,
                rules,
                score,
                label,
            });
        }
        // A sentence opening with "but" / "however" weakens the sentence before it.
        let mut total = 0.0;
        for index in 0..sentences.len() {
            let opens_with_contrast = index > 0
                && contrast_cue(doc, sentences[index].tokens.start)
                && matches!(
                    doc.norm_of(sentences[index].tokens.start),
                    "but" | "however" | "nevertheless" | "nonetheless"
                );
            total += sentences[index].raw;
            if opens_with_contrast {
                total -= sentences[index - 1].raw * (1.0 - CONTRAST_BEFORE);
            }
        }
        let score = normalize(total);
        let label = if labels {
            label_for(score, hits)
        } else {
            Label::Neutral
        };
        (score, label)
    }

    /// True when a sentiment-bearing token follows `index` within `reach` tokens of its clause.
    fn valence_follows(
        doc: &Doc<'_>,
        roles: &[Role],
        index: usize,
        end: usize,
        reach: usize,
    ) -> bool {
        let mut at = index;
        for _ in 0..reach {
            if doc.tokens[at].brk != Break::None || at + 1 >= end {
                return false;
            }
            at += 1;
            match roles[at] {
                Role::PhraseStart {
                    effect: PhraseEffect::Valence(v),
                    ..
                } if v != 0.0 => return true,
                Role::Free if doc.tokens[at].info.valence.is_some() => return true,
                Role::Repeat { .. } => return true,
                _ => {}
            }
        }
        false
    }

    /// Adds the hits of one sentence. `starts` (bits as in `Doc::token_set`) holds every
    /// token that may start a hit; the others are skipped unseen.
    fn score_sentence(
        &self,
        doc: &Doc<'_>,
        roles: &[Role],
        range: Range<usize>,
        starts: u64,
        hits: &mut Vec<Hit>,
    ) {
        let contrast = if doc.flags & flag::CONTRAST_CUE != 0 {
            find_contrast(doc, range.clone())
        } else {
            None
        };
        // Tokens before `next` belong to a phrase already scored.
        let mut next = range.start;
        for index in doc.token_set(starts, range.clone()) {
            if index < next {
                continue;
            }
            let (span_end, base, mut rules) = match roles[index] {
                Role::PhraseInner
                | Role::PhraseStart {
                    effect: PhraseEffect::Booster(_),
                    ..
                } => continue,
                Role::PhraseStart {
                    effect: PhraseEffect::Valence(v),
                    end,
                } => (end, v, rule::PHRASE),
                Role::Repeat { end, valence } => (end, valence, rule::REPEAT),
                Role::Free => {
                    let token_info = doc.tokens[index].info;
                    let valence = token_valence(&doc.tokens[index]);
                    let acts_as_modifier = valence.is_some()
                        && ((token_info.booster.is_some()
                            && Self::valence_follows(doc, roles, index, range.end, 1))
                            || (token_info.flags & flag::SCORE_NEGATOR != 0
                                && Self::valence_follows(doc, roles, index, range.end, SCOPE)));
                    match valence {
                        Some((v, rules)) if !acts_as_modifier => (index + 1, v, rules),
                        _ => continue,
                    }
                }
            };
            if base == 0.0 {
                next = span_end;
                continue;
            }
            let mut valence = base;
            let sign = base.signum();
            let token = &doc.tokens[index];
            if token.caps && doc.mixed_case {
                valence += sign * CAPS_BOOST;
                rules |= rule::CAPS;
            }
            let mut negated = false;
            let mut counterfactual = false;
            for distance in 1..=SCOPE {
                let Some(at) = index.checked_sub(distance).filter(|&at| at >= range.start) else {
                    break;
                };
                if doc.tokens[at].brk != Break::None {
                    break;
                }
                let boost = match roles[at] {
                    Role::Free => {
                        // Any negator in scope negates once: "don't care, don't care" repeats
                        // a negation rather than cancelling it.
                        let token = &doc.tokens[at];
                        negated |= token.info.flags & flag::SCORE_NEGATOR != 0
                            || multi_word_negator(doc, at, range.start);
                        // "could have been a great movie": a missed chance, not praise.
                        counterfactual |= base > 0.0 && is_counterfactual(doc, at, range.start);
                        token.info.booster.map(|b| (b, token.caps))
                    }
                    Role::PhraseStart {
                        effect: PhraseEffect::Booster(b),
                        ..
                    } => Some((b, false)),
                    _ => None,
                };
                if let Some((mut amount, caps)) = boost {
                    if caps && doc.mixed_case {
                        amount += amount.signum() * CAPS_BOOST;
                    }
                    valence += sign * amount * BOOSTER_DECAY[distance - 1];
                    rules |= if amount > 0.0 {
                        rule::BOOSTED
                    } else {
                        rule::DAMPENED
                    };
                }
            }
            if negated || counterfactual {
                valence *= if valence > 0.0 {
                    NEGATE_POSITIVE
                } else {
                    NEGATE_NEGATIVE
                };
                rules |= rule::NEGATED;
            }
            if let Some((before_end, after_start)) = contrast {
                if index < before_end {
                    valence *= CONTRAST_BEFORE;
                    rules |= rule::BEFORE_CONTRAST;
                } else if index >= after_start {
                    valence *= CONTRAST_AFTER;
                    rules |= rule::AFTER_CONTRAST;
                }
            }
            hits.push(Hit {
                tokens: index..span_end,
                base,
                valence,
                rules,
            });
            next = span_end;
        }
    }
}

/// Words the multi-word negation and counterfactual rules start from; the lexicon flags them
/// (`flag::SCOPE_CUE`), so other tokens are skipped without comparing text.
pub(crate) const SCOPE_CUES: [&str; 2] = ["from", "been"];

/// True when token `at` may be "from" or "been" (see `SCOPE_CUES`).
fn scope_cue(doc: &Doc<'_>, at: usize) -> bool {
    doc.tokens[at].info.flags & flag::SCOPE_CUE != 0
}

/// "far from" negates like "not" ("far from perfect").
fn multi_word_negator(doc: &Doc<'_>, at: usize, start: usize) -> bool {
    scope_cue(doc, at)
        && at > start
        && doc.tokens[at - 1].brk == Break::None
        && doc.norm_of(at) == "from"
        && doc.norm_of(at - 1) == "far"
}

/// True when token `at` is "been" in "could have been" / "should have been" (or "could've
/// been"): what follows did not happen. "would have been" is left alone: it is as often a
/// compliment ("that would have been perfect") as a regret.
fn is_counterfactual(doc: &Doc<'_>, at: usize, start: usize) -> bool {
    if !scope_cue(doc, at)
        || doc.norm_of(at) != "been"
        || at <= start
        || doc.tokens[at - 1].brk != Break::None
    {
        return false;
    }
    match doc.norm_of(at - 1) {
        "could've" | "should've" => true,
        "have" => {
            at > start + 1
                && doc.tokens[at - 2].brk == Break::None
                && matches!(doc.norm_of(at - 2), "could" | "should")
        }
        _ => false,
    }
}

/// Every word `find_contrast` and the sentence-opening contrast rule look for. The lexicon
/// flags them (`flag::CONTRAST_CUE`), so other tokens are skipped without comparing text.
pub(crate) const CONTRAST_CUES: [&str; 11] = [
    "but",
    "however",
    "nevertheless",
    "nonetheless",
    "except",
    "yet",
    "although",
    "though",
    "despite",
    "whilst",
    "whereas",
];

/// True when token `index` may be a contrast word (see `CONTRAST_CUES`).
fn contrast_cue(doc: &Doc<'_>, index: usize) -> bool {
    doc.tokens[index].info.flags & flag::CONTRAST_CUE != 0
}

/// Finds a contrast in a sentence as `(before_end, after_start)`: tokens before `before_end`
/// are the weakened concession, tokens from `after_start` on are the strengthened point.
fn find_contrast(doc: &Doc<'_>, range: Range<usize>) -> Option<(usize, usize)> {
    for index in range.clone().filter(|&index| contrast_cue(doc, index)) {
        match doc.norm_of(index) {
            "but" | "however" | "nevertheless" | "nonetheless" | "except" => {
                return Some((index, index + 1))
            }
            // "beautifully shot, yet the story never comes to life"; "not yet" is no contrast.
            "yet"
                if index > range.start
                    && doc.tokens[index - 1].brk == Break::Clause
                    && !(index + 1 < range.end
                        && matches!(doc.norm_of(index + 1), "again" | "another")) =>
            {
                return Some((index, index + 1))
            }
            // "Although X, Y": X is the concession, Y is the point.
            "although" | "though" | "despite" | "whilst" | "whereas"
                if index <= range.start + 1 =>
            {
                let clause_end =
                    (index..range.end).find(|&at| doc.tokens[at].brk != Break::None)?;
                if clause_end + 1 >= range.end {
                    return None;
                }
                return Some((clause_end + 1, clause_end + 1));
            }
            _ => {}
        }
    }
    None
}
