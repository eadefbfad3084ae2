//! A customer's orders as the planner lays them out: store purchases with their surveys
//! and reviews, online orders with abandoned funnel passes before them, deliveries (late
//! at the planted rates), and what a late delivery sets off (contacts, refunds, posts).

use chrono::{DateTime, Datelike};

use crate::comments::Theme;
use crate::company::{stores_of, BRANDS, STORES};
use crate::customers::Customer;
use crate::dist::{chance, gamma, pick, uniform};
use crate::journey::Planner;
use crate::plan::{About, What, DAY, HOUR};
use crate::truths;

impl Planner<'_> {
    pub(crate) fn store_purchase(&mut self, c: &Customer, t: i64) {
        let store = if chance(self.rng, 0.85) {
            c.store
        } else {
            pick(self.rng, &stores_of(c.brand, (c.region + 1) % 6))
        };
        // Stores trade from 9 to 19 local time.
        let at =
            t - t.rem_euclid(DAY) + 9 * HOUR + uniform(self.rng, 0.0, 10.0 * HOUR as f64) as i64;
        let cents = (gamma(self.rng, 4.0, c.order_value / 4.0) * 100.0) as u32 + 99;
        self.push(
            at,
            What::StorePurchase {
                store: store as u8,
                cents,
            },
        );
        if chance(self.rng, 0.35) {
            let when = at + uniform(self.rng, 2.0, 48.0) as i64 * HOUR;
            self.push(
                when,
                What::Survey(About::Purchase {
                    late: false,
                    store: Some(store as u8),
                }),
            );
        }
        if chance(self.rng, 0.02) {
            let when = at + uniform(self.rng, 0.2, 5.0) as i64 * DAY;
            self.push(
                when,
                What::Review {
                    store: Some(store as u8),
                    late: false,
                },
            );
        }
        debug_assert!(STORES[store].brand == c.brand);
    }

    pub(crate) fn online_order(&mut self, c: &Customer, t: i64, app: bool, spike: (i32, u32)) {
        // Abandoned passes through the funnel come first, on earlier days.
        for _ in 0..40 {
            let reached = self.walk_funnel();
            if reached as usize == truths::FUNNEL.len() {
                break;
            }
            let when = t
                - uniform(self.rng, 0.1, 12.0) as i64 * DAY
                - uniform(self.rng, 0.0, 20.0) as i64 * HOUR;
            self.push(
                when,
                What::Funnel {
                    app,
                    reached,
                    cents: 0,
                },
            );
        }
        let cents = (gamma(self.rng, 4.0, c.order_value / 4.0) * 100.0) as u32 + 99;
        let order = self.push(
            t,
            What::Funnel {
                app,
                reached: truths::FUNNEL.len() as u8,
                cents,
            },
        );
        let promised = t + 3 * DAY;
        let month = DateTime::from_timestamp(promised, 0).map(|d| (d.year(), d.month()));
        let in_spike = BRANDS[c.brand].name == truths::DELAY_SPIKE_BRAND && month == Some(spike);
        let rate = if in_spike {
            truths::LATE_DELIVERY_RATE_IN_SPIKE
        } else {
            truths::LATE_DELIVERY_RATE
        };
        let late = chance(self.rng, rate);
        let late_days = if late {
            uniform(self.rng, 2.0, 12.0) as u8
        } else {
            0
        };
        let delivered =
            promised + i64::from(late_days) * DAY - uniform(self.rng, 0.0, 30.0) as i64 * HOUR;
        self.push(
            delivered,
            What::Delivery {
                order_seq: order,
                late_days,
            },
        );
        if late {
            if chance(self.rng, 0.45) {
                let when = promised + uniform(self.rng, 1.0, 3.0) as i64 * DAY;
                self.contact(when, Theme::Delivery, 0, true);
            }
            if chance(self.rng, 0.12) {
                let when = delivered + uniform(self.rng, 1.0, 5.0) as i64 * DAY;
                self.push(
                    when,
                    What::Refund {
                        order_seq: order,
                        cents: cents / 2,
                    },
                );
            }
            if c.handle.is_some() && chance(self.rng, 0.15) {
                self.push(
                    promised + 2 * DAY,
                    What::Social {
                        theme: Theme::Delivery,
                        good: false,
                    },
                );
            }
        }
        // A customer whose parcel came late is keener to say so when asked.
        if chance(self.rng, if late { 0.5 } else { 0.25 }) {
            let when = delivered + uniform(self.rng, 1.0, 3.0) as i64 * DAY;
            self.push(when, What::Survey(About::Purchase { late, store: None }));
        }
        if chance(self.rng, if late { 0.06 } else { 0.025 }) {
            let when = delivered + uniform(self.rng, 2.0, 10.0) as i64 * DAY;
            self.push(when, What::Review { store: None, late });
        }
    }

    /// How many funnel steps one pass reaches, each step converting as `truths::FUNNEL` says.
    fn walk_funnel(&mut self) -> u8 {
        let mut reached = 1;
        for (_, _, go_on) in &truths::FUNNEL[..truths::FUNNEL.len() - 1] {
            if !chance(self.rng, *go_on) {
                break;
            }
            reached += 1;
        }
        reached
    }
}
