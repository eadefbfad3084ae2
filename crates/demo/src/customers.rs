//! Who a customer is: identities (and which of them a record uses), brand, region, home
//! store, mood, spend and purchase habits. Drawn from the customer's own seed.

use rand::Rng;
use throughline_domain::{Identity, IdentityKind};

use crate::company::{stores_of, BRANDS, REGIONS, STORES};
use crate::dist::{beta, chance, gamma, normal, pick, rng_for, weighted, DemoRng};
use crate::names::*;
use crate::truths;

pub use crate::journey::plan_customer;

/// Employers behind the work addresses some customers also use.
const EMPLOYERS: &[&str] = &[
    "harbourbank.com",
    "kinetica.co.uk",
    "nhs.net",
    "meridian-law.co.uk",
    "civicworks.gov.uk",
    "brightlabs.io",
];

pub struct Customer {
    pub first: &'static str,
    pub last: &'static str,
    /// Personal address: the identity most records carry.
    pub email: String,
    /// A work address used now and then; linked once by a profile update.
    pub alt_email: Option<String>,
    pub phone: Option<String>,
    /// Loyalty/membership number: what web/app analytics and tills know them by.
    pub account: String,
    /// `network:handle`, and whether they ever linked it to their account.
    pub handle: Option<String>,
    pub handle_linked: bool,
    /// `info@…` of the small business they buy for: a shared, weak identity.
    pub shared_mailbox: Option<String>,
    pub brand: usize,
    pub region: usize,
    pub store: usize,
    pub prefers_app: bool,
    /// Latent mean of their 0–10 answers.
    pub mood: f64,
    /// Mean order value in the brand's currency (Gamma-Gamma's per-customer mean).
    pub order_value: f64,
    pub purchase_rate_per_year: f64,
    pub dropout: f64,
    pub store_share: f64,
    pub sessions_per_month: f64,
}

pub const STREAM_CUSTOMER: u64 = 1;

pub fn make_customer(seed: u64, idx: u32, business_domains: u32) -> (Customer, DemoRng) {
    let mut rng = rng_for(seed, STREAM_CUSTOMER, u64::from(idx), 0);
    let brand = weighted(&mut rng, &BRANDS.map(|b| b.share));
    let region = weighted(&mut rng, &REGIONS.map(|r| r.share));
    let store = pick(&mut rng, &stores_of(brand, region));
    let first = pick(&mut rng, FIRST_NAMES);
    let last = pick(&mut rng, LAST_NAMES);
    let (f, l) = (slug(first), slug(last));
    let provider = pick(&mut rng, MAIL_PROVIDERS);
    let email = match idx % 4 {
        0 => format!("{f}.{l}{idx}@{provider}"),
        1 => format!("{}{l}{idx}@{provider}", &f[..1]),
        2 => format!("{f}{idx}@{provider}"),
        _ => format!("{l}.{f}.{idx}@{provider}"),
    };
    let alt_email =
        chance(&mut rng, 0.08).then(|| format!("{f}.{l}.{idx}@{}", pick(&mut rng, EMPLOYERS)));
    let phone =
        chance(&mut rng, 0.45).then(|| mobile(u64::from(idx), REGIONS[region].name == "Ireland"));
    let account = format!("{}-{idx:07}", &BRANDS[brand].name[..2].to_uppercase());
    let handle =
        chance(&mut rng, 0.15).then(|| format!("{}:{f}_{l}{idx}", pick(&mut rng, NETWORKS)));
    let handle_linked = chance(&mut rng, 0.6);
    let shared_mailbox = chance(&mut rng, 0.03).then(|| {
        let d = rng.random_range(0..business_domains.max(1));
        let owner = slug(LAST_NAMES[d as usize % LAST_NAMES.len()]);
        let trade = TRADES[(d as usize / LAST_NAMES.len()) % TRADES.len()];
        format!(
            "info@{owner}{trade}{}.co.uk",
            d as usize / (LAST_NAMES.len() * TRADES.len())
        )
    });
    let mood = normal(
        &mut rng,
        7.9 + BRANDS[brand].mood_shift + 0.3 * STORES[store].quality,
        1.3,
    );
    let mean_order = BRANDS[brand].mean_order;
    let customer = Customer {
        first,
        last,
        email,
        alt_email,
        phone,
        account,
        handle,
        handle_linked,
        shared_mailbox,
        brand,
        region,
        store,
        prefers_app: chance(&mut rng, 0.45),
        mood,
        order_value: gamma(&mut rng, 3.0, mean_order / 3.0).max(5.0),
        purchase_rate_per_year: gamma(
            &mut rng,
            truths::PURCHASE_RATE_SHAPE,
            truths::PURCHASE_RATE_SCALE,
        ),
        dropout: beta(&mut rng, truths::DROPOUT_BETA.0, truths::DROPOUT_BETA.1),
        store_share: beta(&mut rng, 1.2, 2.2),
        sessions_per_month: gamma(&mut rng, 1.5, 0.3),
    };
    (customer, rng)
}

impl Customer {
    pub fn is_high_value(&self) -> bool {
        self.order_value > 1.5 * BRANDS[self.brand].mean_order
    }

    pub fn currency(&self) -> &'static str {
        REGIONS[self.region].currency
    }

    pub fn email_id(&self) -> Identity {
        id(IdentityKind::Email, &self.email)
    }

    pub fn account_id(&self) -> Identity {
        id(IdentityKind::AccountId, &self.account)
    }
}

/// An identity built from a value this crate already wrote in normalised form.
pub fn id(kind: IdentityKind, value: &str) -> Identity {
    Identity {
        kind,
        value: value.to_string(),
    }
}
