//! Tokenizer: splits a text into sentences and word / emoji / emoticon tokens with byte spans.
//!
//! Every later stage (sentiment, themes, signals) works on the one `Doc` built here, so the text
//! is scanned once. `Doc::norm` holds the lowercased tokens joined by a single space, with `\n`
//! wherever a clause or sentence breaks; phrase automata run over it, and because phrases never
//! contain `\n` they can never match across a comma or a full stop.

use std::ops::Range;

use crate::lexicon::{pack_byte, Lexicon, PackedWord, WordInfo};

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
    /// What the lexicon knows about a word token (default for other kinds), looked up once.
    pub info: WordInfo,
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

/// Reusable allocations for `tokenize_into`, taken back with `Doc::into_buffers`.
#[derive(Debug, Default)]
pub struct DocBuffers {
    norm: String,
    tokens: Vec<Token>,
    sentences: Vec<Range<usize>>,
}

impl Doc<'_> {
    /// Gives the allocations back for the next `tokenize_into`.
    pub fn into_buffers(self) -> DocBuffers {
        DocBuffers {
            norm: self.norm,
            tokens: self.tokens,
            sentences: self.sentences,
        }
    }
}

pub fn tokenize<'a>(text: &'a str, lexicon: &Lexicon) -> Doc<'a> {
    tokenize_into(text, lexicon, DocBuffers::default())
}

/// The character at byte `at` (which must be a char boundary) and its length in bytes.
#[inline]
fn char_at(text: &str, at: usize) -> (char, usize) {
    let byte = text.as_bytes()[at];
    if byte < 0x80 {
        return (byte as char, 1);
    }
    let c = text[at..].chars().next().unwrap_or('\u{FFFD}');
    (c, c.len_utf8())
}

/// Byte classes for the ASCII fast path.
const SPACE: u8 = 1;
const WORD: u8 = 2;
const JOINER: u8 = 4;
const NON_ASCII: u8 = 8;
/// ASCII punctuation other than the joiners.
const PUNCT: u8 = 16;
/// Set with `WORD` for `_`, a word character that is also punctuation ("o_O").
const UNDERSCORE: u8 = 32;

const fn byte_classes() -> [u8; 256] {
    let mut classes = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        classes[byte] = if b >= 0x80 {
            NON_ASCII
        } else if b == b' ' || (b >= b'\t' && b <= b'\r') {
            SPACE
        } else if b == b'_' {
            WORD | UNDERSCORE
        } else if b.is_ascii_alphanumeric() {
            WORD
        } else if matches!(b, b'\'' | b'-' | b'.' | b'&' | b'/') {
            JOINER
        } else if b.is_ascii_punctuation() {
            PUNCT
        } else {
            0
        };
        byte += 1;
    }
    classes
}

static CLASSES: [u8; 256] = byte_classes();

#[inline]
fn is_space_at(text: &str, at: usize) -> (bool, usize) {
    let class = CLASSES[text.as_bytes()[at] as usize];
    if class != NON_ASCII {
        return (class == SPACE, 1);
    }
    let (c, length) = char_at(text, at);
    (c.is_whitespace(), length)
}

/// True when a word character starts at byte `at` (false at `end`).
#[inline]
fn word_at(text: &str, at: usize, end: usize) -> bool {
    if at >= end {
        return false;
    }
    let class = CLASSES[text.as_bytes()[at] as usize];
    if class != NON_ASCII {
        return class & WORD != 0;
    }
    is_word_char(char_at(text, at).0)
}

/// End of the word starting at `word_end` (exclusive): word characters, and joiners with a
/// word character after them.
#[inline]
fn scan_word(text: &str, mut word_end: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    while word_end < end {
        let class = CLASSES[bytes[word_end] as usize];
        if class & WORD != 0 {
            word_end += 1;
        } else if class == JOINER {
            if !word_at(text, word_end + 1, end) {
                break;
            }
            word_end += 1;
        } else if class == NON_ASCII {
            let (next, width) = char_at(text, word_end);
            if is_word_char(next) || is_inner_joiner(next) && word_at(text, word_end + width, end) {
                word_end += width;
            } else {
                break;
            }
        } else {
            break;
        }
    }
    word_end
}

