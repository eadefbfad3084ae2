//! Text understanding for Throughline: sentiment, themes, emotion, effort, intent, language and
//! PII redaction, with the evidence behind every label.
//!
//! Architecture invariant: pure and synchronous. No I/O except reading the readers handed to
//! `eval::evaluate`; all lexicons and the default taxonomy are compiled into the binary, and an
//! `Analyzer` is built once and then shared (`&self` everywhere, `Send + Sync`).

pub mod analysis;
mod ascii;
mod conversation;
pub mod discover;
pub mod error;
pub mod eval;
pub mod lang;
pub mod lexicon;
pub mod phrases;
pub mod pii;
mod render;
mod repeats;
mod sarcasm;
pub mod sentiment;
pub mod signals;
mod speakers;
mod table;
pub mod taxonomy;
pub mod themes;
pub mod tokenize;
pub mod vocab;
mod work;

#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::ops::Range;
use std::sync::OnceLock;

pub use analysis::Analysis;
pub use discover::{discover_themes, CandidateTheme, DiscoverOptions};
pub use error::TextError;
pub use eval::{evaluate, EvalOptions, EvalReport};
pub use sentiment::Label;
pub use speakers::Speaker;
pub use taxonomy::Taxonomy;

use analysis::{
    AgentSentiment, ConversationInfo, EffortLevel, EffortResult, Evidence, PiiFound,
    SentenceSentiment, SentimentResult, SignalResult, ThemeResult, TurnSpan,
};
use conversation::Conversation;
use lexicon::Lexicon;
use sentiment::{rule_names, ScoreScratch, SentimentModel};
use signals::{SignalKind, SignalModel};
use themes::CompiledTaxonomy;
use tokenize::Doc;

/// Identifies the rules, lexicons and taxonomy that produced a result, so stored results can be
/// re-analysed when it changes. Bump it whenever any rule or data file changes.
pub const ANALYZER_VERSION: &str = "throughline-text/0.1.0+en-6";

/// The most of one text an analysis reads. Every stage's work grows linearly with the text it
/// reads, so this bounds the work (and so the time) of one `analyze` call whatever the text:
/// a longer text is analysed up to here and marked `truncated`. The same as the longest text
/// a signal may carry, so no stored text is cut.
pub const MAX_ANALYSED_BYTES: usize = 64 * 1024;

/// How far past `MAX_ANALYSED_BYTES` a truncated text is searched for PII, so an identifier
/// the cut would split is found whole and the cut moved to its end: never half redacted.
/// Cards, phones and IBANs are under 70 bytes; an email address under 255.
const PII_LOOKAHEAD_BYTES: usize = 256;

/// The most sentiment evidence one theme lists. Its score counts every sentiment word in its
/// clauses, but listing them all for every theme would multiply a long text's analysis by
/// the number of themes it mentions.
pub const MAX_THEME_SENTIMENT_EVIDENCE: usize = 64;

/// Per-thread buffers reused across calls, so analysing a stream of texts allocates only for
/// its results.
#[derive(Default)]
struct Scratch {
    doc: tokenize::DocBuffers,
    score: ScoreScratch,
    /// One side's words of a conversation (`Conversation::words_of`).
    words: String,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The analyser: lexicons, phrase automata and the compiled taxonomy, built once.
pub struct Analyzer {
    english: SentimentModel,
    /// Scores an agent's turns of a conversation (`Lexicon::english_agent`).
    agent: SentimentModel,
    signals: SignalModel,
    taxonomy: CompiledTaxonomy,
    languages: lang::LanguageDetector,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new()
    }
}

/// Analyses one text with the shared default analyser (built on first use).
pub fn analyze(text: &str) -> Analysis {
    static DEFAULT: OnceLock<Analyzer> = OnceLock::new();
    DEFAULT.get_or_init(Analyzer::new).analyze(text)
}

impl Analyzer {
    /// An analyser with the shipped default taxonomy.
    pub fn new() -> Analyzer {
        Analyzer::with_taxonomy(Taxonomy::default_taxonomy())
    }

    pub fn with_taxonomy(taxonomy: Taxonomy) -> Analyzer {
        Analyzer {
            english: SentimentModel::new(Lexicon::english()),
            agent: SentimentModel::new(Lexicon::english_agent()),
            signals: SignalModel::english(),
            taxonomy: CompiledTaxonomy::new(taxonomy),
            languages: lang::LanguageDetector::default(),
        }
    }

