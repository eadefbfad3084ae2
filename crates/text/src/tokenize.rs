//! Tokenizer: splits a text into sentences and word / emoji / emoticon tokens with byte spans.
//!
//! Every later stage (sentiment, themes, signals) works on the one `Doc` built here, so the text
//! is scanned once. `Doc::norm` holds the lowercased tokens joined by a single space, with `\n`
//! wherever a clause or sentence breaks; phrase automata run over it, and because phrases never
//! contain `\n` they can never match across a comma or a full stop.

use std::ops::Range;

use crate::ascii::{self, Block};
use crate::vocab::{PackedWord, Vocabulary, WordInfo};

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
    /// What the vocabulary knows about a word token (default for other kinds), looked up once.
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
    /// Every token's `info.flags` or-ed together, so rules can skip a text that has none of
    /// the words they look for.
    pub flags: u32,
    /// Bit `i` set when token `i` has a valence (`info.valence`), for the first 64 tokens, so
    /// scoring visits only those (see `Doc::token_set`).
    pub valence_tokens: u64,
    /// Bit `i` set when token `i` may start a phrase (`info.phrase`), for the first 64 tokens.
    pub phrase_heads: u64,
}

impl<'a> Doc<'a> {
    pub fn norm_of(&self, index: usize) -> &str {
        let token = &self.tokens[index];
        &self.norm[token.norm_start as usize..token.norm_end as usize]
    }