/// Tokenizes into reused buffers. Scans bytes and decodes a character only outside ASCII.
pub fn tokenize_into<'a>(text: &'a str, lexicon: &Lexicon, buffers: DocBuffers) -> Doc<'a> {
    let DocBuffers {
        mut norm,
        mut tokens,
        mut sentences,
    } = buffers;
    norm.clear();
    norm.reserve(text.len() + 8);
    tokens.clear();
    sentences.clear();
    let mut builder = Builder {
        doc: Doc {
            text,
            norm,
            tokens,
            sentences,
            mixed_case: false,
        },
        sentence_start: 0,
        lexicon,
        chunk_ascii: false,
    };
    let length = text.len();
    let mut position = 0;
    while position < length {
        // Skip whitespace; a newline ends the sentence.
        let mut newline = false;
        while position < length {
            let (space, width) = is_space_at(text, position);
            if !space {
                break;
            }
            newline |= text.as_bytes()[position] == b'\n';
            position += width;
        }
        if newline {
            builder.mark_break(Break::Sentence);
        }
        if position >= length {
            break;
        }
        let chunk_start = position;
        // Fast path: most chunks are ASCII letters and digits only, which the general
        // `chunk` would turn into exactly one word or number token (no URL, emoticon or
        // punctuation is possible), so scan them once, gathering what `push` needs.
        let mut scan = WordScan::default();
        while position < length {
            let byte = text.as_bytes()[position];
            if CLASSES[byte as usize] & (WORD | UNDERSCORE) != WORD {
                break;
            }
            scan.add(byte);
            position += 1;
        }
        // Also common: a word closed by `.` `,` `!` `?` ("life.", "great!!"). With more than
        // two letters it cannot be an emoticon, and unless it is "www." no URL either, so
        // `chunk` would push the word and then handle each mark as punctuation.
        let word_end = position;
        while position < length && matches!(text.as_bytes()[position], b'.' | b',' | b'!' | b'?') {
            position += 1;
        }
        if word_end > chunk_start
            && (position == length || CLASSES[text.as_bytes()[position] as usize] == SPACE)
            && (position == word_end
                || scan.letters > 2 && !text[chunk_start..position].starts_with("www."))
        {
            builder.push_scanned(chunk_start, word_end, &scan);
            for &mark in &text.as_bytes()[word_end..position] {
                builder.punctuation(mark as char);
            }
            continue;
        }
        position = word_end;
        let mut seen = if position > chunk_start { WORD } else { 0 };
        while position < length {
            let class = CLASSES[text.as_bytes()[position] as usize];
            if class == SPACE {
                break;
            }
            if class == NON_ASCII {
                let (c, width) = char_at(text, position);
                if c.is_whitespace() {
                    break;
                }
                position += width;
            } else {
                position += 1;
            }
            seen |= class;
        }
        builder.chunk(chunk_start, position, seen);
    }
    builder.finish()
}

/// What one pass over an ASCII word gathers: its lowercased lexicon key (`Lexicon::info_key`),
/// case counts and whether it has an elongation (three equal bytes in a row, lowercased).
#[derive(Default)]
struct WordScan {
    length: usize,
    letters: usize,
    upper: usize,
    /// The lowercased bytes so far, packed with `pack_byte` (only used up to 15 bytes).
    packed: PackedWord,
    previous: u8,
    run: usize,
    long_run: bool,
}

impl WordScan {
    #[inline]
    fn add(&mut self, byte: u8) {
        let upper = byte.is_ascii_uppercase();
        let lower = byte | (upper as u8) << 5;
        self.letters += lower.is_ascii_lowercase() as usize;
        self.upper += upper as usize;
        self.packed = pack_byte(self.packed, lower);
        // Same as `has_letter_run(norm, 3)`: runs of equal lowercased bytes.
        self.run = if lower == self.previous && self.length > 0 {
            self.run + 1
        } else {
            1
        };
        self.long_run |= self.run >= 3;
        self.previous = lower;
        self.length += 1;
    }