    /// An analyser with a taxonomy read from TOML source (see the crate README).
    pub fn from_taxonomy_toml(source: &str) -> Result<Analyzer, TextError> {
        Ok(Analyzer::with_taxonomy(Taxonomy::parse(source)?))
    }

    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy.taxonomy
    }

    pub(crate) fn compiled_taxonomy(&self) -> &CompiledTaxonomy {
        &self.taxonomy
    }

    pub(crate) fn lexicon(&self) -> &Lexicon {
        &self.english.lexicon
    }

    /// Document sentiment score in [-1, 1] with English rules, no explanation, no language
    /// check: the fast path for evaluation and benchmarks. A conversation is scored on its
    /// customer's turns, as in `analyze`.
    pub fn sentiment_score(&self, text: &str) -> f32 {
        SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let scratch = &mut *guard;
            let mut words = std::mem::take(&mut scratch.words);
            let conversation = conversation::detect(text);
            let customer = side(text, conversation.as_ref(), Speaker::Customer, &mut words);
            let score = score_only(&self.english, customer, scratch);
            scratch.words = words;
            score
        })
    }

    /// Full analysis: PII redaction, language, sentiment, themes, emotion, effort and intent.
    pub fn analyze(&self, text: &str) -> Analysis {
        let (text, found, truncated) = within_budget(text);
        let redacted_text = pii::replace(text, &found);
        let mut pii = Vec::with_capacity(found.len());
        let mut shift: isize = 0;
        for hit in &found {
            let start = (hit.start as isize + shift) as usize;
            let placeholder = hit.kind.placeholder().len();
            pii.push(PiiFound {
                kind: hit.kind,
                start,
                end: start + placeholder,
            });
            shift += placeholder as isize - (hit.end - hit.start) as isize;
        }
        let mut scratch = SCRATCH.with(|cell| std::mem::take(&mut *cell.borrow_mut()));
        // A conversation is analysed on the customer's words, blanked in place so every span
        // still points into `redacted_text`. Turns are found in the text as written (a
        // timestamp may look like a phone number to PII redaction), then moved to the
        // redacted text's offsets.
        let conversation = conversation::detect(text).map(|c| c.into_redacted(&found));
        let mut words = std::mem::take(&mut scratch.words);
        let customer = side(
            &redacted_text,
            conversation.as_ref(),
            Speaker::Customer,
            &mut words,
        );
        let doc = tokenize::tokenize_into(customer, &self.english.lexicon, scratch.doc);
        let language = lang::detect(&doc, &self.english.lexicon, &self.languages);
        let mut analysis = Analysis {
            analyzer_version: ANALYZER_VERSION,
            truncated,
            analysed_bytes: text.len(),
            analysed: language.supported,
            language,
            redacted_text: String::new(),
            pii,
            sentiment: None,
            themes: Vec::new(),
            emotions: Vec::new(),
            effort: None,
            intents: Vec::new(),
            conversation: None,
        };
        if analysis.analysed {
            self.fill(&doc, &mut analysis, &mut scratch.score);
        }
        scratch.doc = doc.into_buffers();
        if let Some(conversation) = conversation {
            let agent_sentiment = (analysis.analysed && conversation.agent_turns > 0).then(|| {
                conversation.words_of(&redacted_text, Speaker::Agent, &mut words);
                let score = score_only(&self.agent, &words, &mut scratch);
                AgentSentiment {
                    score,
                    label: Label::from_score(score),
                }
            });
            analysis.conversation = Some(conversation_info(conversation, agent_sentiment));
        }
        scratch.words = words;
        SCRATCH.with(|cell| *cell.borrow_mut() = scratch);
        analysis.redacted_text = redacted_text;
        analysis
    }

    fn fill(&self, doc: &Doc<'_>, analysis: &mut Analysis, scratch: &mut ScoreScratch) {
        let scored = self.english.score_with(doc, scratch);
        let sentiment_evidence = |hit: &sentiment::Hit| {
            evidence(
                doc,
                hit.tokens.clone(),
                rule_names(hit.rules),
                Some(hit.valence),
            )
        };
        let sentences = scored
            .sentences
            .iter()
            .map(|sentence| {
                let (start, end) = doc.span_of(sentence.tokens.clone());
                let mut evidence: Vec<Evidence> = scored.hits[sentence.hits.clone()]
                    .iter()
                    .map(sentiment_evidence)
                    .collect();
                if sentence.rules != 0 {
                    evidence.push(Evidence {
                        text: doc.text[start..end].to_string(),
                        start,
                        end,
                        rules: rule_names(sentence.rules),
                        valence: None,
                    });
                }
                SentenceSentiment {
                    text: doc.text[start..end].to_string(),
                    start,
                    end,
                    score: sentence.score,
                    label: sentence.label,
                    evidence,
                }
            })
            .collect();
        analysis.sentiment = Some(SentimentResult {
            score: scored.score,
            label: scored.label,
            sentences,
        });
        for found in self.taxonomy.match_themes(doc, &scored) {
            let (theme, theme_label, sub) = self.taxonomy.theme_label(found.target);
            analysis.themes.push(ThemeResult {
                theme: theme.to_string(),
                theme_label: theme_label.to_string(),
                sub_theme: sub.map(|s| s.0.to_string()),
                sub_theme_label: sub.map(|s| s.1.to_string()),
                score: found.score,
                label: found.label,
                evidence: found
                    .mentions
                    .iter()
                    .map(|m| evidence(doc, m.tokens.clone(), vec![m.rule], None))
                    .collect(),
                sentiment_evidence: found
                    .sentiment_hits
                    .iter()
                    .take(MAX_THEME_SENTIMENT_EVIDENCE)
                    .map(|&i| sentiment_evidence(&scored.hits[i]))
                    .collect(),
                sentiment_evidence_omitted: found
                    .sentiment_hits
                    .len()
                    .saturating_sub(MAX_THEME_SENTIMENT_EVIDENCE),
            });
        }
        let mut effort_score = 0;
        let mut effort_evidence = Vec::new();
        for signal in self.signals.detect(doc, &self.english.lexicon, &scored) {
            let evidence: Vec<Evidence> = signal
                .evidence
                .iter()
                .map(|e| evidence(doc, e.tokens.clone(), vec![e.rule], None))
                .collect();
            match signal.kind {
                SignalKind::Emotion => analysis.emotions.push(SignalResult {
                    label: signal.label,
                    evidence,
                }),
                SignalKind::Intent => analysis.intents.push(SignalResult {
                    label: signal.label,
                    evidence,
                }),
                SignalKind::Effort => {
                    let sign = if signal.label == "high" { 1 } else { -1 };
                    effort_score += sign * evidence.len() as i32;
                    effort_evidence.extend(evidence.into_iter().map(|mut e| {
                        e.rules.insert(
                            0,
                            if sign > 0 {
                                "high effort"
                            } else {
                                "low effort"
                            },
                        );
                        e
                    }));
                }
            }
        }
        let level = match effort_score {
            s if s > 0 => EffortLevel::High,
            s if s < 0 => EffortLevel::Low,
            _ => EffortLevel::Neutral,
        };
        analysis.effort = Some(EffortResult {
            level,
            score: effort_score,
            evidence: effort_evidence,
        });
        scratch.recycle(scored);
    }
}