    /// `norm_of(index) == word`, comparing lengths first and bytes without slicing a `str`
    /// (which checks character boundaries).
    #[inline]
    pub fn norm_is(&self, index: usize, word: &str) -> bool {
        let token = &self.tokens[index];
        let (start, end) = (token.norm_start as usize, token.norm_end as usize);
        end - start == word.len() && &self.norm.as_bytes()[start..end] == word.as_bytes()
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

    /// The indexes in `range` of a set of tokens kept as bits (`valence_tokens`,
    /// `phrase_heads`), in order; every index in `range` when the text has more than 64 tokens
    /// (the bits cover only the first 64).
    pub fn token_set(&self, bits: u64, range: Range<usize>) -> TokenSet {
        if self.tokens.len() > 64 {
            return TokenSet::All(range);
        }
        let below = |n: usize| if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
        TokenSet::Bits(bits & below(range.end) & !below(range.start))
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

/// Token indexes from `Doc::token_set`: the set bits, lowest first, or a whole range.
pub enum TokenSet {
    Bits(u64),
    All(Range<usize>),
}

impl Iterator for TokenSet {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        match self {
            TokenSet::Bits(0) => None,
            TokenSet::Bits(bits) => {
                let index = bits.trailing_zeros() as usize;
                *bits &= *bits - 1;
                Some(index)
            }
            TokenSet::All(range) => range.next(),
        }
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

pub fn tokenize<'a, V: Vocabulary>(text: &'a str, vocab: &V) -> Doc<'a> {
    tokenize_into(text, vocab, DocBuffers::default())
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
pub fn tokenize_into<'a, V: Vocabulary>(text: &'a str, vocab: &V, buffers: DocBuffers) -> Doc<'a> {
    let DocBuffers {
        norm,
        mut tokens,
        mut sentences,
    } = buffers;
    let mut norm = norm.into_bytes();
    norm.clear();
    // Room for the 16-byte writes of `push_lower` past the last token.
    norm.reserve(text.len() + 32);
    tokens.clear();
    sentences.clear();
    let mut builder = Builder {
        doc: Doc {
            text,
            norm: String::new(),
            tokens,
            sentences,
            mixed_case: false,
            flags: 0,
            valence_tokens: 0,
            phrase_heads: 0,
        },
        norm,
        sentence_start: 0,
        vocab,
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
        let scan = WordScan::alnum_run(text.as_bytes(), chunk_start);
        position += scan.length;
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
        // Next most common: mentions, hashtags, "don't", "it." and the like.
        if let Some(simple) = SimpleChunk::scan(text, vocab, chunk_start, scan) {
            builder.push_simple(&simple);
            for &mark in &text.as_bytes()[simple.word_end..simple.end] {
                builder.punctuation(mark as char);
            }
            position = simple.end;
            continue;
        }
        position = chunk_start;
        let mut seen = 0;
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

/// A chunk of the shape most chunks have, which `Builder::chunk` would turn into one token
/// and punctuation marks: an optional `@` or `#`, one ASCII word (letters and digits, maybe
/// joined by single inner joiners: "don't", "well-made", "3.5") and ASCII punctuation up to
/// whitespace or the end ("life.", "great!!", "@anonymous:"). The fast path takes it in one
/// scan, and its word eight bytes at a time.
struct SimpleChunk {
    /// The token: the word, with the `@` of a mention but not the `#` of a hashtag.
    token_start: usize,
    word_end: usize,
    /// End of the chunk (after its punctuation).
    end: usize,
    kind: TokenKind,
    scan: WordScan,
}

impl SimpleChunk {
    /// The simple chunk starting at `start`, if it is one: never an emoticon, URL, HTML
    /// entity or placeholder (which `chunk` treats specially). `run` is
    /// `WordScan::alnum_run` at `start`, which the caller already has.
    fn scan<V: Vocabulary>(
        text: &str,
        vocab: &V,
        start: usize,
        run: WordScan,
    ) -> Option<SimpleChunk> {
        let bytes = text.as_bytes();
        let prefix = bytes[start];
        // URLs first: `chunk` keeps them whole.
        let rest = &text[start..];
        if (prefix == b'h' || prefix == b'w')
            && (rest.starts_with("http://")
                || rest.starts_with("https://")
                || rest.starts_with("www."))
        {
            return None;
        }
        let word_start = start + matches!(prefix, b'@' | b'#') as usize;
        let first = if word_start > start {
            WordScan::alnum_run(bytes, word_start)
        } else {
            run
        };
        if first.length == 0 {
            return None;
        }
        // Joiners with a letter or digit after them stay inside the word (`scan_word`).
        let mut word_end = word_start + first.length;
        let (mut joined, mut only_dots) = (false, true);
        while let Some(&joiner) = bytes.get(word_end) {
            if CLASSES[joiner as usize] != JOINER {
                break;
            }
            let run = ascii::alnum_len(bytes, word_end + 1);
            if run == 0 {
                break;
            }
            joined = true;
            only_dots &= joiner == b'.';
            word_end += 1 + run;
        }
        // Then ASCII punctuation (not `[`, which may open a placeholder), up to whitespace.
        let mut end = word_end;
        while let Some(&byte) = bytes.get(end) {
            if CLASSES[byte as usize] & (JOINER | PUNCT) == 0 || byte == b'[' {
                break;
            }
            end += 1;
        }
        if bytes
            .get(end)
            .is_some_and(|&byte| CLASSES[byte as usize] != SPACE)
        {
            return None;
        }
        let chunk = &text[start..end];
        let scan = if joined {
            WordScan::ascii(bytes, word_start, word_end)
        } else {
            first
        };
        // Emoticons have at most two letters; with more this cannot be one.
        if scan.letters <= 2 && (end > word_end || word_start > start || joined) {
            let trimmed = chunk.trim_end_matches([',', '.']);
            // The vocabulary first looks at the first byte, which rules out most words at once.
            if vocab.is_emoticon(trimmed) && may_be_emoticon(trimmed) {
                return None;
            }
        }
        let (token_start, kind) = match prefix {
            b'@' => (start, TokenKind::Mention),
            _ if scan.letters == 0 && only_dots => (word_start, TokenKind::Number),
            _ => (word_start, TokenKind::Word),
        };
        Some(SimpleChunk {
            token_start,
            word_end,
            end,
            kind,
            scan,
        })
    }
}

/// What one pass over an ASCII word gathers, eight bytes at a time: its lowercased bytes (the
/// lexicon key, `Vocabulary::info_key`) and case counts. Plain fields, no array, so the compiler
/// keeps a scan in registers.
#[derive(Clone, Copy, Default)]
struct WordScan {
    length: usize,
    letters: usize,
    upper: usize,
    /// Bytes 0..8 and 8..16, lowercased, first byte lowest (the key uses 15 at most).
    lower: u64,
    lower_high: u64,
}

impl WordScan {
    /// The first `count` bytes of `block`, the start of a word.
    #[inline]
    fn first(block: &Block, count: usize) -> WordScan {
        let mask = ascii::first_bytes(count);
        WordScan {
            length: count,
            letters: ascii::count(block.letters & mask),
            upper: ascii::count(block.upper & mask),
            lower: block.lower & mask,
            lower_high: 0,
        }
    }

    /// The run of ASCII letters and digits starting at byte `start`. Nearly all words fit in
    /// two blocks of eight bytes, handled here in registers; longer runs loop.
    #[inline(always)]
    fn alnum_run(bytes: &[u8], start: usize) -> WordScan {
        let block = Block::new(ascii::load(bytes, start));
        let count = block.alnum_prefix();
        let mut scan = WordScan::first(&block, count);
        if count < 8 {
            return scan;
        }
        let block = Block::new(ascii::load(bytes, start + 8));
        let count = block.alnum_prefix();
        scan.add_block(&block, count);
        if count < 8 {
            return scan;
        }
        scan.alnum_run_on(bytes, start)
    }

    /// `alnum_run` past two full blocks.
    #[cold]
    #[inline(never)]
    fn alnum_run_on(mut self, bytes: &[u8], start: usize) -> WordScan {
        loop {
            let block = Block::new(ascii::load(bytes, start + self.length));
            let count = block.alnum_prefix();
            self.add_block(&block, count);
            if count < 8 {
                return self;
            }
        }
    }

    /// The ASCII bytes `start..end`, whatever they are.
    fn ascii(bytes: &[u8], start: usize, end: usize) -> WordScan {
        let block = Block::new(ascii::load(bytes, start));
        let mut scan = WordScan::first(&block, (end - start).min(8));
        while start + scan.length < end {
            let block = Block::new(ascii::load(bytes, start + scan.length));
            scan.add_block(&block, (end - start - scan.length).min(8));
        }
        scan
    }

    /// Takes the first `count` bytes of `block`, which starts 8, 16, ... bytes into the word.
    #[inline(always)]
    fn add_block(&mut self, block: &Block, count: usize) {
        let mask = ascii::first_bytes(count);
        self.letters += ascii::count(block.letters & mask);
        self.upper += ascii::count(block.upper & mask);
        if self.length == 8 {
            self.lower_high = block.lower & mask;
        }
        self.length += count;
    }

    /// The complete key (`vocab::pack` of the lowercased word), if it is short enough.
    #[inline]
    fn key(&self) -> Option<PackedWord> {
        let packed = (self.lower_high as PackedWord) << 64
            | self.lower as PackedWord
            | (self.length as PackedWord) << 120;
        (self.length <= 15).then_some(packed)
    }
}

struct Builder<'a, 'l, V> {
    /// The document so far; its `norm` stays empty until `finish`.
    doc: Doc<'a>,
    /// `Doc::norm` being built, as bytes, so ASCII words can be written eight lowercased bytes
    /// at a time; every piece written is UTF-8, checked once in `finish`.
    norm: Vec<u8>,
    sentence_start: usize,
    vocab: &'l V,
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

impl<'a, V: Vocabulary> Builder<'a, '_, V> {
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
                b' '
            } else {
                b'\n'
            };
            if previous.brk == Break::Sentence {
                let index = self.doc.tokens.len();
                self.doc.sentences.push(self.sentence_start..index);
                self.sentence_start = index;
            }
            self.norm.push(separator);
        }
        self.norm.len()
    }

