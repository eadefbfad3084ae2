//! Partner feedback: a quarterly relationship survey answered by two contacts at each
//! partner. The carrier behind the delivery spike is unhappy in the spike quarter too.

use chrono::{DateTime, Datelike};
use throughline_domain::{IdentityKind, SignalKind, SignalParts, StakeholderType};

use crate::comments::{comment, Theme};
use crate::company::{EMAIL, PARTNERS};
use crate::customers::id;
use crate::dist::{chance, normal, score, uniform, DemoRng};
use crate::plan::{Episode, What, World, DAY};
use crate::render::{place, prop, signal, TEAM};
use crate::DemoConfig;

const CONTACTS: [&str; 2] = ["account.manager", "operations"];

pub fn plan_partners(config: &DemoConfig, start: i64, end: i64) -> Vec<Vec<(i64, What)>> {
    let mut plans = Vec::new();
    for p in 0..PARTNERS.len() {
        let mut rng = crate::dist::rng_for(config.seed, 3, p as u64, 0);
        let mut mine = Vec::new();
        let mut t = start + 30 * DAY;
        while t < end {
            for _ in CONTACTS {
                if chance(&mut rng, 0.8) {
                    mine.push((
                        t + uniform(&mut rng, 0.0, 10.0) as i64 * DAY,
                        What::PartnerFeedback,
                    ));
                }
            }
            t += 91 * DAY;
        }
        plans.push(mine);
    }
    plans
}

pub fn render(world: &World, ep: &Episode, rng: &mut DemoRng, emit: &mut dyn FnMut(SignalParts)) {
    let partner = &PARTNERS[ep.who as usize];
    let contact = CONTACTS[(ep.seq % 2) as usize];
    let ids = vec![id(
        IdentityKind::Email,
        &format!("{contact}@{}", partner.domain),
    )];
    let external_id = format!("prt-p{}-{}", ep.who, ep.seq);
    let mut s = signal(
        SignalKind::SurveyResponse,
        "partner_portal",
        external_id,
        ep.at,
        StakeholderType::Partner,
        ids,
    );
    // The spike brand's carrier is overwhelmed around the spike month.
    let month = DateTime::from_timestamp(ep.at, 0).map(|d| (d.year(), d.month()));
    let strained = partner.name == "SwiftParcel" && month == Some(world.spike);
    let mood = partner.mood - if strained { 2.5 } else { 0.0 };
    let nps = score(rng, mood, 1.2, 0, 10);
    s.nps = Some(nps);
    let tone = normal(rng, (f64::from(nps) - 6.5) / 3.5, 0.2).clamp(-1.0, 1.0);
    s.text = Some(comment(rng, tone, Theme::Partnership, Theme::Partnership));
    place(&mut s, EMAIL, None);
    let team = match partner.role {
        "carrier" => "Delivery Operations",
        "supplier" => "Product",
        "agency" => "Marketing",
        _ => "Finance",
    };
    s.dimensions[TEAM] = Some(team.into());
    prop(&mut s, "partner", partner.name);
    prop(&mut s, "role", partner.role);
    emit(s);
}
