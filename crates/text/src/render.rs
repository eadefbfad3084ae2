//! Human-readable rendering of an `Analysis` for the command line.

use std::fmt;

use rustc_hash::FxHashSet;

use crate::analysis::{Analysis, Evidence, SignalResult};

fn words(evidence: &[Evidence]) -> String {
    let mut out: Vec<String> = Vec::new();
    // Shown once each; a set, as searching `out` for each item would grow with its square.
    let mut seen: FxHashSet<String> = FxHashSet::default();
    for item in evidence {
        let shown = match item.valence {
            Some(valence) => format!(
                "\"{}\" {:+.2} ({})",
                item.text,
                valence,
                item.rules.join(", ")
            ),
            None => format!("\"{}\" ({})", item.text, item.rules.join(", ")),
        };
        crate::work::count(1);
        if seen.insert(shown.clone()) {
            out.push(shown);
        }
    }
    out.join("; ")
}

fn signals(f: &mut fmt::Formatter<'_>, title: &str, list: &[SignalResult]) -> fmt::Result {
    if list.is_empty() {
        return writeln!(f, "{title}: none");
    }
    writeln!(f, "{title}:")?;
    for signal in list {
        writeln!(f, "  {:<15} {}", signal.label, words(&signal.evidence))?;
    }
    Ok(())
}

impl fmt::Display for Analysis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "text:      {}", self.redacted_text)?;
        if self.truncated {
            writeln!(
                f,
                "truncated: only the first {} bytes were analysed",
                self.analysed_bytes
            )?;
        }
        writeln!(
            f,
            "language:  {} ({}, confidence {:.2}, {}){}",
            self.language.name,
            self.language.code,
            self.language.confidence,
            self.language.method,
            if self.analysed {
                ""
            } else {
                " - not supported, not analysed"
            }
        )?;
        if !self.pii.is_empty() {
            let kinds: Vec<String> = self
                .pii
                .iter()
                .map(|p| format!("{:?}", p.kind).to_lowercase())
                .collect();
            writeln!(f, "redacted:  {}", kinds.join(", "))?;
        }
        if let Some(conversation) = &self.conversation {
            write!(
                f,
                "conversation: {} customer turns, {} agent turns, {} quoted blocks; scored on \
                 the customer's turns",
                conversation.customer_turns, conversation.agent_turns, conversation.quoted_blocks
            )?;
            match &conversation.agent_sentiment {
                Some(agent) => writeln!(
                    f,
                    "; agent sentiment {} {:+.3}",
                    agent.label.as_str(),
                    agent.score
                )?,
                None => writeln!(f)?,
            }
        }
        if let Some(sentiment) = &self.sentiment {
            writeln!(
                f,
                "sentiment: {} {:+.3}",
                sentiment.label.as_str(),
                sentiment.score
            )?;
            for sentence in &sentiment.sentences {
                writeln!(
                    f,
                    "  [{} {:+.3}] {}",
                    sentence.label.as_str(),
                    sentence.score,
                    sentence.text
                )?;
                if !sentence.evidence.is_empty() {
                    writeln!(f, "      because {}", words(&sentence.evidence))?;
                }
            }
        }
        if self.analysed {
            if self.themes.is_empty() {
                writeln!(f, "themes: none")?;
            } else {
                writeln!(f, "themes:")?;
                for theme in &self.themes {
                    let name = match &theme.sub_theme_label {
                        Some(sub) => format!("{} / {}", theme.theme_label, sub),
                        None => theme.theme_label.clone(),
                    };
                    writeln!(
                        f,
                        "  {name:<32} {} {:+.3}  matched {}",
                        theme.label.as_str(),
                        theme.score,
                        words(&theme.evidence)
                    )?;
                    if !theme.sentiment_evidence.is_empty() {
                        write!(f, "      tone from {}", words(&theme.sentiment_evidence))?;
                        match theme.sentiment_evidence_omitted {
                            0 => writeln!(f)?,
                            more => writeln!(f, " and {more} more")?,
                        }
                    }
                }
            }
            signals(f, "emotions", &self.emotions)?;
            if let Some(effort) = &self.effort {
                writeln!(
                    f,
                    "effort: {:?} ({:+}) {}",
                    effort.level,
                    effort.score,
                    words(&effort.evidence)
                )?;
            }
            signals(f, "intents", &self.intents)?;
        }
        write!(f, "analyzer:  {}", self.analyzer_version)
    }
}
