//! The shared sample (5 000 customers, generated once per test binary) and the small
//! analyses the tests need: identity resolution, grouping, NPS.

use std::collections::HashMap;
use std::sync::OnceLock;

use throughline_demo::{generate, DemoConfig};
use throughline_domain::{IdentityPolicy, Signal, SignalKind, StakeholderType};

pub struct Sample {
    pub config: DemoConfig,
    pub signals: Vec<Signal>,
    /// The resolved person of each customer signal (union of its strong identities).
    pub person: Vec<Option<u32>>,
}

pub fn sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let config = DemoConfig {
            customers: 5_000,
            ..DemoConfig::default()
        };
        let mut signals = Vec::new();
        generate(&config, |s| signals.push(s));
        let person = resolve(&signals);
        Sample {
            config,
            signals,
            person,
        }
    })
}

/// Union-find over strong customer identities; shared mailboxes never link anyone.
pub fn resolve(signals: &[Signal]) -> Vec<Option<u32>> {
    let policy = IdentityPolicy::default();
    let mut node: HashMap<&str, usize> = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut firsts = Vec::with_capacity(signals.len());
    for s in signals {
        let mut first = None;
        if s.stakeholder_type() == StakeholderType::Customer {
            for id in s.identities().iter().filter(|id| !policy.is_weak(id)) {
                let next = parent.len();
                let n = *node.entry(id.value.as_str()).or_insert(next);
                if n == next {
                    parent.push(n);
                }
                match first {
                    None => first = Some(n),
                    Some(f) => {
                        let (a, b) = (find(&mut parent, f), find(&mut parent, n));
                        parent[a] = b;
                    }
                }
            }
        }
        firsts.push(first);
    }
    firsts
        .into_iter()
        .map(|f| f.map(|n| find(&mut parent, n) as u32))
        .collect()
}

pub fn is_contact(kind: SignalKind) -> bool {
    matches!(
        kind,
        SignalKind::Ticket | SignalKind::Chat | SignalKind::Email | SignalKind::Call
    )
}

pub fn action(s: &Signal) -> &str {
    s.action().as_ref().map_or("", |a| a.as_str())
}

/// NPS in points from 0–10 answers, with the count.
pub fn nps(scores: &[u8]) -> (f64, usize) {
    let n = scores.len();
    let promoters = scores.iter().filter(|&&s| s >= 9).count() as f64;
    let detractors = scores.iter().filter(|&&s| s <= 6).count() as f64;
    (100.0 * (promoters - detractors) / n.max(1) as f64, n)
}

pub fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

pub fn pearson(xs: &[f64], ys: &[f64]) -> f64 {
    let (mx, my) = (mean(xs), mean(ys));
    let cov: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let vx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    let vy: f64 = ys.iter().map(|y| (y - my).powi(2)).sum();
    cov / (vx * vy).sqrt()
}

/// Per resolved person: did they churn (a cancellation)?
pub fn churned(sample: &Sample) -> HashMap<u32, bool> {
    let mut out: HashMap<u32, bool> = HashMap::new();
    for (s, p) in sample.signals.iter().zip(&sample.person) {
        let Some(p) = p else { continue };
        let entry = out.entry(*p).or_default();
        if s.kind() == SignalKind::Transaction && action(s) == "cancellation" {
            *entry = true;
        }
    }
    out
}

/// Churn rate of the people in `group` (looked up in `churned`).
pub fn churn_rate<'a>(
    churned: &HashMap<u32, bool>,
    group: impl Iterator<Item = &'a u32>,
) -> (f64, usize) {
    let (mut yes, mut n) = (0usize, 0usize);
    for p in group {
        n += 1;
        yes += usize::from(churned.get(p).copied().unwrap_or(false));
    }
    (yes as f64 / n.max(1) as f64, n)
}
