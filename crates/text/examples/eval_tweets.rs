//! Scores VADER's tweet ground truth (id<TAB>mean rating -4..4<TAB>text) and prints r,
//! 3-class accuracy and macro F1 with the human neutral band |rating| <= 0.5.
//!
//! cargo run --release -p throughline-text --example eval_tweets -- FILE [--dump]

use throughline_text::eval::{human_label, pearson, three_class};
use throughline_text::sentiment::Label;
use throughline_text::Analyzer;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: eval_tweets FILE [--dump]");
    let dump = args.next().as_deref() == Some("--dump");
    let raw = std::fs::read_to_string(&path).expect("readable file");
    let analyzer = Analyzer::new();
    let (mut gold, mut predicted) = (Vec::new(), Vec::new());
    for line in raw
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut fields = line.splitn(3, '\t');
        let (_, rating, text) = (fields.next(), fields.next(), fields.next());
        let (Some(rating), Some(text)) = (rating, text) else {
            continue;
        };
        let Ok(rating) = rating.trim().parse::<f64>() else {
            continue;
        };
        let score = analyzer.sentiment_score(text) as f64;
        if dump {
            println!("{rating:.3}\t{score:.3}\t{text}");
        }
        gold.push(rating);
        predicted.push(score);
    }
    let gold_labels: Vec<Label> = gold.iter().map(|&g| human_label(g, 0.5)).collect();
    let predicted_labels: Vec<Label> = predicted
        .iter()
        .map(|&p| Label::from_score(p as f32))
        .collect();
    let (accuracy, macro_f1) = three_class(&gold_labels, &predicted_labels);
    let r = pearson(&gold, &predicted).unwrap_or(f64::NAN);
    eprintln!(
        "n={} pearson_r={r:.4} accuracy_3class={accuracy:.4} macro_f1={macro_f1:.4}",
        gold.len()
    );
}