    /// The complete key (`lexicon::pack` of the lowercased word), if it is short enough.
    #[inline]
    fn key(&self) -> Option<PackedWord> {
        (self.length <= 15).then_some(self.packed | (self.length as PackedWord) << 120)
    }
}

struct Builder<'a, 'l> {
    doc: Doc<'a>,
    sentence_start: usize,
    lexicon: &'l Lexicon,
    /// The chunk being split is all ASCII (saves re-checking each token).
    chunk_ascii: bool,
}

/// Quick test before an emoticon lookup: every emoticon has ASCII punctuation and at most two
/// letters, and none is longer than 16 bytes.
fn may_be_emoticon(chunk: &str) -> bool {
    if chunk.len() < 2 || chunk.len() > 16 {
        return false;
    }
    if chunk.is_ascii() {
        let (mut punctuation, mut letters) = (false, 0);
        for &byte in chunk.as_bytes() {
            punctuation |= byte.is_ascii_punctuation();
            letters += byte.is_ascii_alphabetic() as usize;
        }
        return punctuation && letters <= 2;
    }
    let mut punctuation = false;
    let mut letters = 0;
    for c in chunk.chars() {
        punctuation |= c.is_ascii_punctuation();
        letters += c.is_alphabetic() as usize;
    }
    punctuation && letters <= 2
}

