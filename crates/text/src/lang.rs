//! Language detection: decides which language a text is in and whether we can analyse it.
//!
//! Function-word profiles decide most texts: each token's one lexicon lookup also says which of
//! 17 languages' most frequent words it is (`PROFILES`), so counting costs nothing extra. A
//! foreign language wins with at least two hits, more than the English function words, and a
//! quarter of the words; English wins on its function and lexicon words when no foreign profile
//! competes; short texts with no sign of another language are read as English. Anything else
//! (other scripts, accented text without clear English, ties between close relatives such as
//! Danish and Norwegian, long texts without function words) goes to `whatlang` trigrams, which
//! cost more than all our other rules together (under 1% of the tweet set). Only languages with
//! a `Lexicon` are `supported`; the rest are reported and never scored as if they were English.

use serde::Serialize;

use crate::lexicon::{flag, Lexicon};
use crate::tokenize::{Doc, TokenKind};

#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
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

/// A function-word profile: frequent words of one language that are rare as words in the
/// others (English loanwords and names are left out), used to tell languages apart without
/// trigram statistics. Each word becomes a bit in the lexicon entry, so checking all profiles
/// costs nothing beyond the one lookup every token already gets.
pub struct Profile {
    pub code: &'static str,
    pub name: &'static str,
    pub words: &'static [&'static str],
}

/// Index of the English profile and of the weak English words in `PROFILES`.
const ENGLISH: usize = 0;
const WEAK_ENGLISH: usize = 1;
/// Foreign profiles start here.
const FIRST_FOREIGN: usize = 2;
/// The number of English profiles (strong and weak), which come first.
pub const ENGLISH_PROFILES: u32 = FIRST_FOREIGN as u32;

