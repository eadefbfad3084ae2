//! The demo company's acquisition spend: what it paid per channel and month for the
//! customers it won, at the planted cost per customer (`truths::ACQUISITION_CAC`).
//!
//! The tally watches the generated signals: a customer is acquired in the month and on
//! the channel of their first signal of any kind (as the value page defines it). Signals
//! name their customer in the external id (`{tag}-c{who}-{seq}-{k}`, see `render::Ctx::xid`),
//! which also covers a social post written before the customer had an account.

use std::collections::{BTreeMap, HashSet};

use rand::{Rng, SeedableRng};
use throughline_domain::{AcquisitionSpend, Signal, StakeholderType};

use crate::dist::DemoRng;
use crate::truths::{ACQUISITION_CAC, ACQUISITION_CURRENCY, SPEND_NOISE};

#[derive(Debug, Default)]
pub struct AcquisitionTally {
    seen: HashSet<String>,
    /// (month, channel) → customers acquired.
    acquired: BTreeMap<(String, String), u64>,
}

impl AcquisitionTally {
    /// Counts the signal's customer as acquired if this is the first signal seen of them.
    pub fn observe(&mut self, s: &Signal) {
        if s.stakeholder_type() != StakeholderType::Customer {
            return;
        }
        let Some(who) = customer_key(s) else {
            return;
        };
        if !self.seen.insert(who.to_string()) {
            return;
        }
        let month = s.occurred_at().format("%Y-%m").to_string();
        let channel = s.dimension("channel").unwrap_or("unknown").to_string();
        *self.acquired.entry((month, channel)).or_default() += 1;
    }

    /// The spend rows: for each paid channel and month, acquired customers × the planted
    /// CAC × noise of ±`SPEND_NOISE` (seeded, so the same seed gives the same ledger).
    pub fn spend(&self, seed: u64) -> Vec<AcquisitionSpend> {
        let mut rng = DemoRng::seed_from_u64(seed ^ 0x5e4d);
        let mut out = Vec::new();
        for ((month, channel), n) in &self.acquired {
            let Some((_, cac)) = ACQUISITION_CAC.iter().find(|(c, _)| c == channel) else {
                continue;
            };
            let noise = 1.0 + rng.random_range(-SPEND_NOISE..SPEND_NOISE);
            out.push(AcquisitionSpend {
                channel: channel.clone(),
                campaign: String::new(),
                month: month.clone(),
                amount: (*n as f64 * cac * noise * 100.0).round() / 100.0,
                currency: ACQUISITION_CURRENCY.to_string(),
            });
        }
        out
    }
}

/// `c123` from `evt-c123-4-0`.
fn customer_key(s: &Signal) -> Option<&str> {
    s.external_id().split('-').find(|part| {
        part.len() > 1 && part.starts_with('c') && part[1..].bytes().all(|b| b.is_ascii_digit())
    })
}
