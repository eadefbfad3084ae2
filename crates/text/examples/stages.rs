//! Development aid: times each pipeline stage separately over a ground-truth file's texts.
use std::time::Instant;
use throughline_text::lexicon::Lexicon;
use throughline_text::sentiment::SentimentModel;
use throughline_text::signals::SignalModel;
use throughline_text::themes::CompiledTaxonomy;
use throughline_text::{lang, pii, tokenize, Taxonomy};

fn main() {
    let path = std::env::args().nth(1).expect("FILE");
    let raw = std::fs::read_to_string(&path).expect("file");
    let texts: Vec<&str> = raw
        .lines()
        .filter_map(|l| l.splitn(3, '\t').nth(2))
        .collect();
    let model = SentimentModel::new(Lexicon::english());
    let signals = SignalModel::english();
    let taxonomy = CompiledTaxonomy::new(Taxonomy::default_taxonomy());
    let docs: Vec<_> = texts
        .iter()
        .map(|t| tokenize::tokenize(t, &model.lexicon))
        .collect();
    let scores: Vec<_> = docs.iter().map(|d| model.score(d)).collect();
    let n = texts.len() as f64;
    let detector = lang::LanguageDetector::default();
    let time = |name: &str, f: &mut dyn FnMut() -> usize| {
        let start = Instant::now();
        let mut sink = 0;
        for _ in 0..3 {
            sink += f();
        }
        println!(
            "{name:<10} {:>8.2} us/text ({sink})",
            start.elapsed().as_secs_f64() * 1e6 / n / 3.0
        );
    };
    time("pii", &mut || {
        texts.iter().map(|t| pii::find(t).len()).sum()
    });
    let mut buffers = Some(tokenize::DocBuffers::default());
    time("tokenize", &mut || {
        let mut sum = 0;
        for t in &texts {
            let doc = tokenize::tokenize_into(t, &model.lexicon, buffers.take().unwrap());
            sum += doc.tokens.len();
            buffers = Some(doc.into_buffers());
        }
        sum
    });
    time("lang", &mut || {
        docs.iter()
            .map(|d| lang::detect(d, &model.lexicon, &detector).supported as usize)
            .sum()
    });
    time("whatlang", &mut || {
        texts
            .iter()
            .map(|t| whatlang::detect(t).is_some() as usize)
            .sum()
    });
    let mut scratch = throughline_text::sentiment::ScoreScratch::default();
    time("score", &mut || {
        docs.iter()
            .map(|d| (model.score_only(d, &mut scratch) > 0.0) as usize)
            .sum()
    });
    time("themes", &mut || {
        docs.iter()
            .zip(&scores)
            .map(|(d, s)| taxonomy.match_themes(d, s).len())
            .sum()
    });
    time("signals", &mut || {
        docs.iter()
            .zip(&scores)
            .map(|(d, s)| signals.detect(d, &model.lexicon, s).len())
            .sum()
    });
    let langs: Vec<_> = docs
        .iter()
        .map(|d| lang::detect(d, &model.lexicon, &detector).method)
        .collect();
    for method in ["function-words", "short-text", "whatlang"] {
        let count = langs.iter().filter(|m| **m == method).count();
        println!("language method {method}: {count} of {}", langs.len());
    }
}
