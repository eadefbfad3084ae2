//! Tokenizer: splits a text into sentences and word / emoji / emoticon tokens with byte spans.
//!
//! Every later stage (sentiment, themes, signals) works on the one `Doc` built here, so the text
//! is scanned once. `Doc::norm` holds the lowercased tokens joined by a single space, with `\n`
//! wherever a clause or sentence breaks; phrase automata run over it, and because phrases never
//! contain `\n` they can never match across a comma or a full stop.

use std::ops::Range;

use crate::lexicon::Lexicon;

/// What a token is; only words, emoji and emoticons can carry sentiment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    Number,
    Emoji,
    Emoticon,
    Mention,
    Url,
    /// A `[EMAIL]`-style placeholder left by PII redaction.
    Placeholder,
}

/// What punctuation follows a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Break {
    None,
    /// `,` `;` `:` dashes, brackets: ends negation scope and phrase matching.
    Clause,
    /// `.` `!` `?` or a newline.
    Sentence,
}

#[derive(Clone, Debug)]
pub struct Token {
    /// Byte span in the original text.
    pub start: u32,
    pub end: u32,
    /// Byte span in `Doc::norm`.
    pub norm_start: u32,
    pub norm_end: u32,
    pub kind: TokenKind,
    /// All letters upper-case and at least two of them ("GREAT").
    pub caps: bool,
    pub exclaims: u8,
    pub questions: u8,
    pub brk: Break,
}

/// A tokenized text.
#[derive(Debug)]
pub struct Doc<'a> {
    pub text: &'a str,
    pub norm: String,
    pub tokens: Vec<Token>,
    /// Token index ranges, one per sentence, never empty.
    pub sentences: Vec<Range<usize>>,
    /// True when some word has a lower-case letter: caps only count as emphasis in mixed case.
    pub mixed_case: bool,
}

impl<'a> Doc<'a> {
    pub fn norm_of(&self, index: usize) -> &str {
        let token = &self.tokens[index];
        &self.norm[token.norm_start as usize..token.norm_end as usize]
    }

    pub fn text_of(&self, index: usize) -> &'a str {
        let token = &self.tokens[index];
        &self.text[token.start as usize..token.end as usize]
    }

    /// Byte span in the original text covering tokens `range`.
    pub fn span_of(&self, range: Range<usize>) -> (usize, usize) {
        let first = &self.tokens[range.start];
        let last = &self.tokens[range.end - 1];
        (first.start as usize, last.end as usize)
    }

    /// Token index whose normalized form starts at `norm_byte`, if any.
    pub fn token_starting_at(&self, norm_byte: usize) -> Option<usize> {
        let found = self
            .tokens
            .binary_search_by_key(&(norm_byte as u32), |t| t.norm_start);
        found.ok()
    }

    /// Token index whose normalized form ends at `norm_byte`, if any.
    pub fn token_ending_at(&self, norm_byte: usize) -> Option<usize> {
        let found = self
            .tokens
            .binary_search_by_key(&(norm_byte as u32), |t| t.norm_end);
        found.ok()
    }
}

/// Abbreviations whose trailing dot does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "approx", "no", "jr", "sr", "inc",
];

pub fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x1F300..=0x1FAFF | 0x2600..=0x27BF | 0x2B50 | 0x2B55)
}

/// Joiners and modifiers that belong to the previous emoji and carry no meaning of their own.
fn is_emoji_modifier(c: char) -> bool {
    matches!(c as u32, 0xFE0F | 0x200D | 0x1F3FB..=0x1F3FF)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Characters that may sit inside a word when letters or digits are on both sides
/// ("don't", "well-made", "3.5", "e.g", "AT&T").
fn is_inner_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-' | '.' | '&' | '/')
}

