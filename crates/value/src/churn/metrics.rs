//! Classifier checks: ROC AUC and reliability (calibration) buckets.

use serde::Serialize;

/// Area under the ROC curve = P(score of a random positive > a random negative), ties count ½
/// (Mann–Whitney). `None` when one class is absent.
pub fn auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let (mut rank_sum, mut n_pos) = (0.0, 0usize);
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j < idx.len() && scores[idx[j]] == scores[idx[i]] {
            j += 1;
        }
        let mid_rank = (i + j + 1) as f64 / 2.0; // average of ranks i+1 … j
        for &k in &idx[i..j] {
            if labels[k] {
                rank_sum += mid_rank;
                n_pos += 1;
            }
        }
        i = j;
    }
    let n_neg = scores.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    let np = n_pos as f64;
    Some((rank_sum - np * (np + 1.0) / 2.0) / (np * n_neg as f64))
}

/// One bucket of a reliability diagram.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ReliabilityBucket {
    pub count: usize,
    pub mean_predicted: f64,
    pub observed_rate: f64,
}

/// Equal-count buckets by predicted probability (lowest first): a calibrated model has
/// mean_predicted ≈ observed_rate in every bucket.
pub fn reliability(scores: &[f64], labels: &[bool], buckets: usize) -> Vec<ReliabilityBucket> {
    let n = scores.len();
    let buckets = buckets.clamp(1, n.max(1));
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    (0..buckets)
        .filter_map(|b| {
            let part = &idx[b * n / buckets..(b + 1) * n / buckets];
            if part.is_empty() {
                return None;
            }
            let c = part.len() as f64;
            Some(ReliabilityBucket {
                count: part.len(),
                mean_predicted: part.iter().map(|&i| scores[i]).sum::<f64>() / c,
                observed_rate: part.iter().filter(|&&i| labels[i]).count() as f64 / c,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_by_hand() {
        assert_eq!(
            auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]),
            Some(0.75)
        );
        assert_eq!(auc(&[0.5, 0.5], &[false, true]), Some(0.5));
        assert_eq!(auc(&[0.1, 0.2], &[true, true]), None);
    }

    #[test]
    fn reliability_buckets() {
        let s = [0.1, 0.2, 0.8, 0.9];
        let l = [false, true, true, true];
        let r = reliability(&s, &l, 2);
        assert_eq!(r.len(), 2);
        assert!((r[0].mean_predicted - 0.15).abs() < 1e-15);
        assert_eq!(r[0].observed_rate, 0.5);
        assert_eq!(r[1].observed_rate, 1.0);
    }
}
