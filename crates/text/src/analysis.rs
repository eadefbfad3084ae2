//! The serializable result of analysing one text, with the evidence behind every label.
//!
//! All spans are byte offsets into `redacted_text`: the original text never leaves `analyze`,
//! so an `Analysis` can be stored and shown without leaking the PII it had.

use serde::Serialize;

use crate::lang::LanguageInfo;
use crate::pii::PiiKind;
use crate::sentiment::Label;
use crate::speakers::Speaker;

/// A word or phrase that caused a label, and the rule(s) that used it.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Evidence {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub rules: Vec<&'static str>,
    /// Sentiment contribution on the lexicon's -4..4 scale, for sentiment evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valence: Option<f32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SentenceSentiment {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub score: f32,
    pub label: Label,
    pub evidence: Vec<Evidence>,
}

#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SentimentResult {
    pub score: f32,
    pub label: Label,
    pub sentences: Vec<SentenceSentiment>,
}

#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ThemeResult {
    pub theme: String,
    pub theme_label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_theme: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_theme_label: Option<String>,
    /// Aspect sentiment: the tone of the clauses that mention the theme.
    pub score: f32,
    pub label: Label,
    /// The words that matched the theme.
    pub evidence: Vec<Evidence>,
    /// The sentiment words that gave the aspect its tone: the first
    /// `MAX_THEME_SENTIMENT_EVIDENCE` in text order (the score counts them all).
    pub sentiment_evidence: Vec<Evidence>,
    /// How many more sentiment words gave the tone than `sentiment_evidence` lists.
    #[serde(skip_serializing_if = "is_zero")]
    pub sentiment_evidence_omitted: usize,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SignalResult {
    pub label: &'static str,
    pub evidence: Vec<Evidence>,
}

#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EffortLevel {
    High,
    Neutral,
    Low,
}

#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EffortResult {
    pub level: EffortLevel,
    /// High-effort cues minus low-effort cues.
    pub score: i32,
    pub evidence: Vec<Evidence>,
}

#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PiiFound {
    pub kind: PiiKind,
    /// Span of the placeholder in `redacted_text`.
    pub start: usize,
    pub end: usize,
}

/// A chat, call transcript or email thread: which parts each side wrote. When an analysis has
/// one, its `sentiment`, themes, emotions, effort and intents are the customer's turns' alone
/// (an agent's politeness is not the customer's mood), and the agent's turns are scored here.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ConversationInfo {
    /// Turns opened by a customer label ("Customer:", "Caller:", "Me:" …), or the unquoted
    /// parts of an email reply.
    pub customer_turns: usize,
    /// Turns opened by an agent label ("Agent:", "Rep:", "Sam (agent):", "Bot:" …).
    pub agent_turns: usize,
    /// Runs of lines quoted from earlier messages: counted for neither side.
    pub quoted_blocks: usize,
    /// The agent turns' tone, for agent-quality measures; absent without agent turns or when
    /// the text was not analysed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_sentiment: Option<AgentSentiment>,
    /// Every stretch of the text with its speaker, labels left out, in text order; text
    /// before the first label and system notices are `other`.
    pub turns: Vec<TurnSpan>,
}

/// The sentiment of the agent's turns, scored together as one text.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AgentSentiment {
    pub score: f32,
    /// From the score alone (never `mixed`).
    pub label: Label,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TurnSpan {
    pub speaker: Speaker,
    /// Span of the turn's words in `redacted_text`.
    pub start: usize,
    pub end: usize,
    /// A customer turn of thanks and goodbyes only ("Ok thanks."), left out of the scores:
    /// every contact ends with one.
    #[serde(skip_serializing_if = "is_false")]
    pub courtesy: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// Everything the analyser says about one text.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Analysis {
    pub analyzer_version: &'static str,
    /// True when the text was longer than one analysis reads (`MAX_ANALYSED_BYTES`): only
    /// its first `analysed_bytes` were analysed, and `redacted_text` holds only those.
    pub truncated: bool,
    /// Bytes of the text analysed, from its start: all of them unless `truncated`.
    pub analysed_bytes: usize,
    pub language: LanguageInfo,
    /// False when the language is not supported: then sentiment, themes and signals are absent
    /// rather than guessed with English rules.
    pub analysed: bool,
    pub redacted_text: String,
    pub pii: Vec<PiiFound>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<SentimentResult>,
    pub themes: Vec<ThemeResult>,
    pub emotions: Vec<SignalResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effort: Option<EffortResult>,
    pub intents: Vec<SignalResult>,
    /// Present when the text is a conversation (see `ConversationInfo`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation: Option<ConversationInfo>,
}