pub fn tokenize<'a>(text: &'a str, lexicon: &Lexicon) -> Doc<'a> {
    let mut builder = Builder {
        doc: Doc {
            text,
            norm: String::with_capacity(text.len() + 8),
            tokens: Vec::with_capacity(text.len() / 4 + 1),
            sentences: Vec::new(),
            mixed_case: false,
        },
        sentence_start: 0,
    };
    let bytes = text.as_bytes();
    let mut position = 0;
    while position < bytes.len() {
        // Skip whitespace; a newline ends the sentence.
        let rest = &text[position..];
        let chunk_start = match rest.find(|c: char| !c.is_whitespace()) {
            Some(offset) => position + offset,
            None => {
                if rest.contains('\n') {
                    builder.mark_break(Break::Sentence);
                }
                break;
            }
        };
        if text[position..chunk_start].contains('\n') {
            builder.mark_break(Break::Sentence);
        }
        let chunk_end = text[chunk_start..]
            .find(char::is_whitespace)
            .map_or(text.len(), |offset| chunk_start + offset);
        builder.chunk(chunk_start, chunk_end, lexicon);
        position = chunk_end;
    }
    builder.finish()
}

struct Builder<'a> {
    doc: Doc<'a>,
    sentence_start: usize,
}

impl<'a> Builder<'a> {
    fn mark_break(&mut self, brk: Break) {
        if let Some(last) = self.doc.tokens.last_mut() {
            if brk == Break::Sentence || last.brk == Break::None {
                last.brk = brk;
            }
        }
    }

    fn push(&mut self, start: usize, end: usize, kind: TokenKind) {
        let text = self.doc.text;
        if let Some(previous) = self.doc.tokens.last() {
            let separator = if previous.brk == Break::None {
                ' '
            } else {
                '\n'
            };
            if previous.brk == Break::Sentence {
                let index = self.doc.tokens.len();
                self.doc.sentences.push(self.sentence_start..index);
                self.sentence_start = index;
            }
            self.doc.norm.push(separator);
        }
        let norm_start = self.doc.norm.len();
        let raw = &text[start..end];
        let mut letters = 0;
        let mut upper = 0;
        for c in raw.chars() {
            if c.is_alphabetic() {
                letters += 1;
                if c.is_uppercase() {
                    upper += 1;
                }
            }
            match c {
                '’' | '‘' => self.doc.norm.push('\''),
                c if c.is_ascii() => self.doc.norm.push(c.to_ascii_lowercase()),
                c => self.doc.norm.extend(c.to_lowercase()),
            }
        }
        if kind == TokenKind::Word && upper < letters {
            self.doc.mixed_case = true;
        }
        self.doc.tokens.push(Token {
            start: start as u32,
            end: end as u32,
            norm_start: norm_start as u32,
            norm_end: self.doc.norm.len() as u32,
            kind,
            caps: kind == TokenKind::Word && letters >= 2 && upper == letters,
            exclaims: 0,
            questions: 0,
            brk: Break::None,
        });
    }