    /// A chunk of ASCII letters and digits that `tokenize_into` already scanned.
    #[inline]
    fn push_scanned(&mut self, start: usize, end: usize, scan: &WordScan) {
        let norm_start = self.begin_token();
        self.push_lower(scan, start);
        let (kind, info) = match scan.key() {
            // Numbers can start phrases ("5 stars"); the entry has the phrase list number.
            Some(key) if scan.letters == 0 => (
                TokenKind::Number,
                WordInfo {
                    phrase: self.vocab.phrase_head_key(key),
                    ..WordInfo::default()
                },
            ),
            Some(key) => (
                TokenKind::Word,
                self.vocab.info_key(key, &self.norm[norm_start..]),
            ),
            None => {
                let kind = if scan.letters == 0 {
                    TokenKind::Number
                } else {
                    TokenKind::Word
                };
                (kind, self.info(kind, None, norm_start))
            }
        };
        self.store_token(start, end, norm_start, kind, scan, info);
    }

    /// Writes the lowercased word that `scan` (of the word at `start`) holds to `norm`: whole
    /// blocks (one store each), cut back to the word; a word too long for the scan's two
    /// blocks is copied and lowercased.
    #[inline(always)]
    fn push_lower(&mut self, scan: &WordScan, start: usize) {
        let at = self.norm.len();
        if scan.length <= 16 {
            self.norm.extend_from_slice(&scan.lower.to_le_bytes());
            if scan.length > 8 {
                self.norm.extend_from_slice(&scan.lower_high.to_le_bytes());
            }
            self.norm.truncate(at + scan.length);
        } else {
            let text = self.doc.text.as_bytes();
            self.norm
                .extend_from_slice(&text[start..start + scan.length]);
            self.norm[at..].make_ascii_lowercase();
        }
    }

    /// The token of a chunk that `SimpleChunk::scan` took.
    fn push_simple(&mut self, simple: &SimpleChunk) {
        let (start, end, scan) = (simple.token_start, simple.word_end, &simple.scan);
        let norm_start = self.begin_token();
        // A mention's scan leaves out its `@`.
        let word_start = end - scan.length;
        if start < word_start {
            self.norm.push(b'@');
        }
        self.push_lower(scan, word_start);
        let key = scan.key().filter(|_| start + scan.length == end);
        let info = match (simple.kind, key) {
            (TokenKind::Word, Some(key)) => self.vocab.info_key(key, &self.norm[norm_start..]),
            // Numbers can start phrases ("5 stars"); the entry has the phrase list number.
            (TokenKind::Number, Some(key)) => WordInfo {
                phrase: self.vocab.phrase_head_key(key),
                ..WordInfo::default()
            },
            (kind, _) => self.info(kind, None, norm_start),
        };
        self.store_token(start, end, norm_start, simple.kind, scan, info);
    }

