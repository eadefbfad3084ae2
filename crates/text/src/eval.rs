//! Sentiment evaluation against human ratings: Pearson r, 3-class accuracy and macro F1.
//!
//! Human ratings come either as a `score` on a scale symmetric around 0 (any width: -1..1,
//! -4..4, ...) or as a `label`. A human score is neutral when its magnitude is at most
//! `human_neutral_band`; by default that band is one eighth of the largest magnitude in the file,
//! which is ±0.5 on VADER's -4..4 tweet ratings. Predictions use `Label::from_score` (±0.05).

use std::io::Read;

use serde::Serialize;

use crate::error::TextError;
use crate::sentiment::Label;

#[derive(Clone, Debug, Default)]
pub struct EvalOptions {
    /// Absolute neutral band for human scores; `None` means 1/8 of the largest |score|.
    pub human_neutral_band: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EvalReport {
    pub n: usize,
    /// Only when the file has a `score` column.
    pub pearson_r: Option<f64>,
    pub accuracy_3class: f64,
    pub macro_f1: f64,
    /// The human neutral band used, when scores were given.
    pub human_neutral_band: Option<f64>,
}

enum Gold {
    Scores(Vec<f64>),
    Labels(Vec<Label>),
}

/// Reads `text` plus `score` or `label` columns and scores each text with `predict`.
pub fn evaluate<R: Read>(
    reader: R,
    options: &EvalOptions,
    mut predict: impl FnMut(&str) -> f32,
) -> Result<EvalReport, TextError> {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(reader);
    let headers = csv
        .headers()
        .map_err(|error| TextError::EvalHeader(error.to_string()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let text_column =
        column("text").ok_or_else(|| TextError::EvalHeader("missing column `text`".to_string()))?;
    let (gold_column, by_score) = match (column("score"), column("label")) {
        (Some(index), _) => (index, true),
        (None, Some(index)) => (index, false),
        (None, None) => {
            return Err(TextError::EvalHeader(
                "needs a `score` or a `label` column".to_string(),
            ))
        }
    };
    let mut gold = if by_score {
        Gold::Scores(Vec::new())
    } else {
        Gold::Labels(Vec::new())
    };
    let mut predicted = Vec::new();
    for (index, record) in csv.records().enumerate() {
        let row = index + 1;
        let record = record.map_err(|error| TextError::EvalRow {
            row,
            reason: error.to_string(),
        })?;
        let field = |column: usize| record.get(column).unwrap_or("").trim();
        let value = field(gold_column);
        match &mut gold {
            Gold::Scores(scores) => {
                let score: f64 = value.parse().map_err(|_| TextError::EvalRow {
                    row,
                    reason: format!("score `{value}` is not a number"),
                })?;
                if !score.is_finite() {
                    return Err(TextError::EvalRow {
                        row,
                        reason: "score is not finite".into(),
                    });
                }
                scores.push(score);
            }
            Gold::Labels(labels) => {
                labels.push(parse_label(value).ok_or_else(|| TextError::EvalRow {
                    row,
                    reason: format!("label `{value}` is not negative, neutral or positive"),
                })?)
            }
        }
        predicted.push(predict(record.get(text_column).unwrap_or("")) as f64);
    }
    if predicted.is_empty() {
        return Err(TextError::EvalEmpty);
    }
    let predicted_labels: Vec<Label> = predicted
        .iter()
        .map(|&s| Label::from_score(s as f32))
        .collect();
    let (gold_labels, pearson_r, band) = match gold {
        Gold::Scores(scores) => {
            let band = options
                .human_neutral_band
                .unwrap_or_else(|| scores.iter().fold(0.0f64, |m, s| m.max(s.abs())) / 8.0);
            let labels = scores.iter().map(|&s| human_label(s, band)).collect();
            (labels, pearson(&scores, &predicted), Some(band))
        }
        Gold::Labels(labels) => (labels, None, None),
    };
    let (accuracy_3class, macro_f1) = three_class(&gold_labels, &predicted_labels);
    Ok(EvalReport {
        n: predicted.len(),
        pearson_r,
        accuracy_3class,
        macro_f1,
        human_neutral_band: band,
    })
}

fn parse_label(value: &str) -> Option<Label> {
    match value.to_ascii_lowercase().as_str() {
        "negative" | "neg" | "-1" => Some(Label::Negative),
        "neutral" | "neu" | "0" => Some(Label::Neutral),
        "positive" | "pos" | "1" | "+1" => Some(Label::Positive),
        _ => None,
    }
}

/// The class of a human score given the neutral band.
pub fn human_label(score: f64, band: f64) -> Label {
    if score > band {
        Label::Positive
    } else if score < -band {
        Label::Negative
    } else {
        Label::Neutral
    }
}

/// Pearson correlation; `None` when either side has no variance.
pub fn pearson(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let n = xs.len().min(ys.len()) as f64;
    if n < 2.0 {
        return None;
    }
    let mean_x = xs.iter().sum::<f64>() / n;
    let mean_y = ys.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        sxy += (x - mean_x) * (y - mean_y);
        sxx += (x - mean_x).powi(2);
        syy += (y - mean_y).powi(2);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Accuracy and macro F1 over negative / neutral / positive (`Mixed` predictions must already be
/// mapped to a polarity).
pub fn three_class(gold: &[Label], predicted: &[Label]) -> (f64, f64) {
    let classes = [Label::Negative, Label::Neutral, Label::Positive];
    let correct = gold.iter().zip(predicted).filter(|(g, p)| g == p).count();
    let accuracy = correct as f64 / gold.len().max(1) as f64;
    let mut f1_sum = 0.0;
    for class in classes {
        let tp = gold
            .iter()
            .zip(predicted)
            .filter(|(g, p)| **g == class && **p == class)
            .count();
        let fp = gold
            .iter()
            .zip(predicted)
            .filter(|(g, p)| **g != class && **p == class)
            .count();
        let fn_ = gold
            .iter()
            .zip(predicted)
            .filter(|(g, p)| **g == class && **p != class)
            .count();
        let denominator = 2 * tp + fp + fn_;
        f1_sum += if denominator == 0 {
            0.0
        } else {
            2.0 * tp as f64 / denominator as f64
        };
    }
    (accuracy, f1_sum / classes.len() as f64)
}
