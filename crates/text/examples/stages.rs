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
    time("tokenize", &mut || {
        texts
            .iter()
            .map(|t| tokenize::tokenize(t, &model.lexicon).tokens.len())
            .sum()
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
    time("score", &mut || {
        docs.iter().map(|d| model.score(d).hits.len()).sum()
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
    println!(
        "function-words {} of {}",
        langs.iter().filter(|m| **m == "function-words").count(),
        langs.len()
    );
    for (t, m) in texts
        .iter()
        .zip(&langs)
        .filter(|(_, m)| **m == "whatlang")
        .take(25)
    {
        println!("  {m}: {t}");
    }
}