    fn push(&mut self, start: usize, end: usize, kind: TokenKind) {
        let norm_start = self.begin_token();
        let raw = &self.doc.text[start..end];
        if self.chunk_ascii || raw.is_ascii() {
            // Only words need case counts and a key.
            let scan = if kind == TokenKind::Word {
                WordScan::ascii(self.doc.text.as_bytes(), start, end)
            } else {
                WordScan::default()
            };
            self.norm.extend_from_slice(raw.as_bytes());
            self.norm[norm_start..].make_ascii_lowercase();
            let info = self.info(kind, scan.key(), norm_start);
            self.store_token(start, end, norm_start, kind, &scan, info);
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
                '’' | '‘' => self.norm.push(b'\''),
                c if c.is_ascii() => self.norm.push(c.to_ascii_lowercase() as u8),
                c => {
                    for lower in c.to_lowercase() {
                        let mut utf8 = [0u8; 4];
                        self.norm
                            .extend_from_slice(lower.encode_utf8(&mut utf8).as_bytes());
                    }
                }
            }
        }
        let scan = WordScan {
            letters,
            upper,
            ..WordScan::default()
        };
        let info = self.info(kind, None, norm_start);
        self.store_token(start, end, norm_start, kind, &scan, info);
    }

    /// What the vocabulary knows about the token being pushed (from `norm_start` to the end of
    /// `norm`); `key` is its packed form when it is ASCII and short enough.
    fn info(&self, kind: TokenKind, key: Option<PackedWord>, norm_start: usize) -> WordInfo {
        let norm_bytes = &self.norm[norm_start..];
        let norm = || std::str::from_utf8(norm_bytes).expect("norm pieces are UTF-8");
        match kind {
            TokenKind::Word => match key {
                Some(key) => self.vocab.info_key(key, norm_bytes),
                None => self.vocab.info(norm()),
            },
            // Emoji and emoticons carry their valence in the same place as words.
            TokenKind::Emoji => WordInfo {
                valence: self.vocab.emoji(norm()),
                ..WordInfo::default()
            },
            TokenKind::Emoticon => WordInfo {
                valence: self.vocab.emoticon(norm()),
                ..WordInfo::default()
            },
            // Numbers can start phrases ("5 stars").
            TokenKind::Number => WordInfo {
                phrase: self.vocab.phrase_head(norm()),
                ..WordInfo::default()
            },
            _ => WordInfo::default(),
        }
    }

    /// Stores the token whose normalized form runs from `norm_start` to the end of `norm`;
    /// `scan` has its case counts.
    #[inline]
    fn store_token(
        &mut self,
        start: usize,
        end: usize,
        norm_start: usize,
        kind: TokenKind,
        scan: &WordScan,
        info: WordInfo,
    ) {
        let (letters, upper) = (scan.letters, scan.upper);
        if kind == TokenKind::Word && upper < letters {
            self.doc.mixed_case = true;
        }
        self.doc.flags |= info.flags;
        let index = self.doc.tokens.len();
        if index < 64 {
            self.doc.valence_tokens |= (info.valence.is_some() as u64) << index;
            self.doc.phrase_heads |= ((info.phrase != 0) as u64) << index;
        }
        self.doc.tokens.push(Token {
            start: start as u32,
            end: end as u32,
            norm_start: norm_start as u32,
            norm_end: self.norm.len() as u32,
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
        if (punctuation || non_ascii) && may_be_emoticon(trimmed) && self.vocab.is_emoticon(trimmed)
        {
            self.push(start, start + trimmed.len(), TokenKind::Emoticon);
            if trimmed.len() < chunk.len() {
                self.mark_break(Break::Clause);
            }
            return;
        }
        // The next `]`, searched for once and kept until passed: searching from every `[` of
        // a chunk of them would read the rest of the chunk again each time.
        let mut close_searched = false;
        let mut next_close: Option<usize> = None;
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
                if !close_searched || next_close.is_some_and(|close| close < at) {
                    close_searched = true;
                    next_close = text[at..end].find(']').map(|i| at + i);
                    crate::work::count(next_close.unwrap_or(end) - at);
                }
                match next_close {
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
                    let token = &self.doc.tokens[last_index];
                    let norm = &self.norm[token.norm_start as usize..token.norm_end as usize];
                    c == '.' && ABBREVIATIONS.iter().any(|a| a.as_bytes() == norm)
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
        self.doc.norm = String::from_utf8(self.norm).expect("norm pieces are UTF-8");
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