    fn chunk(&mut self, start: usize, end: usize, lexicon: &Lexicon) {
        let text = self.doc.text;
        let chunk = &text[start..end];
        if chunk.starts_with("http://")
            || chunk.starts_with("https://")
            || chunk.starts_with("www.")
        {
            self.push(start, end, TokenKind::Url);
            return;
        }
        // Emoticons are matched on the whole chunk, before punctuation is stripped from it.
        let trimmed = chunk.trim_end_matches([',', '.']);
        if trimmed.len() >= 2 && lexicon.is_emoticon(trimmed) {
            self.push(start, start + trimmed.len(), TokenKind::Emoticon);
            if trimmed.len() < chunk.len() {
                self.mark_break(Break::Clause);
            }
            return;
        }
        let mut chars = chunk.char_indices().peekable();
        while let Some((offset, c)) = chars.next() {
            let at = start + offset;
            if is_word_char(c) || (c == '@' || c == '#') && next_is_word(chunk, offset + 1) {
                let word_start = if c == '#' { at + 1 } else { at };
                let mut word_end = at + c.len_utf8();
                while let Some(&(next_offset, next)) = chars.peek() {
                    let next_at = start + next_offset;
                    if is_word_char(next)
                        || is_inner_joiner(next)
                            && next_is_word(chunk, next_offset + next.len_utf8())
                    {
                        chars.next();
                        word_end = next_at + next.len_utf8();
                    } else {
                        break;
                    }
                }
                let word = &text[word_start..word_end];
                let kind = if c == '@' {
                    TokenKind::Mention
                } else if word
                    .chars()
                    .all(|w| w.is_ascii_digit() || w == '.' || w == ',')
                {
                    TokenKind::Number
                } else {
                    TokenKind::Word
                };
                self.push(word_start, word_end, kind);
            } else if c == '&' && html_entity_len(&chunk[offset..]) > 0 {
                // Scraped text keeps HTML entities ("&amp;", "&gt;"); they are not words.
                let skip_to = offset + html_entity_len(&chunk[offset..]);
                while chars.peek().is_some_and(|&(o, _)| o < skip_to) {
                    chars.next();
                }
            } else if c == '[' {
                let close = chunk[offset..].find(']').map(|i| offset + i);
                match close {
                    Some(close)
                        if close > offset + 1
                            && chunk[offset + 1..close]
                                .bytes()
                                .all(|b| b.is_ascii_uppercase() || b == b'_') =>
                    {
                        self.push(at, start + close + 1, TokenKind::Placeholder);
                        while chars.peek().is_some_and(|&(o, _)| o <= close) {
                            chars.next();
                        }
                    }
                    _ => self.mark_break(Break::Clause),
                }
            } else if is_emoji(c) {
                let mut emoji_end = at + c.len_utf8();
                while let Some(&(next_offset, next)) = chars.peek() {
                    if !is_emoji_modifier(next) {
                        break;
                    }
                    chars.next();
                    emoji_end = start + next_offset + next.len_utf8();
                }
                self.push(at, emoji_end, TokenKind::Emoji);
            } else {
                self.punctuation(c);
            }
        }
    }

    fn punctuation(&mut self, c: char) {
        let Some(last_index) = self.doc.tokens.len().checked_sub(1) else {
            return;
        };
        match c {
            '!' | '?' => {
                let last = &mut self.doc.tokens[last_index];
                if c == '!' {
                    last.exclaims = last.exclaims.saturating_add(1);
                } else {
                    last.questions = last.questions.saturating_add(1);
                }
                self.mark_break(Break::Sentence);
            }
            '.' | '…' => {
                let is_abbreviation = {
                    let norm = self.doc_norm_last();
                    c == '.' && ABBREVIATIONS.contains(&norm)
                };
                if c == '…' {
                    self.mark_break(Break::Clause);
                } else if !is_abbreviation {
                    self.mark_break(Break::Sentence);
                }
            }
            ',' | ';' | ':' | '(' | ')' | '-' | '–' | '—' | '"' | '“' | '”' | '/' => {
                self.mark_break(Break::Clause)
            }
            _ => {}
        }
    }

    fn doc_norm_last(&self) -> &str {
        self.doc.norm_of(self.doc.tokens.len() - 1)
    }

    fn finish(mut self) -> Doc<'a> {
        let count = self.doc.tokens.len();
        if self.sentence_start < count {
            self.doc.sentences.push(self.sentence_start..count);
        }
        self.doc
    }
}

fn html_entity_len(rest: &str) -> usize {
    const ENTITIES: [&str; 7] = [
        "&amp;", "&gt;", "&lt;", "&quot;", "&apos;", "&#39;", "&nbsp;",
    ];
    ENTITIES
        .iter()
        .find(|entity| rest.starts_with(*entity))
        .map_or(0, |entity| entity.len())
}

fn next_is_word(chunk: &str, offset: usize) -> bool {
    chunk[offset..].chars().next().is_some_and(is_word_char)
}
