//! Shared test helpers: a seeded generator and a synthetic survey with a planted driver.

#![allow(dead_code)] // each test binary uses a different subset

use throughline_drivers::{DriverData, DriverReport, DriverResult};

/// A tiny deterministic generator (Knuth's MMIX LCG), so tests need no `rand`.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> f64 {
        if self.uniform() < p {
            1.0
        } else {
            0.0
        }
    }

    /// Approximately standard normal: the sum of 12 uniforms, centred.
    pub fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.uniform()).sum::<f64>() - 6.0
    }
}

pub const THEMES: [&str; 6] = [
    "billing_problem",
    "slow_delivery",
    "friendly_staff",
    "app_crash",
    "price",
    "packaging",
];

/// A survey where "billing_problem" costs 3 NPS points, the other themes far less, and themes
/// co-occur (a billing problem makes an app crash more likely, as in real data).
pub fn survey(n: usize, seed: u64) -> DriverData {
    let mut rng = Lcg(seed);
    let effects = [-3.0, -1.0, 0.8, -0.6, -0.3, 0.0];
    let (mut rows, mut outcome) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let billing = rng.chance(0.25);
        let row = vec![
            billing,
            rng.chance(0.3),
            rng.chance(0.4),
            rng.chance(0.1 + 0.3 * billing),
            rng.chance(0.2),
            rng.chance(0.15),
        ];
        let y = 8.0 + row.iter().zip(effects).map(|(x, e)| x * e).sum::<f64>() + rng.normal();
        rows.push(row);
        outcome.push(y.clamp(0.0, 10.0));
    }
    DriverData {
        names: THEMES.iter().map(|s| s.to_string()).collect(),
        rows,
        outcome,
    }
}

pub fn driver<'a>(report: &'a DriverReport, name: &str) -> &'a DriverResult {
    report
        .drivers
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no driver {name}"))
}
