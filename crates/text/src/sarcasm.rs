//! Sarcasm: praise that means its opposite, in the two shapes complaints use most.
//!
//! - An opener that praises nothing when the rest of its sentence complains: "Great, another
//!   week of waiting", "Oh wonderful, the wrong size again", "Brilliant, charged twice".
//! - A praise verb whose object is the complaint: "love being on hold for an hour", "thanks
//!   for cancelling my order without telling me", "really appreciate being transferred five
//!   times".
//!
//! Such a hit is reversed (`rule::SARCASM`). "Great, thanks for the quick reply!" and "I love
//! being able to track it" keep their praise: the rest has no complaint. Only sentences with
//! a hit on a word the lexicon flags (`flag::SARCASM_CUE`, the words of `SARCASM_CUES`) are
//! looked at, each token once.

use std::ops::Range;

use crate::lexicon::flag;
use crate::sentiment::{rule, Hit};
use crate::tokenize::{Break, Doc};

/// A reversed hit keeps this share of its strength, turned negative.
const REVERSED: f32 = -0.75;

/// Sentence openers that are sarcastic before a complaint ("just" opens "just what I needed").
const OPENERS: &[&str] = &[
    "great",
    "wonderful",
    "brilliant",
    "perfect",
    "fantastic",
    "lovely",
    "amazing",
    "awesome",
    "super",
    "nice",
    "excellent",
    "marvellous",
    "cheers",
    "thanks",
    "just",
];

/// Praise verbs that are sarcastic when their object is a complaint.
const PRAISE_VERBS: &[&str] = &[
    "love",
    "loving",
    "enjoy",
    "enjoying",
    "like",
    "appreciate",
    "adore",
    "thanks",
    "thank",
    "cheers",
    "glad",
];

/// Every word that may start a sarcastic hit; the lexicon flags them.
pub(crate) const SARCASM_CUES: [&str; 23] = [
    "great",
    "wonderful",
    "brilliant",
    "perfect",
    "fantastic",
    "lovely",
    "amazing",
    "awesome",
    "super",
    "nice",
    "excellent",
    "marvellous",
    "cheers",
    "thanks",
    "just",
    "love",
    "loving",
    "enjoy",
    "enjoying",
    "like",
    "appreciate",
    "adore",
    "glad",
];

/// Words that may come before an opener: "Oh great,", "Well, brilliant".
const BEFORE_OPENER: &[&str] = &["oh", "well", "yeah", "so", "ah", "how", "really", "wow"];

/// What follows "love" / "enjoy" … when the object is an experience: "love being on hold".
const EXPERIENCES: &[&str] = &[
    "being", "getting", "waiting", "spending", "having", "paying", "how", "when",
];

/// Words that, after an opener, say the same thing happened again: "Great, another delay".
const AGAIN: &[&str] = &["another", "again", "twice"];

/// Reverses the sarcastic hits of one sentence (`hits` are the sentence's, in token order).
pub(crate) fn reverse(doc: &Doc<'_>, sentence: Range<usize>, hits: &mut [Hit]) {
    let flagged = |hit: &Hit| doc.tokens[hit.tokens.start].info.flags & flag::SARCASM_CUE != 0;
    if !hits.iter().any(flagged) {
        return;
    }
    praise_verbs(doc, sentence.clone(), hits);
    opener(doc, sentence, hits);
}

fn praised(hit: &Hit) -> bool {
    hit.valence > 0.0 && hit.rules & rule::NEGATED == 0
}

fn flip(hit: &mut Hit) {
    hit.valence *= REVERSED;
    hit.rules |= rule::SARCASM;
}

/// A praise verb is reversed when the rest of its clause (up to a contrast word) has a
/// negative hit and no positive one. Walks the sentence backwards once, keeping what the
/// part after the current token holds.
fn praise_verbs(doc: &Doc<'_>, sentence: Range<usize>, hits: &mut [Hit]) {
    let (mut negative, mut positive) = (false, false);
    let mut next_hit = hits.len();
    for at in sentence.clone().rev() {
        let token = &doc.tokens[at];
        // What follows a clause break or a contrast is another clause's.
        if token.brk != Break::None
            || token.info.flags & flag::CONTRAST_CUE != 0
            || doc.norm_is(at, "apart")
        {
            (negative, positive) = (false, false);
        }
        if next_hit == 0 || hits[next_hit - 1].tokens.start != at {
            continue;
        }
        next_hit -= 1;
        let hit = &mut hits[next_hit];
        let verb = hit.tokens.len() == 1 && PRAISE_VERBS.contains(&doc.norm_of(at));
        if verb && praised(hit) && negative && !positive && takes_experience(doc, at, &sentence) {
            flip(hit);
        }
        negative |= hit.valence < 0.0;
        positive |= hit.valence > 0.0;
    }
}

/// The verb at `at` is followed by an experience ("love being", "thanks for", "glad I").
fn takes_experience(doc: &Doc<'_>, at: usize, sentence: &Range<usize>) -> bool {
    // The word `offset` tokens on, in the verb's clause.
    let word = |offset: usize| {
        let end = (at + offset).min(sentence.end);
        let open = (at..end).all(|t| doc.tokens[t].brk == Break::None);
        (open && at + offset < sentence.end).then(|| doc.norm_of(at + offset))
    };
    match doc.norm_of(at) {
        "thanks" | "thank" | "cheers" => {
            // "thanks for", "thank you for", "thanks a lot for", "thank you so much for".
            (1..=4).any(|offset| word(offset) == Some("for"))
        }
        "glad" => matches!(word(1), Some("i" | "we")),
        _ => word(1).is_some_and(|next| EXPERIENCES.contains(&next)),
    }
}

/// A sentence's opening interjection ("Great," "Oh wonderful,") is reversed when the rest
/// complains: its hits sum below zero, or have no praise and say it happened again.
fn opener(doc: &Doc<'_>, sentence: Range<usize>, hits: &mut [Hit]) {
    let Some((first, rest)) = hits.split_first_mut() else {
        return;
    };
    let start = first.tokens.start;
    let closes_clause = doc.tokens[first.tokens.end - 1].brk == Break::Clause;
    if !praised(first)
        || !closes_clause
        || !OPENERS.contains(&doc.norm_of(start))
        || !(sentence.start..start).all(|at| BEFORE_OPENER.contains(&doc.norm_of(at)))
    {
        return;
    }
    let sum: f32 = rest.iter().map(|hit| hit.valence).sum();
    let again = || (first.tokens.end..sentence.end).any(|at| AGAIN.contains(&doc.norm_of(at)));
    if sum < 0.0 || rest.iter().all(|hit| hit.valence <= 0.0) && again() {
        flip(first);
    }
}