impl<'a> Builder<'a, '_> {
    fn mark_break(&mut self, brk: Break) {
        if let Some(last) = self.doc.tokens.last_mut() {
            if brk == Break::Sentence || last.brk == Break::None {
                last.brk = brk;
            }
        }
    }

    /// Starts a token: ends the sentence the previous token closed and writes the separator
    /// into `norm`. Returns where the token's normalized form starts.
    #[inline]
    fn begin_token(&mut self) -> usize {
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
        self.doc.norm.len()
    }

    /// A chunk of ASCII letters and digits that `tokenize_into` already scanned.
    #[inline]
    fn push_scanned(&mut self, start: usize, end: usize, scan: &WordScan) {
        let norm_start = self.begin_token();
        self.doc.norm.push_str(&self.doc.text[start..end]);
        self.doc.norm[norm_start..].make_ascii_lowercase();
        let kind = if scan.letters == 0 {
            TokenKind::Number
        } else {
            TokenKind::Word
        };
        self.finish_token(start, end, norm_start, kind, scan);
    }

    fn push(&mut self, start: usize, end: usize, kind: TokenKind) {
        let norm_start = self.begin_token();
        let raw = &self.doc.text[start..end];
        if self.chunk_ascii || raw.is_ascii() {
            let mut scan = WordScan::default();
            for &byte in raw.as_bytes() {
                scan.add(byte);
            }
            self.doc.norm.push_str(raw);
            self.doc.norm[norm_start..].make_ascii_lowercase();
            self.finish_token(start, end, norm_start, kind, &scan);
            return;
        }
        let (mut letters, mut upper) = (0, 0);
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
        let scan = WordScan {
            // No key: the lookup goes by the string.
            length: usize::MAX,
            letters,
            upper,
            ..WordScan::default()
        };
        self.finish_token(start, end, norm_start, kind, &scan);
    }

    /// Looks the token up and stores it; `scan` has its case counts and, for ASCII, its key.
    #[inline]
    fn finish_token(
        &mut self,
        start: usize,
        end: usize,
        norm_start: usize,
        kind: TokenKind,
        scan: &WordScan,
    ) {
        let (letters, upper) = (scan.letters, scan.upper);
        if kind == TokenKind::Word && upper < letters {
            self.doc.mixed_case = true;
        }
        let norm_end = self.doc.norm.len();
        let norm = &self.doc.norm[norm_start..norm_end];
        let info = match kind {
            TokenKind::Word => match scan.key() {
                Some(key) => self.lexicon.info_key(key, norm, scan.long_run),
                None => self.lexicon.info(norm),
            },
            // Emoji and emoticons carry their valence in the same place as words.
            TokenKind::Emoji => WordInfo {
                valence: self.lexicon.emoji(norm),
                ..WordInfo::default()
            },
            TokenKind::Emoticon => WordInfo {
                valence: self.lexicon.emoticon(norm),
                ..WordInfo::default()
            },
            // Numbers can start phrases ("5 stars").
            TokenKind::Number => WordInfo {
                phrase: self.lexicon.phrase_index.head(norm),
                ..WordInfo::default()
            },
            _ => WordInfo::default(),
        };
        self.doc.tokens.push(Token {
            start: start as u32,
            end: end as u32,
            norm_start: norm_start as u32,
            norm_end: norm_end as u32,
            kind,
            caps: kind == TokenKind::Word && letters >= 2 && upper == letters,
            exclaims: 0,
            questions: 0,
            brk: Break::None,
            info,
        });
    }

    /// Tokens of one whitespace-free chunk; `seen` holds the byte classes found in it.
    fn chunk(&mut self, start: usize, end: usize, seen: u8) {
        let text = self.doc.text;
        self.chunk_ascii = seen & NON_ASCII == 0;
        let chunk = &text[start..end];
        let first = chunk.as_bytes()[0];
        if (first == b'h' || first == b'w')
            && (chunk.starts_with("http://")
                || chunk.starts_with("https://")
                || chunk.starts_with("www."))
        {
            self.push(start, end, TokenKind::Url);
            return;
        }
        // Emoticons are matched on the whole chunk, before punctuation is stripped from it.
        let trimmed_length = chunk.len()
            - chunk
                .bytes()
                .rev()
                .take_while(|&b| b == b',' || b == b'.')
                .count();
        let trimmed = &chunk[..trimmed_length];
        // Every emoticon has ASCII punctuation: chunks of letters and digits skip the check.
        let punctuation = seen & (JOINER | PUNCT | UNDERSCORE) != 0;
        let non_ascii = seen & NON_ASCII != 0;
        if (punctuation || non_ascii)
            && may_be_emoticon(trimmed)
            && self.lexicon.is_emoticon(trimmed)
        {
            self.push(start, start + trimmed.len(), TokenKind::Emoticon);
            if trimmed.len() < chunk.len() {
                self.mark_break(Break::Clause);
            }
            return;
        }
        let mut at = start;
        while at < end {
            let (c, width) = char_at(text, at);
            if is_word_char(c) || (c == '@' || c == '#') && word_at(text, at + 1, end) {
                let word_start = if c == '#' { at + 1 } else { at };
                let word_end = scan_word(text, at + width, end);
                let word = &text[word_start..word_end];
                let kind = if c == '@' {
                    TokenKind::Mention
                } else if word
                    .bytes()
                    .all(|w| w.is_ascii_digit() || w == b'.' || w == b',')
                {
                    TokenKind::Number
                } else {
                    TokenKind::Word
                };
                self.push(word_start, word_end, kind);
                at = word_end;
            } else if c == '&' && html_entity_len(&text[at..end]) > 0 {
                // Scraped text keeps HTML entities ("&amp;", "&gt;"); they are not words.
                at += html_entity_len(&text[at..end]);
            } else if c == '[' {
                let close = text[at..end].find(']').map(|i| at + i);
                match close {
                    Some(close)
                        if close > at + 1
                            && text[at + 1..close]
                                .bytes()
                                .all(|b| b.is_ascii_uppercase() || b == b'_') =>
                    {
                        self.push(at, close + 1, TokenKind::Placeholder);
                        at = close + 1;
                    }
                    _ => {
                        self.mark_break(Break::Clause);
                        at += width;
                    }
                }
            } else if is_emoji(c) {
                let mut emoji_end = at + width;
                while emoji_end < end {
                    let (next, next_width) = char_at(text, emoji_end);
                    if !is_emoji_modifier(next) {
                        break;
                    }
                    emoji_end += next_width;
                }
                self.push(at, emoji_end, TokenKind::Emoji);
                at = emoji_end;
            } else {
                self.punctuation(c);
                at += width;
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
                    let norm = self.doc.norm_of(last_index);
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
