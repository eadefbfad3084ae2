//! The text-understanding columns of the copy: every text-bearing signal is run
//! through the text analyser when it enters the copy, and the results are kept
//! beside it with the analyser's version. A change of rules or taxonomy changes
//! the fingerprint, and the copy is re-analysed (rebuilt) on open.

use std::fmt;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Float64Array, StringArray};
use throughline_store::StoredSignal;
use throughline_text::{Analysis, Analyzer, Taxonomy, ANALYZER_VERSION};

/// Rows per thread below which splitting the work costs more than it saves.
const PARALLEL_MIN_ROWS: usize = 2_000;

/// The analyser the copy uses, and the fingerprint that identifies its rules
/// and taxonomy in the manifest.
#[derive(Clone)]
pub struct TextAnalyzer {
    analyzer: Arc<Analyzer>,
    fingerprint: String,
}

impl fmt::Debug for TextAnalyzer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextAnalyzer")
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

impl Default for TextAnalyzer {
    fn default() -> Self {
        Self::new(Taxonomy::default_taxonomy())
    }
}

impl TextAnalyzer {
    pub fn new(taxonomy: Taxonomy) -> Self {
        // The taxonomy's Debug form lists every theme and matcher: a cheap, stable
        // identity for "same rules" that needs nothing from the text crate.
        let fingerprint = format!(
            "{ANALYZER_VERSION}+{}-{:016x}",
            taxonomy.name,
            fnv1a(format!("{taxonomy:?}").as_bytes())
        );
        Self {
            analyzer: Arc::new(Analyzer::with_taxonomy(taxonomy)),
            fingerprint,
        }
    }

    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// The analysis of every row's text (`None` for rows without one), in order,
    /// spread over the machine's cores for large batches.
    pub fn analyse_rows(&self, rows: &[StoredSignal]) -> Vec<Option<Analysis>> {
        let one = |r: &StoredSignal| {
            r.signal
                .text
                .as_deref()
                .filter(|t| !t.trim().is_empty())
                .map(|t| self.analyzer.analyze(t))
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        if threads < 2 || rows.len() < PARALLEL_MIN_ROWS {
            return rows.iter().map(one).collect();
        }
        let per = rows.len().div_ceil(threads);
        std::thread::scope(|s| {
            let parts: Vec<_> = rows
                .chunks(per)
                .map(|chunk| s.spawn(move || chunk.iter().map(one).collect::<Vec<_>>()))
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn scored(a: &Option<Analysis>) -> Option<&Analysis> {
    a.as_ref().filter(|a| a.analysed)
}

/// The text columns, in the order `schema::view_columns` lists them, for one batch.
pub fn columns(analyses: &[Option<Analysis>]) -> Vec<ArrayRef> {
    let text = |f: &dyn Fn(&Analysis) -> Option<String>| -> ArrayRef {
        Arc::new(
            analyses
                .iter()
                .map(|a| scored(a).and_then(f))
                .collect::<StringArray>(),
        )
    };
    let list = |items: Vec<&str>| (!items.is_empty()).then(|| items.join(","));
    vec![
        Arc::new(
            analyses
                .iter()
                .map(|a| {
                    scored(a)
                        .and_then(|a| a.sentiment.as_ref())
                        .map(|s| f64::from(s.score))
                })
                .collect::<Float64Array>(),
        ),
        text(&|a| a.sentiment.as_ref().map(|s| s.label.as_str().to_string())),
        text(&|a| list(theme_ids(a))),
        text(&aspects_list),
        text(&|a| list(a.emotions.iter().map(|e| e.label).collect())),
        text(&|a| list(a.intents.iter().map(|e| e.label).collect())),
        text(&|a| a.effort.as_ref().map(|e| effort_label(e).to_string())),
        Arc::new(
            analyses
                .iter()
                .map(|a| a.as_ref().map(|a| a.language.code))
                .collect::<StringArray>(),
        ),
        Arc::new(
            analyses
                .iter()
                .map(|a| a.as_ref().map(|a| a.analyzer_version))
                .collect::<StringArray>(),
        ),
    ]
}

/// Theme and sub-theme ids, each once, in order of first mention.
fn theme_ids(a: &Analysis) -> Vec<&str> {
    let mut ids: Vec<&str> = Vec::new();
    for t in &a.themes {
        for id in std::iter::once(t.theme.as_str()).chain(t.sub_theme.as_deref()) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// `theme:score,theme:score`: each theme's mean aspect score over its mentions,
/// in a form SQL can split without JSON functions
/// (`split_part(unnest(string_to_array(aspects, ',')), ':', 2)`).
fn aspects_list(a: &Analysis) -> Option<String> {
    let mut sums: Vec<(&str, f64, u32)> = Vec::new();
    for t in &a.themes {
        match sums.iter_mut().find(|(id, _, _)| *id == t.theme) {
            Some(entry) => {
                entry.1 += f64::from(t.score);
                entry.2 += 1;
            }
            None => sums.push((&t.theme, f64::from(t.score), 1)),
        }
    }
    let parts: Vec<String> = sums
        .into_iter()
        .map(|(id, sum, n)| format!("{id}:{:.3}", sum / f64::from(n)))
        .collect();
    (!parts.is_empty()).then(|| parts.join(","))
}

fn effort_label(e: &throughline_text::analysis::EffortResult) -> &'static str {
    use throughline_text::analysis::EffortLevel;
    match e.level {
        EffortLevel::High => "high",
        EffortLevel::Neutral => "neutral",
        EffortLevel::Low => "low",
    }
}
