//! Conversations: who wrote which part of a chat, call transcript or email thread.
//!
//! A transcript's tone is the customer's, not the agent's: an agent's "happy to help, I
//! completely understand" outweighed "I've contacted you 14 times now" when the whole text
//! was scored. `detect` splits a text into turns by speaker labels (`speakers::label`) and
//! email quoting ("> " lines, an "On … wrote:" line and what it introduces), and
//! `Conversation::words_of` blanks every other part of the text, so the usual analysis runs
//! over one side's words at their own byte offsets.
//!
//! A text is a conversation only when it has a labelled customer turn and a labelled agent
//! turn, or is an email reply (unquoted words above or between quoted ones). Anything else,
//! such as "Note: delivery was late", is plain text and analysed as before.

use crate::pii::PiiMatch;
use crate::speakers::{self, Speaker};

/// A stretch of a conversation written by one side: byte offsets into the text given to
/// `detect`, without the speaker label, up to the end of its last line with words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Turn {
    pub speaker: Speaker,
    pub start: usize,
    pub end: usize,
    /// A customer turn of thanks and goodbyes only ("Ok thanks.", "Cheers for your help."):
    /// every contact ends with one, so it says nothing of how the contact went, and is not
    /// scored, as an agent's politeness is not.
    pub courtesy: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Conversation {
    pub turns: Vec<Turn>,
    /// Turns opened by a customer label, or unquoted parts of an email reply.
    pub customer_turns: usize,
    /// Turns opened by an agent label ("Agent:", "Rep:", "Bot:" …).
    pub agent_turns: usize,
    /// Runs of quoted lines.
    pub quoted_blocks: usize,
}

/// What one line is, before turns are put together.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Line {
    Blank,
    Text,
    /// "> …": quoted from an earlier message.
    Quote,
    /// "On … wrote:", "-----Original Message-----", an Outlook "From:" / "Sent:" header:
    /// what follows is an earlier message.
    Attribution,
    /// A speaker label; the offset (in the line) where the words start.
    Label(Speaker, usize),
}

/// One line's span in the text (without its line break) and kind.
struct Scanned {
    start: usize,
    end: usize,
    kind: Line,
}

/// The turns of `text` when it is a conversation (see the module docs), else `None`.
pub fn detect(text: &str) -> Option<Conversation> {
    // Two turns need two lines; one-line texts (most comments) cost one `memchr`.
    if !text.contains('\n') {
        return None;
    }
    let lines = scan(text);
    let labelled = |side| {
        lines
            .iter()
            .any(|line| matches!(line.kind, Line::Label(s, _) if s == side))
    };
    let transcript = labelled(Speaker::Customer) && labelled(Speaker::Agent);
    // One "> " line may be a "more than" ("> 2 weeks"); an attribution or two lines is quoting.
    let quoting = lines.iter().any(|line| line.kind == Line::Attribution) || has_quote_run(&lines);
    if !transcript && !quoting {
        return None;
    }
    // In an email reply the unquoted words are the sender's: the customer's.
    let unlabelled = if transcript {
        Speaker::Other
    } else {
        Speaker::Customer
    };
    let conversation = assemble(text, &lines, unlabelled);
    let has_customer_words = conversation
        .turns
        .iter()
        .any(|t| t.speaker == Speaker::Customer && t.end > t.start);
    (transcript || has_customer_words && conversation.quoted_blocks > 0).then_some(conversation)
}

/// Classifies every line.
fn scan(text: &str) -> Vec<Scanned> {
    let mut lines = Vec::new();
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let kind = classify(line);
        lines.push(Scanned {
            start,
            end: start + line.len(),
            kind,
        });
        start += raw.len();
    }
    // Headers that span lines: "On Mon, 3 Mar 2025, Acme Support <" / "help@acme.com> wrote:", and
    // Outlook's "From: …" directly followed by "Sent: …".
    for index in 1..lines.len() {
        let (before, line) = (&lines[index - 1], &lines[index]);
        let first = &text[before.start..before.end];
        let second = &text[line.start..line.end];
        let wrapped_on = first.trim_start().starts_with("On ")
            && second.trim_end().ends_with("wrote:")
            && first.contains(|c: char| c.is_ascii_digit());
        let outlook =
            first.trim_start().starts_with("From:") && second.trim_start().starts_with("Sent:");
        if wrapped_on || outlook {
            lines[index - 1].kind = Line::Attribution;
            lines[index].kind = Line::Attribution;
        }
    }
    lines
}

fn classify(line: &str) -> Line {
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return Line::Blank;
    }
    let bytes = trimmed.as_bytes();
    // "> text", ">> text" and ">" alone; not ">:(" or ">.<".
    if bytes[0] == b'>'
        && bytes
            .get(1)
            .is_none_or(|b| matches!(b, b' ' | b'>' | b'\t'))
    {
        return Line::Quote;
    }
    // "On Mon, 3 Mar 2025 at 10:02, Sam wrote:": mail clients always give a date, which
    // keeps "On Monday she wrote:" plain text.
    if trimmed.starts_with("On ")
        && trimmed.ends_with("wrote:")
        && trimmed.contains(|c: char| c.is_ascii_digit())
    {
        return Line::Attribution;
    }
    if bytes.starts_with(b"---")
        && trimmed
            .trim_matches('-')
            .trim()
            .eq_ignore_ascii_case("original message")
    {
        return Line::Attribution;
    }
    match speakers::label(line) {
        Some((speaker, at)) => Line::Label(speaker, at),
        None => Line::Text,
    }
}

