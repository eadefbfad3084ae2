//! The fixed shape of the demo company: brands, channels, the journey's stages and
//! touchpoints, regions, stores, teams and partners. Pure tables, no randomness.

use crate::truths;

/// The group's domain; employees mail from it and nothing else.
pub const COMPANY_DOMAIN: &str = "northwind-group.com";
pub const COMPANY_NAME: &str = "Northwind Group";

/// A brand, its share of customers, its average order value and its membership fee.
pub struct Brand {
    pub name: &'static str,
    pub share: f64,
    pub mean_order: f64,
    pub club_fee: f64,
    /// Shift of its customers' 0–10 mood.
    pub mood_shift: f64,
}

pub const BRANDS: [Brand; 3] = [
    Brand {
        name: "Northwind",
        share: 0.47,
        mean_order: 58.0,
        club_fee: 24.0,
        mood_shift: 0.2,
    },
    Brand {
        name: "Lumen",
        share: 0.33,
        mean_order: 34.0,
        club_fee: 15.0,
        mood_shift: 0.0,
    },
    Brand {
        name: "Kestrel",
        share: 0.20,
        mean_order: 96.0,
        club_fee: 39.0,
        mood_shift: -0.3,
    },
];

/// The channels a signal can arrive on.
pub const WEB: &str = "web";
pub const APP: &str = "app";
pub const EMAIL: &str = "email";
pub const PHONE: &str = "phone";
pub const CHAT: &str = "chat";
pub const STORE: &str = "store";
pub const SOCIAL: &str = "social";
pub const REVIEW_SITE: &str = "review_site";
pub const SMS: &str = "sms";
pub const CHANNELS: [&str; 9] = [
    WEB,
    APP,
    EMAIL,
    PHONE,
    CHAT,
    STORE,
    SOCIAL,
    REVIEW_SITE,
    SMS,
];

/// The journey, stage by stage, with the touchpoints that belong to each.
pub const JOURNEY: [(&str, &[&str]); 9] = [
    ("awareness", &["social_ad", "search_ad"]),
    (
        "consideration",
        &["homepage", "product_page", "store_visit"],
    ),
    ("purchase", &["cart", "checkout", "payment"]),
    ("onboarding", &["account_setup", "delivery"]),
    ("usage", &["app_home", "loyalty_program"]),
    ("support", &["help_center", "support_contact"]),
    ("renewal", &["membership_renewal"]),
    ("churn", &["cancellation"]),
    ("advocacy", &["review", "referral"]),
];

/// The stage a touchpoint belongs to. Unknown touchpoints are a bug in this crate.
pub fn stage_of(touchpoint: &str) -> &'static str {
    JOURNEY
        .iter()
        .find(|(_, tps)| tps.contains(&touchpoint))
        .map(|(stage, _)| *stage)
        .unwrap_or_else(|| panic!("touchpoint {touchpoint} is not in JOURNEY"))
}

/// A region with its currency and relative size.
pub struct Region {
    pub name: &'static str,
    pub currency: &'static str,
    pub share: f64,
}

pub const REGIONS: [Region; 6] = [
    Region {
        name: "North",
        currency: "GBP",
        share: 0.22,
    },
    Region {
        name: "South",
        currency: "GBP",
        share: 0.24,
    },
    Region {
        name: "East",
        currency: "GBP",
        share: 0.12,
    },
    Region {
        name: "West",
        currency: "GBP",
        share: 0.14,
    },
    Region {
        name: "Central",
        currency: "GBP",
        share: 0.20,
    },
    Region {
        name: "Ireland",
        currency: "EUR",
        share: 0.08,
    },
];

/// A physical store: its name (the `store` dimension), brand, region and hidden quality.
pub struct Store {
    pub name: &'static str,
    pub brand: usize,
    pub region: usize,
    /// Drives both its staff's eNPS and its customers' CSAT (truth a).
    pub quality: f64,
}

const fn store(name: &'static str, brand: usize, region: usize, quality: f64) -> Store {
    Store {
        name,
        brand,
        region,
        quality,
    }
}

