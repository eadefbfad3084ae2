//! Language detection: decides which language a text is in and whether we can analyse it.
//!
//! A cheap English check runs first (share of English function and lexicon words), because
//! most feedback is English and trigram detection (`whatlang`) costs more than all our other
//! rules together. Anything that check does not settle goes to `whatlang`. Only languages with a
//! `Lexicon` are `supported`; the rest are reported and never scored as if they were English.

use serde::Serialize;

use crate::lexicon::Lexicon;
use crate::tokenize::{Doc, TokenKind};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LanguageInfo {
    /// ISO 639-3 code ("eng", "deu"), or "und" when undetermined.
    pub code: &'static str,
    pub name: &'static str,
    pub confidence: f32,
    /// True when this analyser has rules for the language.
    pub supported: bool,
    /// "function-words", "whatlang" or "short-text".
    pub method: &'static str,
}

/// Frequent English words that are rarely words in other languages written in Latin script.
const ENGLISH_FUNCTION_WORDS: &[&str] = &[
    "the", "and", "is", "were", "are", "it", "it's", "to", "of", "i'm", "my", "you", "your", "for",
    "with", "that", "this", "have", "had", "not", "but", "they", "their", "we", "our", "be",
    "been", "would", "can", "could", "what", "when", "very", "just", "from", "all", "about",
    "there", "don't", "didn't", "did", "do", "or", "if", "get", "got", "out", "how", "why", "he",
    "she", "them", "was", "its", "been", "which", "because",
];

/// Common English words that are also words elsewhere ("a", "in", "so"): they add to the English
/// share but never decide it alone.
const WEAK_ENGLISH_WORDS: &[&str] = &[
    "a", "i", "in", "on", "at", "so", "me", "no", "an", "will", "has", "time", "day", "today",
    "new", "one", "up", "now", "go", "see", "off", "back", "night", "home", "work", "last",
];

/// Languages this analyser can score; English only for now.
pub fn is_supported(code: &str) -> bool {
    code == "eng"
}

fn english(confidence: f32, method: &'static str) -> LanguageInfo {
    LanguageInfo {
        code: "eng",
        name: "English",
        confidence,
        supported: true,
        method,
    }
}

/// The trigram detector for texts the fast path does not settle. It only considers the languages
/// feedback commonly arrives in: whatlang's cost grows with the number of candidate languages,
/// and a 30-language list is about three times faster than all 69.
pub struct LanguageDetector {
    detector: whatlang::Detector,
}

impl Default for LanguageDetector {
    fn default() -> Self {
        use whatlang::Lang::*;
        let allow = vec![
            Eng, Spa, Fra, Deu, Ita, Por, Nld, Swe, Dan, Nob, Fin, Pol, Ces, Slk, Hun, Ron, Tur,
            Rus, Ukr, Ell, Ara, Heb, Hin, Jpn, Cmn, Kor, Tha, Vie, Ind, Cat,
        ];
        LanguageDetector {
            detector: whatlang::Detector::with_allowlist(allow),
        }
    }
}

pub fn detect(doc: &Doc<'_>, lexicon: &Lexicon, detector: &LanguageDetector) -> LanguageInfo {
    let mut words = 0usize;
    let mut function_words = 0usize;
    let mut known = 0usize;
    for (index, token) in doc.tokens.iter().enumerate() {
        if token.kind != TokenKind::Word {
            continue;
        }
        words += 1;
        let norm = doc.norm_of(index);
        if ENGLISH_FUNCTION_WORDS.contains(&norm) {
            function_words += 1;
        } else if lexicon.knows(norm) || WEAK_ENGLISH_WORDS.contains(&norm) {
            known += 1;
        }
    }
    // Fast path: text whose letters are all ASCII (emoji and curly quotes allowed) and whose
    // words are largely English function or sentiment words.
    let ascii_letters = !doc.text.chars().any(|c| !c.is_ascii() && c.is_alphabetic());
    if ascii_letters && words > 0 {
        let share = (function_words + known) as f32 / words as f32;
        let function_share = function_words as f32 / words as f32;
        if (function_words >= 1 && share >= 0.5)
            || (function_words >= 2 && function_share >= 0.2)
            || (known >= 2 && share >= 0.4)
        {
            return english((0.5 + share / 2.0).min(1.0), "function-words");
        }
        // Trigram statistics say little about a few ASCII words ("delivery 👍", "still waiting
        // for a reply"); English is the better bet there.
        if words <= 3 || (words <= 6 && function_words + known >= 1) {
            return english(0.5, "short-text");
        }
    }
    match detector.detector.detect(doc.text) {
        Some(info) if info.is_reliable() || words >= 4 => {
            let lang = info.lang();
            let code = lang.code();
            if code == "eng" {
                english(info.confidence() as f32, "whatlang")
            } else {
                LanguageInfo {
                    code,
                    name: lang.eng_name(),
                    confidence: info.confidence() as f32,
                    supported: is_supported(code),
                    method: "whatlang",
                }
            }
        }
        // Too short for trigrams ("Great!", "terrible service"): ASCII text is read as English,
        // anything else stays undetermined rather than being scored with English rules.
        _ if doc.text.is_ascii() && words > 0 => english(0.3, "short-text"),
        _ if words == 0 => english(0.0, "short-text"),
        _ => LanguageInfo {
            code: "und",
            name: "Undetermined",
            confidence: 0.0,
            supported: false,
            method: "short-text",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicon;
    use crate::tokenize::tokenize;

    fn check(text: &str, code: &str, supported: bool) {
        let lexicon = Lexicon::english();
        let doc = tokenize(text, &lexicon);
        let info = detect(&doc, &lexicon, &LanguageDetector::default());
        assert_eq!(
            (info.code, info.supported),
            (code, supported),
            "{text}: {info:?}"
        );
    }

    #[test]
    fn detects_languages() {
        check("The delivery was late and the driver was rude", "eng", true);
        check("Great!", "eng", true);
        check(
            "Die Lieferung kam viel zu spät und der Fahrer war unfreundlich",
            "deu",
            false,
        );
        check(
            "El pedido llegó tarde y nadie respondió a mis correos electrónicos",
            "spa",
            false,
        );
        check(
            "Le service client était vraiment excellent, merci beaucoup",
            "fra",
            false,
        );
        check("配達がとても遅かったです", "jpn", false);
    }
}
