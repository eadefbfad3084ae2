//! The text-understanding columns of the copy: every text-bearing signal is run
//! through the text analyser when it enters the copy, and the results are kept
//! beside it with the analyser's version. A change of rules or taxonomy changes
//! the fingerprint, and the copy is re-analysed (rebuilt) on open.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Float64Array, StringArray};
use throughline_store::StoredSignal;
use throughline_text::{Analysis, Analyzer, Taxonomy, ANALYZER_VERSION, MAX_ANALYSED_BYTES};

/// The work of analysing one row, in units of one byte of text: a row costs a
/// little even with a short text (or none).
const ROW_WORK: usize = 64;

/// The least work (`ROW_WORK` per row plus its text bytes) worth a thread of its
/// own: about 2 000 rows without text, 800 short comments, or two long texts.
/// Counting bytes, not rows, matters: a hundred texts of 64 KiB are as much work
/// as tens of thousands of comments.
const PARALLEL_MIN_WORK: usize = 128 * 1024;

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
    /// spread over the machine's cores when there is enough text.
    pub fn analyse_rows(&self, rows: &[StoredSignal]) -> Vec<Option<Analysis>> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        self.analyse_rows_on(rows, threads)
    }

    /// `analyse_rows` on at most `threads` threads.
    fn analyse_rows_on(&self, rows: &[StoredSignal], threads: usize) -> Vec<Option<Analysis>> {
        let one = |r: &StoredSignal| text_of(r).map(|t| self.analyzer.analyze(t));
        let work: Vec<usize> = rows.iter().map(row_work).collect();
        let parts = split_work(&work, threads);
        if parts.len() < 2 {
            return rows.iter().map(one).collect();
        }
        std::thread::scope(|s| {
            let parts: Vec<_> = parts
                .into_iter()
                .map(|part| {
                    let rows = &rows[part];
                    s.spawn(move || rows.iter().map(one).collect::<Vec<_>>())
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    }
}

/// The text work (as `row_work` counts it) the refresher analyses before it
/// publishes: a chunk of long texts becomes visible in slices of about this much
/// (64 texts of 64 KiB, a fraction of a second), so a row behind them waits for
/// one slice, not for the rest of its chunk. Chunks of ordinary comments (10 000
/// rows of some 100 bytes) are far below it and stay whole.
const PUBLISH_WORK: usize = 4 * 1024 * 1024;

/// How many of `rows`, from the first, make one slice to analyse and publish: up
/// to about `PUBLISH_WORK` of text, at least one row.
pub(crate) fn slice_len(rows: &[StoredSignal]) -> usize {
    let mut work = 0;
    for (index, row) in rows.iter().enumerate() {
        work += row_work(row);
        if work >= PUBLISH_WORK {
            return index + 1;
        }
    }
    rows.len()
}

/// The text of a row the analyser reads, if it has one.
fn text_of(row: &StoredSignal) -> Option<&str> {
    row.signal.text().filter(|t| !t.trim().is_empty())
}

/// What analysing `row` costs, in bytes of text: every stage of the analyser is
/// linear in the text, up to `MAX_ANALYSED_BYTES`.
fn row_work(row: &StoredSignal) -> usize {
    ROW_WORK + text_of(row).map_or(0, |t| t.len().min(MAX_ANALYSED_BYTES))
}

/// Consecutive row ranges, at most `threads`, of about equal work; one range when
/// the whole is too little to be worth a thread more.
fn split_work(work: &[usize], threads: usize) -> Vec<Range<usize>> {
    let total: usize = work.iter().sum();
    let parts = threads
        .min(total / PARALLEL_MIN_WORK)
        .min(work.len())
        .max(1);
    let mut ranges = Vec::with_capacity(parts);
    let (mut start, mut done) = (0, 0);
    for (index, w) in work.iter().enumerate() {
        done += w;
        // Close a range once it reaches its share of the whole.
        if done * parts >= total * (ranges.len() + 1) && ranges.len() + 1 < parts {
            ranges.push(start..index + 1);
            start = index + 1;
        }
    }
    ranges.push(start..work.len());
    ranges.retain(|r| !r.is_empty());
    ranges
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

#[cfg(test)]
mod tests {
    use super::*;
    use throughline_domain::{ProfileId, Signal, SignalSeq, WorkspaceId};

    /// A chat signal with `text`, as the store hands it to the copy.
    fn chat(seq: i64, text: &str) -> StoredSignal {
        let record = serde_json::json!({"kind": "chat", "source": "widget",
            "external_id": format!("c{seq}"), "occurred_at": "2026-03-01T10:00:00Z",
            "customer": {"email": "a@b.co"}, "text": text});
        StoredSignal {
            seq: SignalSeq(seq),
            workspace: WorkspaceId(1),
            profile: ProfileId(1),
            received_at_us: 1_772_000_000_000_000,
            signal: Signal::parse(&record).unwrap(),
        }
    }

    /// Hostile chat texts of the longest size a signal may carry, one of each shape
    /// that made the analyser slow, repeated to `count` rows.
    fn hostile_chats(count: usize) -> Vec<StoredSignal> {
        let max = throughline_domain::limits::MAX_TEXT_BYTES;
        let fill = |unit: &str| unit.repeat(max / unit.len());
        let shapes = [
            "a".repeat(max - 1) + "@",
            fill("a@"),
            fill("1("),
            fill("AB12 "),
            fill("["),
            fill("delivery good "),
            fill("parcel late "),
            fill("\u{1F600}"),
            fill("app? "),
        ];
        (0..count)
            .map(|i| chat(i as i64 + 1, &shapes[i % shapes.len()]))
            .collect()
    }

    /// A few hundred rows of long texts are split over threads by their bytes (the
    /// rows alone were far below the 2 000 that split before), with the analyses of
    /// one thread; a handful of comments are not worth a thread.
    #[test]
    fn long_texts_are_analysed_in_parallel_parts_by_bytes() {
        let rows = hostile_chats(18);
        let work: Vec<usize> = rows.iter().map(row_work).collect();
        assert_eq!(split_work(&work, 2), vec![0..9, 9..18]);
        let text = TextAnalyzer::default();
        assert_eq!(
            text.analyse_rows_on(&rows, 2),
            text.analyse_rows_on(&rows, 1)
        );
        // A long text among short comments: the parts hold equal bytes, not rows.
        let mut mixed = vec![ROW_WORK + 100; 3_000];
        mixed[0] = ROW_WORK + MAX_ANALYSED_BYTES;
        let parts = split_work(&mixed, 2);
        assert_eq!(parts.len(), 2);
        let sums: Vec<usize> = parts
            .iter()
            .map(|p| mixed[p.clone()].iter().sum())
            .collect();
        assert!(
            sums[0].abs_diff(sums[1]) <= 2 * (ROW_WORK + 100),
            "{parts:?}"
        );
        assert!(parts[0].len() + 300 < parts[1].len(), "{parts:?}");
        let comments = vec![ROW_WORK + 120; 500];
        assert_eq!(split_work(&comments, 8), vec![0..500]);
        assert_eq!(split_work(&[], 8), Vec::<Range<usize>>::new());
    }

    /// A chunk of long texts is analysed and published in slices of bounded text;
    /// a chunk of comments in one.
    #[test]
    fn long_texts_are_published_in_slices() {
        let rows = hostile_chats(200);
        let first = slice_len(&rows);
        assert!((60..=70).contains(&first), "{first}");
        let work: usize = rows[..first].iter().map(row_work).sum();
        assert!((PUBLISH_WORK..PUBLISH_WORK + ROW_WORK + MAX_ANALYSED_BYTES).contains(&work));
        let comments: Vec<StoredSignal> = (0..2_000)
            .map(|i| chat(i, "the delivery was late and nobody called me back"))
            .collect();
        assert_eq!(slice_len(&comments), comments.len());
        assert_eq!(slice_len(&rows[..1]), 1);
    }

    /// Prints the time the copy's text analysis takes for 100 hostile chat texts
    /// of 64 KiB: on one thread, on every core, and as the refresher runs it
    /// (batches of `batch::to_batch`, one per published slice). Medians of 5 runs.
    /// `cargo test --release -p throughline-analytics --lib hostile_chat_figures -- --ignored --nocapture`
    #[test]
    #[ignore = "prints timing figures; speed is measured, not asserted"]
    fn hostile_chat_figures() {
        let rows = hostile_chats(100);
        let text = TextAnalyzer::default();
        let median = |run: &mut dyn FnMut()| {
            let mut times: Vec<f64> = (0..5)
                .map(|_| {
                    let start = std::time::Instant::now();
                    run();
                    start.elapsed().as_secs_f64() * 1e3
                })
                .collect();
            times.sort_by(f64::total_cmp);
            times[2]
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        for threads in [1, cores] {
            let ms = median(&mut || {
                std::hint::black_box(text.analyse_rows_on(&rows, threads));
            });
            println!("100 hostile chats of 64 KiB, analysed on {threads} thread(s): {ms:.1} ms");
        }
        let ms = median(&mut || {
            let mut rest = &rows[..];
            while !rest.is_empty() {
                let (slice, after) = rest.split_at(slice_len(rest));
                std::hint::black_box(crate::batch::to_batch(slice, &text).unwrap());
                rest = after;
            }
        });
        println!("100 hostile chats of 64 KiB, as the refresher batches them: {ms:.1} ms");
    }
}
