//! One customer's life in episodes: acquisition, browsing, funnels and orders (BG/NBD
//! like), deliveries, membership renewals, support contacts, surveys, reviews, posts,
//! and churn. Outcomes that carry a planted truth (churn, repeat contacts, late
//! deliveries) are decided here, so the truths hold by construction.

use chrono::Datelike;

use crate::comments::{Theme, CUSTOMER_THEMES};
use crate::company::CHANNELS;
use crate::customers::{make_customer, Customer};
use crate::dist::{chance, exponential, pick, uniform, weighted, DemoRng};
use crate::plan::{About, Via, What, DAY, HOUR};
use crate::{truths, DemoConfig};

const QUARTER: i64 = 91 * DAY;

pub fn plan_customer(
    config: &DemoConfig,
    start: i64,
    end: i64,
    idx: u32,
) -> (Customer, Vec<(i64, What)>) {
    let business_domains = (config.customers / 60).max(1) as u32;
    let (c, mut rng) = make_customer(config.seed, idx, business_domains);
    let mut p = Planner {
        rng: &mut rng,
        out: Vec::with_capacity(48),
        contacts: Vec::new(),
        end,
    };
    let span = (end - start - 3 * DAY).max(DAY) as f64;
    // Growth: more customers join later in the window.
    let t0 = start + (span * uniform(p.rng, 0.0, 1.0).powf(0.75)) as i64;
    let active_end = p.churn(&c, t0);
    let spike_month = truths::delay_spike_month(config);
    let spike = (spike_month.year(), spike_month.month());

    let app = c.prefers_app;
    let first_in_store = chance(p.rng, c.store_share).then_some(c.store as u8);
    p.push(
        t0,
        What::Acquire {
            app,
            in_store: first_in_store,
        },
    );
    if c.alt_email.is_some() {
        let at = t0 + uniform(p.rng, 1.0, 60.0) as i64 * DAY;
        p.push(at, What::LinkAltEmail);
    }
    if c.handle.is_some() && c.handle_linked {
        let at = t0 + uniform(p.rng, 0.1, 90.0) as i64 * DAY;
        p.push(at, What::LinkHandle);
    }
    let mut t = t0 + QUARTER;
    while t < active_end {
        p.push(t, What::Renewal);
        t += QUARTER;
    }

    // Orders: Poisson while alive, dropping out after an order with chance `dropout`.
    let mut t = t0 + HOUR;
    let mut orders = 0;
    while t < active_end && orders < 60 {
        let in_store = if orders == 0 {
            first_in_store.is_some()
        } else {
            chance(p.rng, c.store_share)
        };
        if in_store {
            p.store_purchase(&c, t);
        } else {
            let app = if chance(p.rng, 0.8) { app } else { !app };
            p.online_order(&c, t, app, spike);
        }
        orders += 1;
        if chance(p.rng, c.dropout) {
            break;
        }
        t += exponential(
            p.rng,
            365.0 * DAY as f64 / c.purchase_rate_per_year.max(0.05),
        ) as i64;
    }

    let mut t = t0 + exponential(p.rng, 30.0 * DAY as f64 / c.sessions_per_month) as i64;
    while t < active_end {
        let on_app = chance(p.rng, if app { 0.85 } else { 0.15 });
        p.push(t, What::Browse { app: on_app });
        t += exponential(p.rng, 30.0 * DAY as f64 / c.sessions_per_month) as i64;
    }
    let mut t = t0 + 45 * DAY;
    while t < active_end {
        if chance(p.rng, 0.3) {
            let channel = weighted(
                p.rng,
                &[0.0, 0.12, 0.45, 0.13, 0.0, 0.0, 0.0, 0.0, 0.1, 0.2],
            );
            // Index 9 stands for "the channel they bought on": web or app.
            let channel = if channel == 9 {
                usize::from(app)
            } else {
                channel
            };
            debug_assert!(channel < CHANNELS.len());
            let at = t + uniform(p.rng, 0.0, 5.0) as i64 * DAY;
            p.push(
                at,
                What::Survey(About::Relationship {
                    channel: channel as u8,
                }),
            );
        }
        t += 182 * DAY;
    }
    let mut t = t0 + exponential(p.rng, 365.0 * DAY as f64 / 0.45) as i64;
    while t < active_end {
        let theme = CONTACT_THEMES[weighted(p.rng, &CONTACT_WEIGHTS)];
        p.contact(t, theme, 0, false);
        t += exponential(p.rng, 365.0 * DAY as f64 / 0.45) as i64;
    }
    if c.handle.is_some() {
        let mut t = t0 + exponential(p.rng, 365.0 * DAY as f64 / 0.6) as i64;
        while t < active_end {
            let good = chance(p.rng, if c.mood > 7.5 { 0.75 } else { 0.3 });
            let theme = pick(p.rng, &CUSTOMER_THEMES);
            p.push(t, What::Social { theme, good });
            t += exponential(p.rng, 365.0 * DAY as f64 / 0.6) as i64;
        }
    }
    if c.mood > 8.5 {
        let mut t = t0 + exponential(p.rng, 365.0 * DAY as f64 / 0.5) as i64;
        while t < active_end {
            p.push(t, What::Referral);
            t += exponential(p.rng, 365.0 * DAY as f64 / 0.5) as i64;
        }
    }
    let out = std::mem::take(&mut p.out);
    (c, out)
}