/// The document score of `text` with `model`, reusing `scratch`.
fn score_only(model: &SentimentModel, text: &str, scratch: &mut Scratch) -> f32 {
    let buffers = std::mem::take(&mut scratch.doc);
    let doc = tokenize::tokenize_into(text, &model.lexicon, buffers);
    let score = model.score_only(&doc, &mut scratch.score);
    scratch.doc = doc.into_buffers();
    score
}

/// The words of `speaker` in `text` (blanked into `buffer`) when it is a conversation, else
/// all of `text`.
fn side<'a>(
    text: &'a str,
    conversation: Option<&Conversation>,
    speaker: Speaker,
    buffer: &'a mut String,
) -> &'a str {
    match conversation {
        Some(conversation) => {
            conversation.words_of(text, speaker, buffer);
            buffer
        }
        None => text,
    }
}

fn conversation_info(
    conversation: Conversation,
    agent_sentiment: Option<AgentSentiment>,
) -> ConversationInfo {
    ConversationInfo {
        customer_turns: conversation.customer_turns,
        agent_turns: conversation.agent_turns,
        quoted_blocks: conversation.quoted_blocks,
        agent_sentiment,
        turns: conversation
            .turns
            .into_iter()
            .map(|turn| TurnSpan {
                speaker: turn.speaker,
                start: turn.start,
                end: turn.end,
                courtesy: turn.courtesy,
            })
            .collect(),
    }
}

/// The part of `text` an analysis reads (all of it, or `MAX_ANALYSED_BYTES` and at most an
/// identifier more), its PII spans, and whether it was cut.
fn within_budget(text: &str) -> (&str, Vec<pii::PiiMatch>, bool) {
    if text.len() <= MAX_ANALYSED_BYTES {
        return (text, pii::find(text), false);
    }
    let window = &text[..char_floor(text, MAX_ANALYSED_BYTES + PII_LOOKAHEAD_BYTES)];
    let mut found = pii::find(window);
    let mut cut = char_floor(text, MAX_ANALYSED_BYTES);
    if let Some(split) = found.iter().find(|hit| hit.start < cut && cut < hit.end) {
        cut = split.end;
    }
    found.retain(|hit| hit.end <= cut);
    (&text[..cut], found, true)
}

/// The largest character boundary of `text` at or below `at`.
pub(crate) fn char_floor(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn evidence(
    doc: &Doc<'_>,
    tokens: Range<usize>,
    rules: Vec<&'static str>,
    valence: Option<f32>,
) -> Evidence {
    let (start, end) = doc.span_of(tokens);
    Evidence {
        text: doc.text[start..end].to_string(),
        start,
        end,
        rules,
        valence,
    }
}
