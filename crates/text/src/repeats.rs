//! Complaints that count instead of using a negative word: "I've contacted you 14 times now",
//! "third time I'm asking", "the fourth email", "three weeks and the parcel is still there".
//!
//! A count before "times" / "emails" / "calls" …, an ordinal before "time" / "email" …, or a duration of
//! several days followed by "and" / "later" / "now" is a customer saying how long or how often
//! they have had to chase: negative though no word in it is. Phrases win where they cover the
//! same words ("third time lucky", "how many more times"). Only tokens the lexicon flags
//! (`flag::REPEAT_CUE`, the words of `REPEAT_CUES`) are looked at, and each looks one token
//! either side, so the rule costs nothing on texts without them.

use std::ops::Range;

use crate::lexicon::flag;
use crate::tokenize::{Break, Doc, TokenKind};

/// "14 times", "third time": how often.
const REPEATED: f32 = -1.5;
/// "three weeks and …": how long.
const ELAPSED: f32 = -1.0;

/// Every word the rule starts from; the lexicon flags them.
pub(crate) const REPEAT_CUES: [&str; 20] = [
    "times",
    "emails",
    "calls",
    "messages",
    "complaints",
    "requests",
    "reminders",
    "time",
    "email",
    "message",
    "call",
    "request",
    "complaint",
    "attempt",
    "reminder",
    "chaser",
    "hours",
    "days",
    "weeks",
    "months",
];

/// Counts of two or more, in words.
const COUNT_WORDS: &[&str] = &[
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "fifteen",
    "twenty",
    "thirty",
    "fifty",
    "hundred",
    "several",
    "multiple",
    "many",
    "countless",
    "numerous",
    "umpteen",
];

const ORDINALS: &[&str] = &[
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "umpteenth",
    "nth",
];

/// Words after "N times" that make it a comparison or a rate, not a complaint: "ten times
/// better", "3 times a day", "twice as fast".
const NOT_AFTER_TIMES: &[&str] = &["a", "an", "per", "as", "more", "less", "the", "over"];

/// Words after a duration that make it time gone by: "three weeks and", "two days later".
const ELAPSED_AFTER: &[&str] = &["and", "later", "now", "on"];

/// Appends the cues of `doc` as (token range, valence), in token order.
pub(crate) fn find(doc: &Doc<'_>, out: &mut Vec<(Range<usize>, f32)>) {
    out.clear();
    if doc.flags & flag::REPEAT_CUE == 0 {
        return;
    }
    for head in 1..doc.tokens.len() {
        if doc.tokens[head].info.flags & flag::REPEAT_CUE == 0
            || doc.tokens[head - 1].brk != Break::None
        {
            continue;
        }
        let before = head - 1;
        let word = doc.norm_of(head);
        let valence = match word {
            "emails" | "calls" | "messages" | "complaints" | "requests" | "reminders"
                if is_count(doc, before) =>
            {
                REPEATED
            }
            "times"
                if is_count(doc, before)
                    && !next_is(doc, head, NOT_AFTER_TIMES)
                    && !next_is_comparative(doc, head) =>
            {
                REPEATED
            }
            "hours" | "days" | "weeks" | "months"
                if is_count(doc, before)
                    && (next_is(doc, head, ELAPSED_AFTER) || previous_is(doc, before, "been"))
                    && !more_time_follows(doc, head) =>
            {
                ELAPSED
            }
            "times" | "emails" | "calls" | "messages" | "complaints" | "requests" | "reminders"
            | "hours" | "days" | "weeks" | "months" => continue,
            _ if is_ordinal(doc.norm_of(before)) => REPEATED,
            _ => continue,
        };
        out.push((before..head + 1, valence));
    }
}

/// Two or more: a number or a count word ("many", but not in "how many", a question).
fn is_count(doc: &Doc<'_>, at: usize) -> bool {
    let word = doc.norm_of(at);
    match doc.tokens[at].kind {
        TokenKind::Number => word.parse::<u32>().is_ok_and(|n| n >= 2),
        TokenKind::Word => COUNT_WORDS.contains(&word) && !previous_is(doc, at, "how"),
        _ => false,
    }
}

/// "third", "4th", "22nd" (not "first", "1st").
fn is_ordinal(word: &str) -> bool {
    if ORDINALS.contains(&word) {
        return true;
    }
    let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &word[digits.len()..];
    matches!(suffix, "st" | "nd" | "rd" | "th") && digits.parse::<u32>().is_ok_and(|n| n >= 2)
}

/// The token after `at`, in its clause, if any.
fn next<'d>(doc: &'d Doc<'_>, at: usize) -> Option<&'d str> {
    (doc.tokens[at].brk == Break::None && at + 1 < doc.tokens.len()).then(|| doc.norm_of(at + 1))
}

fn next_is(doc: &Doc<'_>, at: usize, words: &[&str]) -> bool {
    next(doc, at).is_some_and(|next| words.contains(&next))
}

/// "two hours and twelve minutes", "17 weeks and a day": a length, not time gone by.
fn more_time_follows(doc: &Doc<'_>, at: usize) -> bool {
    next(doc, at) == Some("and")
        && next(doc, at + 1).is_some_and(|word| {
            matches!(word, "a" | "an" | "half")
                || doc.tokens[at + 2].kind == TokenKind::Number
                || COUNT_WORDS.contains(&word)
        })
}

/// "ten times faster", "five times bigger".
fn next_is_comparative(doc: &Doc<'_>, at: usize) -> bool {
    next(doc, at).is_some_and(|next| next.len() > 4 && next.ends_with("er"))
}

fn previous_is(doc: &Doc<'_>, at: usize, word: &str) -> bool {
    at > 0 && doc.tokens[at - 1].brk == Break::None && doc.norm_is(at - 1, word)
}