const CONTACT_THEMES: [Theme; 8] = [
    Theme::Billing,
    Theme::Quality,
    Theme::App,
    Theme::Returns,
    Theme::Membership,
    Theme::Price,
    Theme::Store,
    Theme::Support,
];
const CONTACT_WEIGHTS: [f64; 8] = [0.2, 0.2, 0.18, 0.15, 0.1, 0.05, 0.05, 0.07];

pub(crate) struct Planner<'a> {
    pub(crate) rng: &'a mut DemoRng,
    pub(crate) out: Vec<(i64, What)>,
    /// Times of support contacts so far: ordinary ones keep 8 days apart, so only the
    /// planted repeat pairs fall within `REPEAT_CONTACT_WINDOW_DAYS` of each other.
    pub(crate) contacts: Vec<i64>,
    pub(crate) end: i64,
}

impl Planner<'_> {
    pub(crate) fn push(&mut self, at: i64, what: What) -> u32 {
        self.out.push((at, what));
        (self.out.len() - 1) as u32
    }

    /// Decides whether and when the customer churns; returns the end of their activity.
    /// The repeat-contact pair is planned here because churn follows it.
    fn churn(&mut self, c: &Customer, t0: i64) -> i64 {
        let mut repeat_at = None;
        if chance(self.rng, truths::REPEAT_CONTACT_SHARE) && self.end - t0 > 20 * DAY {
            let first = uniform(
                self.rng,
                (t0 + 5 * DAY) as f64,
                (self.end - 10 * DAY) as f64,
            ) as i64;
            let second = first + uniform(self.rng, 0.5, 6.0) as i64 * DAY + (3 * HOUR);
            let theme = pick(
                self.rng,
                &[
                    Theme::Delivery,
                    Theme::Billing,
                    Theme::App,
                    Theme::Returns,
                    Theme::Quality,
                ],
            );
            self.contact(first, theme, 1, false);
            self.contact(second, theme, 2, false);
            repeat_at = Some(second);
        }
        let mut p = truths::BASE_CHURN_PROBABILITY;
        if c.mood < truths::UNHAPPY_MOOD {
            p *= truths::DETRACTOR_CHURN_MULTIPLIER;
        }
        if repeat_at.is_some() {
            p *= truths::REPEAT_CONTACT_CHURN_RATIO;
        }
        if c.is_high_value() {
            p *= truths::HIGH_VALUE_CHURN_MULTIPLIER;
        }
        if !chance(self.rng, p.min(0.95)) {
            return self.end;
        }
        let base = repeat_at.map_or(t0 + 20 * DAY, |r| r + DAY);
        if base >= self.end - DAY {
            return self.end;
        }
        let mut at = base + exponential(self.rng, 60.0 * DAY as f64) as i64;
        if at >= self.end - HOUR {
            at = uniform(self.rng, base as f64, (self.end - HOUR) as f64) as i64;
        }
        let theme = if repeat_at.is_some() {
            Theme::Support
        } else {
            pick(self.rng, &CUSTOMER_THEMES)
        };
        self.push(at, What::Cancellation { theme });
        at
    }

    pub(crate) fn contact(&mut self, at: i64, theme: Theme, repeat: u8, late: bool) {
        if repeat == 0 && self.contacts.iter().any(|t| (t - at).abs() < 8 * DAY) {
            return;
        }
        self.contacts.push(at);
        let via = [Via::Phone, Via::Chat, Via::Email, Via::Ticket]
            [weighted(self.rng, &[0.35, 0.3, 0.2, 0.15])];
        self.push(
            at,
            What::Contact {
                via,
                theme,
                repeat,
                late,
            },
        );
        let answer = if repeat == 2 { 0.5 } else { 0.3 };
        if chance(self.rng, answer) {
            let when = at + uniform(self.rng, 2.0, 30.0) as i64 * HOUR;
            self.push(when, What::Survey(About::Contact { via, theme, repeat }));
        }
    }
}