pub const STORES: [Store; 18] = [
    store(truths::LOW_ENPS_STORE, 0, 0, truths::LOW_ENPS_STORE_QUALITY),
    store("Northwind Manchester", 0, 0, 0.4),
    store("Northwind Bristol", 0, 1, 0.9),
    store("Northwind Brighton", 0, 1, 0.1),
    store("Northwind Norwich", 0, 2, -0.3),
    store("Northwind Cardiff", 0, 3, 0.6),
    store("Northwind Birmingham", 0, 4, -0.6),
    store("Northwind Dublin", 0, 5, 0.3),
    store("Lumen York", 1, 0, 0.7),
    store("Lumen Southampton", 1, 1, -0.2),
    store("Lumen Cambridge", 1, 2, 1.0),
    store("Lumen Exeter", 1, 3, 0.0),
    store("Lumen Nottingham", 1, 4, -0.9),
    store("Lumen Dublin", 1, 5, 0.5),
    store("Kestrel Leeds", 2, 0, 0.2),
    store("Kestrel Bristol", 2, 1, -0.5),
    store("Kestrel Leicester", 2, 4, 0.8),
    store("Kestrel Plymouth", 2, 3, -0.1),
];

/// The stores of one brand, preferring `region`; falls back to all of the brand's stores.
pub fn stores_of(brand: usize, region: usize) -> Vec<usize> {
    let local: Vec<usize> = (0..STORES.len())
        .filter(|&s| STORES[s].brand == brand && STORES[s].region == region)
        .collect();
    if !local.is_empty() {
        return local;
    }
    (0..STORES.len())
        .filter(|&s| STORES[s].brand == brand)
        .collect()
}

/// A head-office team with its share of non-store staff and hidden quality.
pub struct Team {
    pub name: &'static str,
    pub share: f64,
    pub quality: f64,
}

/// Store staff all belong to this team; the store dimension says which store.
pub const RETAIL_TEAM: &str = "Retail";

/// The care teams that answer customers, by contact channel.
pub const CARE_PHONE: usize = 0;
pub const CARE_CHAT: usize = 1;
pub const CARE_EMAIL: usize = 2;
pub const SOCIAL_CARE: usize = 3;

pub const TEAMS: [Team; 10] = [
    Team {
        name: "Care Phone",
        share: 0.18,
        quality: -0.4,
    },
    Team {
        name: "Care Chat",
        share: 0.12,
        quality: 0.5,
    },
    Team {
        name: "Care Email",
        share: 0.10,
        quality: 0.0,
    },
    Team {
        name: "Social Care",
        share: 0.04,
        quality: 0.3,
    },
    Team {
        name: "Delivery Operations",
        share: 0.14,
        quality: -0.6,
    },
    Team {
        name: "Product",
        share: 0.12,
        quality: 0.7,
    },
    Team {
        name: "Sales",
        share: 0.10,
        quality: 0.2,
    },
    Team {
        name: "Marketing",
        share: 0.08,
        quality: 0.4,
    },
    Team {
        name: "People",
        share: 0.05,
        quality: 0.6,
    },
    Team {
        name: "Finance",
        share: 0.07,
        quality: 0.1,
    },
];

/// A partner of the group; a few of them send feedback.
pub struct Partner {
    pub name: &'static str,
    pub domain: &'static str,
    pub role: &'static str,
    pub mood: f64,
}

pub const PARTNERS: [Partner; 5] = [
    Partner {
        name: "SwiftParcel",
        domain: "swiftparcel.co.uk",
        role: "carrier",
        mood: 5.5,
    },
    Partner {
        name: "Greenway Freight",
        domain: "greenwayfreight.com",
        role: "carrier",
        mood: 7.5,
    },
    Partner {
        name: "Oakridge Supply",
        domain: "oakridgesupply.com",
        role: "supplier",
        mood: 8.0,
    },
    Partner {
        name: "Brightside Media",
        domain: "brightsidemedia.io",
        role: "agency",
        mood: 8.5,
    },
    Partner {
        name: "Cobalt Payments",
        domain: "cobaltpay.com",
        role: "payments",
        mood: 7.0,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_store_has_a_brand_store_list_and_touchpoints_have_stages() {
        for brand in 0..BRANDS.len() {
            for region in 0..REGIONS.len() {
                assert!(!stores_of(brand, region).is_empty());
            }
        }
        let touchpoints: usize = JOURNEY.iter().map(|(_, t)| t.len()).sum();
        assert!((15..=20).contains(&touchpoints));
        for (tp, _, _) in truths::FUNNEL {
            stage_of(tp);
        }
    }
}