/// True when two quoted lines follow each other (blank lines between them allowed).
fn has_quote_run(lines: &[Scanned]) -> bool {
    let mut previous_quote = false;
    for line in lines {
        match line.kind {
            Line::Quote if previous_quote => return true,
            Line::Quote => previous_quote = true,
            Line::Blank => {}
            _ => previous_quote = false,
        }
    }
    false
}

/// Puts lines together into turns. Unlabelled lines continue the turn above them;
/// before any label they belong to `unlabelled`. An attribution not followed by "> " lines
/// quotes everything after it (a top-posted reply).
fn assemble(text: &str, lines: &[Scanned], unlabelled: Speaker) -> Conversation {
    let mut conversation = Conversation::default();
    let mut current = unlabelled;
    let mut quote_rest = false;
    // The turn being built, up to the end of its last line so far.
    let mut open: Option<Turn> = None;
    // The first line after a run of attributions (and blank lines), found once per run so
    // a text of attribution lines is not searched from each of them.
    let mut after_attribution = 0;
    for (index, line) in lines.iter().enumerate() {
        let (speaker, start, labelled) = match line.kind {
            _ if quote_rest => (Speaker::Quoted, line.start, false),
            Line::Blank => continue,
            Line::Quote => (Speaker::Quoted, line.start, false),
            Line::Attribution => {
                if after_attribution <= index {
                    after_attribution = index
                        + lines[index..]
                            .iter()
                            .position(|l| !matches!(l.kind, Line::Blank | Line::Attribution))
                            .unwrap_or(lines.len() - index);
                }
                quote_rest = lines
                    .get(after_attribution)
                    .is_some_and(|l| l.kind != Line::Quote);
                (Speaker::Quoted, line.start, false)
            }
            Line::Label(speaker, at) => {
                current = speaker;
                (speaker, line.start + at, true)
            }
            Line::Text => (current, line.start, false),
        };
        if let Some(turn) = open.as_mut().filter(|t| t.speaker == speaker && !labelled) {
            turn.end = line.end;
            continue;
        }
        conversation.turns.extend(open.take());
        // A labelled turn resumed after a quote is still the same turn; each unquoted part
        // of an email reply is a turn of its own.
        match speaker {
            Speaker::Quoted => conversation.quoted_blocks += 1,
            Speaker::Customer if labelled || unlabelled == speaker => {
                conversation.customer_turns += 1
            }
            Speaker::Agent if labelled => conversation.agent_turns += 1,
            _ => {}
        }
        open = Some(Turn {
            speaker,
            start,
            end: line.end,
            courtesy: false,
        });
    }
    conversation.turns.extend(open);
    // Turns end at their last words, so a label followed by nothing gives an empty span.
    for turn in &mut conversation.turns {
        turn.end = trim_end_at(text, turn.start, turn.end);
        turn.courtesy =
            turn.speaker == Speaker::Customer && is_courtesy(&text[turn.start..turn.end]);
    }
    conversation
}

/// The words of a thanks-and-goodbye turn.
const COURTESY: &[&str] = &[
    "ok", "okay", "k", "thanks", "thank", "thx", "ta", "you", "cheers", "bye", "goodbye",
    "alright", "all", "right", "that's", "thats", "that", "is", "it", "much", "very", "so", "for",
    "your", "the", "help", "time", "again", "many",
];

/// True when `turn` has words and all of them are `COURTESY` words.
fn is_courtesy(turn: &str) -> bool {
    let mut words = turn
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter(|word| !word.is_empty())
        .peekable();
    words.peek().is_some()
        && words.all(|word| {
            COURTESY
                .iter()
                .any(|courtesy| courtesy.eq_ignore_ascii_case(&word.replace('’', "'")))
        })
}

fn trim_end_at(text: &str, start: usize, end: usize) -> usize {
    start + text[start..end].trim_end().len()
}

impl Conversation {
    /// `text` (the text given to `detect`) with every byte outside the turns of `speaker`
    /// made a space, line breaks kept: the same length and offsets, so tokens, evidence and
    /// sentences found in it point into `text`, and no sentence runs from one turn into
    /// another.
    pub fn words_of(&self, text: &str, speaker: Speaker, out: &mut String) {
        out.clear();
        out.reserve(text.len());
        let mut at = 0;
        for turn in self
            .turns
            .iter()
            .filter(|t| t.speaker == speaker && !t.courtesy)
        {
            blank(&text[at..turn.start], out);
            out.push_str(&text[turn.start..turn.end]);
            at = turn.end;
        }
        blank(&text[at..], out);
    }
}

impl Conversation {
    /// The same turns in the redacted text, where each PII span of `found` (sorted, in the
    /// text given to `detect`) became its placeholder. No PII span crosses a turn's edge (an
    /// identifier holds no line break and no label's colon); an offset inside one would move
    /// to the end of its placeholder.
    pub fn into_redacted(mut self, found: &[PiiMatch]) -> Conversation {
        let (mut next, mut shift) = (0, 0isize);
        let mut map = |offset: usize| {
            while let Some(hit) = found.get(next).filter(|hit| hit.end <= offset) {
                shift += hit.kind.placeholder().len() as isize - (hit.end - hit.start) as isize;
                next += 1;
            }
            let offset = match found.get(next) {
                Some(hit) if hit.start < offset => {
                    hit.start as isize + hit.kind.placeholder().len() as isize
                }
                _ => offset as isize,
            };
            (offset + shift) as usize
        };
        // Turns are in text order, so every offset is mapped in one pass over `found`.
        for turn in &mut self.turns {
            turn.start = map(turn.start);
            turn.end = map(turn.end);
        }
        self
    }
}

fn blank(part: &str, out: &mut String) {
    crate::work::count(part.len());
    out.extend(part.bytes().map(|b| if b == b'\n' { '\n' } else { ' ' }));
}
