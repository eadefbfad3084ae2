//! The planted truths: every pattern the demo company hides on purpose, in one place.
//!
//! Analytics tests elsewhere assert that Throughline *finds* these. The generator
//! reads the same constants, so a truth cannot drift away from its documentation.
//! Values marked "measured" are what `cargo test -p throughline-demo -- --nocapture`
//! prints for the 5 000-customer sample (seed 42; seeds 1 and 2 land within a few
//! points); the default company lands close to them.

use chrono::{Datelike, NaiveDate};

use crate::DemoConfig;

// ---------------------------------------------------------------- a) EX ↔ CX by store

/// The store whose staff are unhappy (lowest eNPS) and whose customers are the least
/// satisfied (lowest store CSAT). Measured: eNPS ≈ −68 against a store average ≈ +3..+17;
/// store CSAT ≈ 3.1 of 5 against ≈ 3.9.
pub const LOW_ENPS_STORE: &str = "Northwind Leeds";

/// Every store has a hidden quality in about −1..1 (this one: the value below). It moves
/// employee eNPS answers by `ENPS_POINTS_PER_QUALITY` points and store CSAT answers by
/// `CSAT_POINTS_PER_QUALITY`, so across stores eNPS and CSAT correlate (measured r ≈ 0.9).
pub const LOW_ENPS_STORE_QUALITY: f64 = -1.8;
/// Shift of an employee's 0–10 eNPS answer per unit of store quality.
pub const ENPS_POINTS_PER_QUALITY: f64 = 1.6;
/// Shift of a customer's 1–5 store CSAT answer per unit of store quality.
pub const CSAT_POINTS_PER_QUALITY: f64 = 0.45;

// ---------------------------------------------------------------- b) delivery-delay spike

/// The brand whose deliveries run late in one month (a carrier's peak-season failure).
pub const DELAY_SPIKE_BRAND: &str = "Kestrel";
/// The spike month, `YYYY-MM`, for the default window (2024-11-01, 24 months): the
/// month before the newest, so the story is in the overview's default period (the
/// last three months) with its surveys complete (late parcels are answered about
/// weeks later, past the window's end if the spike were the newest month).
pub const DELAY_SPIKE_MONTH: &str = "2026-09";
/// Share of online orders delivered late, normally and in the spike (brand + month of the
/// promised date). Measured on the test sample: ≈ 28% of the brand's customer texts that
/// month mention a delay, against a median ≈ 9% over all brand-months and ≈ 17% for the
/// next highest (the brand's next month, where late parcels' comments spill over).
pub const LATE_DELIVERY_RATE: f64 = 0.04;
pub const LATE_DELIVERY_RATE_IN_SPIKE: f64 = 0.80;
/// Words every late-delivery comment fragment contains at least one of (and no other
/// fragment does), so a test can count the theme without a text model.
pub const DELAY_THEME_KEYWORDS: &[&str] = &[
    "late",
    "delay",
    "still waiting",
    "hasn't arrived",
    "never arrived",
    "took ages",
    "took forever",
    "chase",
    "missed",
    "overdue",
];

/// The first day of the spike month for `config`: the month before its newest.
pub fn delay_spike_month(config: &DemoConfig) -> NaiveDate {
    let index = config.months.saturating_sub(2);
    let first = config.start.with_day(1).unwrap_or(config.start);
    first
        .checked_add_months(chrono::Months::new(index))
        .unwrap_or(first)
}

// ---------------------------------------------------------------- c) repeat contacts churn

/// Customers who contact support twice within `REPEAT_CONTACT_WINDOW_DAYS` churn this
/// many times as often as the others (churn = a `cancellation` transaction; every
/// churner emits one, and renewals stop). Measured: 41% against 13%, ratio ≈ 3.1.
/// Ordinary contacts are kept 8 days apart, so only the planted pairs count as repeats.
pub const REPEAT_CONTACT_CHURN_RATIO: f64 = 3.0;
pub const REPEAT_CONTACT_WINDOW_DAYS: i64 = 7;
/// Share of customers who have one unresolved issue and come back about it.
pub const REPEAT_CONTACT_SHARE: f64 = 0.14;
/// Chance that a customer with no risk factor churns within the window.
pub const BASE_CHURN_PROBABILITY: f64 = 0.09;

// ---------------------------------------------------------------- d) leaky journey