pub const PROFILES: &[Profile] = &[
    Profile {
        code: "eng",
        name: "English",
        words: &[
            "the",
            "and",
            "is",
            "were",
            "are",
            "it",
            "it's",
            "to",
            "of",
            "i'm",
            "my",
            "you",
            "your",
            "for",
            "with",
            "that",
            "this",
            "have",
            "had",
            "not",
            "but",
            "they",
            "their",
            "we",
            "our",
            "be",
            "been",
            "would",
            "can",
            "could",
            "what",
            "when",
            "very",
            "just",
            "from",
            "all",
            "about",
            "there",
            "don't",
            "didn't",
            "did",
            "do",
            "or",
            "if",
            "get",
            "got",
            "out",
            "how",
            "why",
            "he",
            "she",
            "them",
            "was",
            "its",
            "which",
            "because",
            "i've",
            "i'll",
            "you're",
            "that's",
            "isn't",
            "wasn't",
            "doesn't",
            "can't",
            "won't",
            "let's",
            "what's",
            "there's",
            "these",
            "those",
            "than",
            "then",
            "who",
            "where",
            "here",
            "should",
            "into",
            "some",
            "more",
            "going",
            "gonna",
            "like",
            "know",
            "think",
            "want",
            "really",
            "people",
            "thanks",
            "thank",
            "does",
            "him",
            "his",
            "us",
            "after",
            "before",
            "over",
            "only",
            "never",
            "always",
            "still",
            "much",
            "any",
            "every",
            "doing",
            "being",
            "way",
            "make",
            "made",
            "off",
            "too",
            "well",
            "good",
            "great",
            "love",
            "need",
            "going",
            "yesterday",
            "tomorrow",
            "tonight",
            "morning",
        ],
    },
    // Common English words that are also words elsewhere ("a", "in", "so"): they add to the
    // English share but never decide it alone.
    Profile {
        code: "eng",
        name: "English",
        words: &[
            "a", "i", "in", "on", "at", "so", "me", "no", "an", "will", "has", "time", "day",
            "today", "new", "one", "up", "now", "go", "see", "back", "night", "home", "work",
            "last", "as", "by", "also", "am", "her", "man", "men", "die", "war", "hat",
        ],
    },
    Profile {
        code: "spa",
        name: "Spanish",
        words: &[
            "el", "los", "las", "del", "que", "y", "es", "por", "para", "una", "su", "pero", "muy",
            "más", "como", "está", "esta", "este", "esto", "hay", "yo", "mis", "gracias", "bien",
            "qué", "porque", "cuando", "todo", "nada", "también", "ya", "sobre", "hace", "tiene",
            "fue", "ser", "puede", "nos", "les", "eso", "ella", "él", "estoy", "pues", "hola",
            "bueno", "la", "de", "en", "un", "se", "le", "lo", "muchas", "mucho",
        ],
    },
    Profile {
        code: "por",
        name: "Portuguese",
        words: &[
            "os", "da", "dos", "das", "não", "nao", "é", "uma", "para", "com", "que", "por",
            "mais", "muito", "muita", "está", "eu", "você", "voce", "ele", "ela", "isso", "isto",
            "mas", "foi", "tem", "são", "também", "obrigado", "obrigada", "aqui", "bem", "já",
            "quando", "seu", "sua", "meu", "minha", "nos", "pelo", "pela", "de", "se", "na", "ao",
            "e",
        ],
    },
    Profile {
        code: "fra",
        name: "French",
        words: &[
            "le", "la", "les", "des", "du", "de", "et", "est", "un", "une", "pour", "pas", "que",
            "qui", "je", "j'ai", "il", "elle", "nous", "vous", "ils", "avec", "sur", "dans", "ce",
            "cette", "ces", "mais", "très", "tres", "bien", "merci", "c'est", "n'est", "suis",
            "sont", "au", "aux", "mon", "ma", "mes", "ton", "sa", "ses", "leur", "oui", "être",
            "avoir", "fait", "tout", "comme", "était", "ça", "en", "ne",
        ],
    },
    Profile {
        code: "deu",
        name: "German",
        words: &[
            "der", "das", "und", "ist", "nicht", "ich", "du", "sie", "wir", "ihr", "mit", "auf",
            "für", "fur", "von", "zu", "den", "dem", "ein", "eine", "einen", "einem", "einer",
            "auch", "sich", "aber", "noch", "wie", "wenn", "nur", "schon", "sehr", "mein", "meine",
            "dein", "kein", "keine", "haben", "sind", "bist", "wird", "werden", "dass", "daß",
            "oder", "nach", "bei", "aus", "über", "danke", "heute", "jetzt", "doch", "es", "ja",
            "nein", "mir", "mich", "dich",
        ],
    },
    Profile {
        code: "ita",
        name: "Italian",
        words: &[
            "il", "gli", "di", "del", "della", "che", "è", "non", "una", "uno", "sono", "anche",
            "più", "molto", "questo", "questa", "tutto", "grazie", "bene", "hai", "perché",
            "perche", "quando", "io", "noi", "voi", "nel", "nella", "alla", "dei", "delle",
            "sempre", "ancora", "cosa", "fatto", "essere", "già", "la", "le", "un", "mi", "ti",
            "si", "ci",
        ],
    },
    Profile {
        code: "nld",
        name: "Dutch",
        words: &[
            "het", "een", "van", "dat", "niet", "ik", "je", "jij", "wij", "ze", "zij", "hij", "te",
            "met", "voor", "zijn", "maar", "ook", "als", "bij", "nog", "naar", "wel", "geen", "nu",
            "heb", "hebt", "heeft", "mijn", "deze", "dit", "hoe", "waar", "worden", "wordt", "zo",
            "veel", "goed", "dank", "bedankt", "gaat", "gezien", "daar", "de", "en", "op", "er",
            "om", "wat", "dan", "kan", "het",
        ],
    },
    Profile {
        code: "swe",
        name: "Swedish",
        words: &[
            "och", "att", "det", "som", "är", "på", "för", "med", "jag", "hon", "till", "av",
            "inte", "har", "ett", "så", "sig", "mig", "mycket", "eller", "från", "när", "vad",
            "hur", "bara", "också", "tack", "skulle", "finns", "en", "du", "vi", "ni", "de", "om",
            "var", "kan", "nu",
        ],
    },
    Profile {
        code: "dan",
        name: "Danish",
        words: &[
            "og", "jeg", "det", "ikke", "af", "havde", "hvad", "skal", "meget", "tak", "godt",
            "også", "mig", "sig", "dem", "jo", "har", "er", "til", "på", "som", "med", "en", "et",
            "de", "der", "du", "vi", "kan", "så", "var", "om", "nu", "fra", "bare",
        ],
    },
    Profile {
        code: "nob",
        name: "Norwegian Bokmål",
        words: &[
            "og", "jeg", "det", "ikke", "av", "meg", "deg", "seg", "hva", "hvordan", "veldig",
            "takk", "også", "noe", "godt", "etter", "har", "er", "til", "på", "som", "med", "en",
            "et", "de", "du", "vi", "kan", "så", "var", "om", "nå", "når", "fra", "bare",
        ],
    },
    Profile {
        code: "fin",
        name: "Finnish",
        words: &[
            "ja",
            "ei",
            "että",
            "mutta",
            "kun",
            "niin",
            "hän",
            "minä",
            "sinä",
            "tämä",
            "oli",
            "ole",
            "olen",
            "kuin",
            "mitä",
            "jos",
            "myös",
            "vain",
            "nyt",
            "kiitos",
            "hyvä",
            "tai",
            "sen",
            "sitä",
            "ovat",
            "se",
            "hyvin",
            "erittäin",
            "minun",
            "sinun",
            "mutta",
        ],
    },
    Profile {
        code: "pol",
        name: "Polish",
        words: &[
            "się",
            "nie",
            "że",
            "jest",
            "jak",
            "ale",
            "czy",
            "już",
            "tylko",
            "bardzo",
            "jestem",
            "dziękuję",
            "dzięki",
            "dzieki",
            "mnie",
            "tego",
            "może",
            "był",
            "była",
            "na",
            "tak",
            "jestem",
            "są",
            "oraz",
            "przez",
            "dla",
        ],
    },
    Profile {
        code: "ces",
        name: "Czech",
        words: &[
            "jsem", "jsi", "není", "že", "už", "jen", "velmi", "děkuji", "dobře", "protože",
            "když", "také", "nebo", "tady", "je", "se", "na", "jsou", "byl", "byla", "ale", "jak",
            "tak",
        ],
    },
    Profile {
        code: "tur",
        name: "Turkish",
        words: &[
            "ve",
            "bir",
            "bu",
            "için",
            "ile",
            "çok",
            "değil",
            "gibi",
            "ama",
            "daha",
            "şey",
            "olarak",
            "kadar",
            "sonra",
            "nasıl",
            "neden",
            "teşekkürler",
            "tesekkurler",
            "evet",
            "hayır",
            "sana",
            "bana",
            "beni",
            "seni",
            "zaman",
            "zamanda",
            "geliyor",
            "yok",
            "var",
            "ne",
            "da",
            "de",
            "mi",
            "cok",
            "icin",
            "degil",
            "cok",
        ],
    },
    Profile {
        code: "ron",
        name: "Romanian",
        words: &[
            "și",
            "în",
            "pe",
            "este",
            "că",
            "pentru",
            "sunt",
            "care",
            "foarte",
            "mulțumesc",
            "multumesc",
            "dar",
            "sau",
            "acest",
            "această",
            "fost",
            "din",
            "cu",
            "nu",
            "si",
            "la",
            "de",
            "un",
            "mai",
            "ce",
        ],
    },
    Profile {
        code: "hun",
        name: "Hungarian",
        words: &[
            "az",
            "és",
            "hogy",
            "nem",
            "egy",
            "ez",
            "meg",
            "van",
            "volt",
            "csak",
            "már",
            "még",
            "vagy",
            "nagyon",
            "köszönöm",
            "koszonom",
            "köszi",
            "én",
            "azt",
            "ezt",
            "lesz",
            "kell",
            "itt",
            "ott",
            "jó",
        ],
    },
    Profile {
        code: "cat",
        name: "Catalan",
        words: &[
            "els", "amb", "és", "però", "molt", "més", "aquest", "aquesta", "són", "gràcies",
            "també", "perquè", "quan", "la", "les", "de", "del", "que", "per", "un", "una", "el",
            "en", "es",
        ],
    },
    Profile {
        code: "ind",
        name: "Indonesian",
        words: &[
            "yang", "di", "ke", "dari", "ini", "itu", "dengan", "untuk", "tidak", "ada", "saya",
            "aku", "kamu", "anda", "akan", "juga", "sudah", "bisa", "pada", "dalam", "atau",
            "karena", "kalau", "tapi", "sangat", "terima", "kasih", "apa", "sama", "lagi", "belum",
            "mau", "gak", "nggak",
        ],
    },
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

fn foreign(index: usize, confidence: f32) -> LanguageInfo {
    let profile = &PROFILES[index];
    LanguageInfo {
        code: profile.code,
        name: profile.name,
        confidence,
        supported: is_supported(profile.code),
        method: "function-words",
    }
}

/// The trigram detector for texts the word profiles do not settle. It only considers the
/// languages feedback commonly arrives in: whatlang's cost grows with the number of candidate
/// languages, and a 30-language list is about three times faster than all 69.
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

/// Counts of function-word hits per profile over a document's words.
struct Counts {
    words: usize,
    english: usize,
    english_known: usize,
    /// Per profile from `FIRST_FOREIGN` on.
    foreign: [u16; PROFILES.len()],
}

fn count(doc: &Doc<'_>) -> Counts {
    let mut counts = Counts {
        words: 0,
        english: 0,
        english_known: 0,
        foreign: [0; PROFILES.len()],
    };
    let english_bit = 1 << (flag::LANG_SHIFT + ENGLISH as u32);
    let weak_bit = 1 << (flag::LANG_SHIFT + WEAK_ENGLISH as u32);
    for token in &doc.tokens {
        if token.kind != TokenKind::Word {
            continue;
        }
        counts.words += 1;
        let flags = token.info.flags;
        if flags & english_bit != 0 {
            counts.english += 1;
        } else if flags & (flag::KNOWN | weak_bit) != 0 || token.info.valence.is_some() {
            counts.english_known += 1;
        }
        let mut foreign = flags >> (flag::LANG_SHIFT + FIRST_FOREIGN as u32);
        while foreign != 0 {
            let bit = foreign.trailing_zeros() as usize;
            counts.foreign[FIRST_FOREIGN + bit] += 1;
            foreign &= foreign - 1;
        }
    }
    counts
}

/// Letters outside ASCII: `(latin, other)` counts (Latin-1 and Latin Extended count as Latin).
fn non_ascii_letters(text: &str) -> (usize, usize) {
    if text.is_ascii() {
        return (0, 0);
    }
    let (mut latin, mut other) = (0, 0);
    for c in text.chars().filter(|c| !c.is_ascii() && c.is_alphabetic()) {
        if matches!(c as u32, 0xC0..=0x24F | 0x1E00..=0x1EFF) {
            latin += 1;
        } else {
            other += 1;
        }
    }
    (latin, other)
}

pub fn detect(doc: &Doc<'_>, _lexicon: &Lexicon, detector: &LanguageDetector) -> LanguageInfo {
    let counts = count(doc);
    let words = counts.words;
    let (latin, other_script) = non_ascii_letters(doc.text);
    if other_script == 0 && words > 0 {
        // Function-word profiles: the best foreign language must beat English clearly.
        let mut best = 0;
        let mut best_hits = 0;
        let mut tied = false;
        for index in FIRST_FOREIGN..PROFILES.len() {
            let hits = counts.foreign[index] as usize;
            if hits > best_hits {
                (best, best_hits, tied) = (index, hits, false);
            } else if hits == best_hits && hits > 0 {
                tied = true;
            }
        }
        let english_share = (counts.english + counts.english_known) as f32 / words as f32;
        let english_function_share = counts.english as f32 / words as f32;
        if best_hits >= 2 && best_hits > counts.english && best_hits * 4 >= words {
            let confidence = best_hits as f32 / (best_hits + counts.english + 1) as f32;
            if !tied {
                return foreign(best, confidence);
            }
            // Close relatives (Danish / Norwegian, Spanish / Catalan) share function words;
            // trigrams break the tie among the tied languages only.
            return among_tied(doc, &counts, best_hits, confidence);
        }
        let english_ok = (counts.english >= 1 && english_share >= 0.5)
            || (counts.english >= 2 && english_function_share >= 0.2)
            || (counts.english_known >= 2 && english_share >= 0.4)
            // No function word of any profiled language but some English ones: a sentence in
            // one of those languages would hardly avoid all of its most frequent words.
            || (best_hits == 0
                && (counts.english >= 1 || counts.english_known >= 2)
                && english_share >= 0.2)
            || (best_hits <= 1 && counts.english >= 2 && english_share >= 0.25);
        if english_ok && (best_hits < 2 || counts.english >= best_hits) && latin <= 2 {
            return english((0.5 + english_share / 2.0).min(1.0), "function-words");
        }
        // Trigram statistics say little about a few words ("delivery 👍", "still waiting for a
        // reply", "Down on east sixth"); with no sign of another language, English is the
        // better bet there.
        let english_evidence = counts.english + counts.english_known;
        if latin == 0
            && ((best_hits == 0 && words <= 3)
                || (best_hits <= 1 && words <= 8 && english_evidence > best_hits))
        {
            return english(0.5, "short-text");
        }
    }
    trigrams(doc, words, detector)
}

/// whatlang on the words only (URLs, mentions and numbers would only add noise).
fn words_only(doc: &Doc<'_>) -> String {
    let mut out = String::with_capacity(doc.text.len());
    for (index, token) in doc.tokens.iter().enumerate() {
        if token.kind == TokenKind::Word {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(doc.text_of(index));
        }
    }
    out
}

fn among_tied(doc: &Doc<'_>, counts: &Counts, best_hits: usize, confidence: f32) -> LanguageInfo {
    let tied: Vec<usize> = (FIRST_FOREIGN..PROFILES.len())
        .filter(|&index| counts.foreign[index] as usize == best_hits)
        .collect();
    let langs: Vec<whatlang::Lang> = tied
        .iter()
        .filter_map(|&index| whatlang::Lang::from_code(PROFILES[index].code))
        .collect();
    let detector = whatlang::Detector::with_allowlist(langs);
    let chosen = detector
        .detect_lang(&words_only(doc))
        .and_then(|lang| {
            tied.iter()
                .copied()
                .find(|&i| PROFILES[i].code == lang.code())
        })
        .unwrap_or(tied[0]);
    foreign(chosen, confidence)
}

fn trigrams(doc: &Doc<'_>, words: usize, detector: &LanguageDetector) -> LanguageInfo {
    let text = words_only(doc);
    match detector.detector.detect(&text) {
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

    #[test]
    fn function_word_profiles_decide_without_trigrams() {
        let method = |text: &str| {
            let lexicon = Lexicon::english();
            let doc = tokenize(text, &lexicon);
            detect(&doc, &lexicon, &LanguageDetector::default())
        };
        for (text, code) in [
            (
                "das een eind geleden dat ik je nog op twitter heb gezien",
                "nld",
            ),
            ("el envío llegó tarde y el paquete estaba roto", "spa"),
            (
                "la consegna è arrivata in ritardo e il pacco era rotto",
                "ita",
            ),
            ("o pedido não chegou e eu estou muito chateado", "por"),
            ("kisa zamanda cikar gibi geliyor", "tur"),
            ("przesyłka nie dotarła i jestem bardzo zły", "pol"),
            ("The delivery was late and nobody called me back", "eng"),
            ("Give 'em hell, give 'em hell!", "eng"),
            ("take a look, it's in a book", "eng"),
        ] {
            let info = method(text);
            assert_eq!(info.code, code, "{text}: {info:?}");
            assert_eq!(info.method, "function-words", "{text}: {info:?}");
            assert_eq!(info.supported, code == "eng", "{text}");
        }
        // Danish and Norwegian share their function words; trigrams break the tie, and either
        // way the text is not scored as English.
        let info = method("Jeg ser ikke fjernsyn");
        assert!(matches!(info.code, "dan" | "nob"), "{info:?}");
        assert!(!info.supported);
        // Headlines without function words are English by default only when short.
        assert_eq!(
            method("Down on east sixth supervising Team Bartlett.").code,
            "eng"
        );
    }
}
