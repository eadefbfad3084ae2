//! Churn-risk model on synthetic data whose true coefficients are known.

use super::*;

/// True log-odds per unit of each feature (in FEATURE_NAMES order).
const TRUTH: [f64; 9] = [0.08, -0.15, -0.02, -0.01, -0.25, -1.0, 0.4, 0.3, 1.5];
const INTERCEPT: f64 = -0.5;

fn synthetic(n: usize, seed: u64) -> (Vec<ChurnExample>, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let mut probs = Vec::with_capacity(n);
    let examples = (0..n)
        .map(|_| {
            let f = ChurnFeatures {
                recency: rng.exponential(1.0 / 10.0),
                frequency: rng.gamma(2.0, 0.5),
                tenure: rng.uniform() * 60.0,
                spend: rng.gamma(3.0, 0.05),
                nps: Some((rng.uniform() * 11.0).floor()),
                sentiment: Some(rng.uniform() * 2.0 - 1.0),
                open_cases: (rng.exponential(1.0) * 0.8).floor(),
                repeat_contacts: (rng.exponential(1.0) * 1.2).floor(),
                churn_intent: rng.uniform() < 0.1,
            };
            let row = f.row(0.0, 0.0);
            let eta = INTERCEPT + row.iter().zip(TRUTH).map(|(x, b)| x * b).sum::<f64>();
            let p = 1.0 / (1.0 + (-eta).exp());
            probs.push(p);
            ChurnExample {
                features: f,
                churned: rng.uniform() < p,
            }
        })
        .collect();
    (examples, probs)
}

#[test]
fn recovers_truth_and_validates_on_holdout() {
    let (ex, probs) = synthetic(40_000, 11);
    let opts = ChurnOptions {
        ridge: 0.0,
        ..ChurnOptions::default()
    };
    let m = train_churn_model(&ex, &opts).unwrap();
    assert_eq!(m.n_holdout, 10_000);
    for ((name, got), want) in FEATURE_NAMES
        .iter()
        .zip(m.model.raw_coefficients())
        .zip(TRUTH)
    {
        assert!(
            (got - want).abs() < 0.1 * want.abs() + 0.01,
            "{name}: {got} vs {want}"
        );
    }
    // The held-out AUC is close to what the true probabilities achieve.
    let labels: Vec<bool> = ex.iter().map(|e| e.churned).collect();
    let oracle = auc(&probs, &labels).unwrap();
    let got = m.holdout_auc.unwrap();
    assert!(
        got > 0.75 && (got - oracle).abs() < 0.02,
        "auc {got} vs oracle {oracle}"
    );
    // Calibrated: every decile's predicted mean is near its observed rate.
    assert_eq!(m.reliability.len(), 10);
    for b in &m.reliability {
        assert!((b.mean_predicted - b.observed_rate).abs() < 0.05, "{b:?}");
    }
}

#[test]
fn explains_scores_by_top_factors() {
    let (ex, _) = synthetic(10_000, 5);
    let m = train_churn_model(&ex, &ChurnOptions::default()).unwrap();
    let angry = ChurnFeatures {
        recency: 10.0,
        frequency: 1.0,
        tenure: 30.0,
        spend: 60.0,
        nps: Some(0.0),
        sentiment: Some(-0.9),
        open_cases: 1.0,
        repeat_contacts: 1.0,
        churn_intent: true,
    };
    let s = m.score(&angry, 3);
    assert!(s.probability > 0.8, "{s:?}");
    let names: Vec<&str> = s.top_factors.iter().map(|f| f.feature).collect();
    assert!(
        names.contains(&"churn_intent") && names.contains(&"nps"),
        "{names:?}"
    );
    assert!(s.top_factors.iter().all(|f| f.contribution > 0.0));
    let happy = ChurnFeatures {
        nps: Some(10.0),
        sentiment: Some(0.9),
        churn_intent: false,
        open_cases: 0.0,
        repeat_contacts: 0.0,
        ..angry
    };
    assert!(m.score(&happy, 3).probability < 0.2);
    // Missing experience data falls back to the training mean: zero contribution.
    let unknown = ChurnFeatures { nps: None, ..happy };
    let c = m
        .model
        .contributions(&unknown.row(m.nps_fill, m.sentiment_fill));
    assert!(c[4].abs() < 1e-12);
}

#[test]
fn refuses_thin_or_one_sided_data() {
    let (ex, _) = synthetic(30, 1);
    assert!(matches!(
        train_churn_model(&ex, &ChurnOptions::default()),
        Err(ValueError::TooFewCustomers { .. })
    ));
    let (mut ex, _) = synthetic(200, 1);
    ex.iter_mut().for_each(|e| e.churned = false);
    assert!(train_churn_model(&ex, &ChurnOptions::default()).is_err());
}