/// The touchpoint where the purchase journey leaks: of sessions that reach checkout only
/// `LEAKY_STEP_CONVERSION` go on to payment; every other funnel step converts ≥ 0.6.
pub const LEAKY_TOUCHPOINT: &str = "checkout";
pub const LEAKY_STEP_CONVERSION: f64 = 0.40;
/// The online purchase funnel: (touchpoint, event name, share that goes on to the next step).
/// The last step always ends in a `purchase` transaction.
pub const FUNNEL: [(&str, &str, f64); 5] = [
    ("product_page", "product_viewed", 0.62),
    ("cart", "added_to_cart", 0.80),
    ("checkout", "checkout_started", LEAKY_STEP_CONVERSION),
    ("payment", "payment_submitted", 0.95),
    ("payment", "order_completed", 1.0),
];

// ---------------------------------------------------------------- e) outlier channel

/// The channel whose NPS differs from the rest: answers given on it are shifted by
/// `OUTLIER_CHANNEL_NPS_SHIFT` points of the 0–10 scale. Measured: relationship NPS on
/// phone ≈ −25 against ≈ +19 on every other channel (n ≈ 380 against 2 300).
pub const OUTLIER_CHANNEL: &str = "phone";
pub const OUTLIER_CHANNEL_NPS_SHIFT: f64 = -1.2;

// ---------------------------------------------------------------- f) value and detractors

/// A customer's latent mood is the mean of their 0–10 answers; below this they are
/// unhappy and churn `DETRACTOR_CHURN_MULTIPLIER` times as often (independently of the
/// repeat-contact effect). Measured: customers with a 0–6 answer churn ≈ 2.3× as often
/// as those whose answers were all 9–10 (answers are noisy, so the gap is below 3.5).
pub const UNHAPPY_MOOD: f64 = 7.0;
pub const DETRACTOR_CHURN_MULTIPLIER: f64 = 3.5;
/// Spend varies per customer (Gamma-Gamma: mean order value ~ Gamma) and purchases follow
/// a BG/NBD-like process (Poisson while alive, dropping out after a purchase with a
/// Beta-distributed chance). High-value customers (order value above 1.5× their brand's
/// mean) churn this much less often. Measured: the top 10% of customers hold ≈ 42% of
/// product revenue; the median customer orders once, ≈ 8% order 5+ times.
pub const HIGH_VALUE_CHURN_MULTIPLIER: f64 = 0.7;
/// BG/NBD-like purchase parameters: rate per year ~ Gamma(shape, scale); dropout ~ Beta(a, b).
pub const PURCHASE_RATE_SHAPE: f64 = 1.1;
pub const PURCHASE_RATE_SCALE: f64 = 2.2;
pub const DROPOUT_BETA: (f64, f64) = (1.0, 3.5);

// ---------------------------------------------------------------- g) acquisition cost

/// What the company pays per customer won, by the channel of the customer's first signal
/// (`spend::AcquisitionTally`). Social ads cost more than the customers they bring are
/// worth (mean three-year CLV ≈ 300): CAC vs CLV must show social below break-even and
/// every other paid channel above it.
pub const ACQUISITION_CAC: [(&str, f64); 4] = [
    ("social", 360.0),
    ("web", 110.0),
    ("app", 70.0),
    ("store", 45.0),
];
/// The ledger is kept in one currency (the company's books).
pub const ACQUISITION_CURRENCY: &str = "GBP";
/// Monthly spend deviates from the planted CAC by up to this share either way.
pub const SPEND_NOISE: f64 = 0.1;

// ---------------------------------------------------------------- emerging unnamed topic

/// In the window's last `EMERGING_MONTHS` months, this share of relationship-survey
/// comments are about loyalty points expiring (a scheme change), in words the default
/// taxonomy has no theme for: theme discovery should find it as an emerging topic.
pub const EMERGING_MONTHS: i64 = 3;
pub const EMERGING_SHARE: f64 = 0.10;
/// Every emerging comment contains this word, and no other comment does.
pub const EMERGING_KEYWORD: &str = "points";
/// The emerging comments, picked at random (no theme's words in any of them).
pub const EMERGING_COMMENTS: &[&str] = &[
    "My loyalty points expired without any warning.",
    "Where did my points go? They just vanished.",
    "Lost all my points overnight, really disappointed.",
    "The new points scheme is worse, my points expired.",
    "Why do points expire after six months now?",
    "I had saved points for a year and they are gone.",
];
