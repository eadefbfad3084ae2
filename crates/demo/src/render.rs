//! Turning planned episodes into `SignalParts`s: the shared builder, external ids, timestamps
//! and the one `match` that sends each episode to the module that renders it.

use chrono::{DateTime, FixedOffset};
use serde_json::Value;
use throughline_domain::{Dimension, Identity, SignalKind, SignalParts, StakeholderType};

use crate::company::{stage_of, BRANDS, REGIONS};
use crate::customers::Customer;
use crate::dist::rng_for;
use crate::plan::{Episode, What, World};
use crate::{contacts, employees, events, feedback, partners, posts, transactions};

/// Indexes of `SignalParts::dimensions`, by `Dimension`.
pub const CHANNEL: usize = Dimension::Channel.index();
pub const TOUCHPOINT: usize = Dimension::Touchpoint.index();
pub const STAGE: usize = Dimension::Stage.index();
pub const BRAND: usize = Dimension::Brand.index();
pub const STORE: usize = Dimension::Store.index();
pub const TEAM: usize = Dimension::Team.index();
pub const REGION: usize = Dimension::Region.index();

const STREAM_RENDER_CUSTOMER: u64 = 10;
const STREAM_RENDER_EMPLOYEE: u64 = 11;
const STREAM_RENDER_PARTNER: u64 = 12;

/// Renders one episode into zero or more signals.
pub fn render(world: &World, ep: &Episode, emit: &mut dyn FnMut(SignalParts)) {
    let stream = match ep.what {
        What::Applied
        | What::Hired
        | What::Onboarded
        | What::Promoted
        | What::Exited { .. }
        | What::ExitInterview { .. }
        | What::Pulse => STREAM_RENDER_EMPLOYEE,
        What::PartnerFeedback => STREAM_RENDER_PARTNER,
        _ => STREAM_RENDER_CUSTOMER,
    };
    let mut rng = rng_for(world.seed, stream, u64::from(ep.who), u64::from(ep.seq));
    let rng = &mut rng;
    match stream {
        STREAM_RENDER_EMPLOYEE => employees::render(world, ep, rng, emit),
        STREAM_RENDER_PARTNER => partners::render(world, ep, rng, emit),
        _ => {
            let c = &world.customers[ep.who as usize];
            let ctx = Ctx { world, ep, c };
            match ep.what {
                What::Survey(_) => feedback::render(&ctx, rng, emit),
                What::Review { .. } | What::Social { .. } => posts::render(&ctx, rng, emit),
                What::Contact { .. } => contacts::render(&ctx, rng, emit),
                What::StorePurchase { .. }
                | What::Renewal
                | What::Cancellation { .. }
                | What::Refund { .. } => transactions::render(&ctx, rng, emit),
                _ => events::render(&ctx, rng, emit),
            }
        }
    }
}

/// What a customer episode's renderer needs.
pub struct Ctx<'a> {
    pub world: &'a World,
    pub ep: &'a Episode,
    pub c: &'a Customer,
}

impl Ctx<'_> {
    /// `{tag}-c{who}-{seq}-{k}`: unique per customer episode and signal within it.
    pub fn xid(&self, tag: &str, k: usize) -> String {
        format!("{tag}-c{}-{}-{k}", self.ep.who, self.ep.seq)
    }

    /// A customer signal with the customer's brand and region set.
    pub fn signal(
        &self,
        kind: SignalKind,
        source: &str,
        id: String,
        at: i64,
        ids: Vec<Identity>,
    ) -> SignalParts {
        let mut s = signal(kind, source, id, at, StakeholderType::Customer, ids);
        s.dimensions[BRAND] = Some(BRANDS[self.c.brand].name.to_string());
        s.dimensions[REGION] = Some(REGIONS[self.c.region].name.to_string());
        s
    }

    /// The order id a transaction, delivery and refund share.
    pub fn order_id(&self, order_seq: u32) -> String {
        format!("{}-{order_seq}", self.c.account)
    }
}

/// A bare signal (`SignalParts::check` sorts and deduplicates its identities).
pub fn signal(
    kind: SignalKind,
    source: &str,
    external_id: String,
    at: i64,
    stakeholder_type: StakeholderType,
    identities: Vec<Identity>,
) -> SignalParts {
    SignalParts::new(
        kind,
        source,
        external_id,
        ts(at),
        stakeholder_type,
        identities,
    )
}

/// Sets channel and, when given, touchpoint with its stage.
pub fn place(s: &mut SignalParts, channel: &str, touchpoint: Option<&str>) {
    s.dimensions[CHANNEL] = Some(channel.to_string());
    if let Some(tp) = touchpoint {
        s.dimensions[TOUCHPOINT] = Some(tp.to_string());
        s.dimensions[STAGE] = Some(stage_of(tp).to_string());
    }
}

pub fn prop(s: &mut SignalParts, key: &str, value: impl Into<Value>) {
    s.properties.insert(key.to_string(), value.into());
}

/// Money to the cent, so the value survives any JSON round trip unchanged.
pub fn money(cents: i64) -> f64 {
    cents as f64 / 100.0
}

pub fn ts(secs: i64) -> DateTime<FixedOffset> {
    DateTime::from_timestamp(secs, 0)
        .expect("timestamps stay within chrono's range")
        .fixed_offset()
}
