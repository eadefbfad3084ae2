//! Customer survey responses: post-purchase CSAT, relationship NPS, post-contact CSAT +
//! CES. Scores come from the customer's mood plus the
//! planted effects (store quality, late delivery, the outlier channel, repeat contacts).

use throughline_domain::{IdentityKind, Rating, SignalKind, SignalParts};

use crate::comments::{comment, Theme, CUSTOMER_THEMES};
use crate::company::{APP, CARE_CHAT, CARE_EMAIL, CARE_PHONE};
use crate::company::{CHANNELS, CHAT, EMAIL, PHONE, SMS, STORE, STORES, TEAMS, WEB};
use crate::customers::id;
use crate::dist::{chance, normal, pick, score, DemoRng};
use crate::plan::{About, Via, What};
use crate::render::{place, prop, Ctx, STORE as STORE_DIM, TEAM};
use crate::themes::theme_label;
use crate::truths;

pub fn render(ctx: &Ctx, rng: &mut DemoRng, emit: &mut dyn FnMut(SignalParts)) {
    match ctx.ep.what {
        What::Survey(about) => emit(survey(ctx, rng, about)),
        _ => unreachable!("not a feedback episode: {:?}", ctx.ep.what),
    }
}

fn survey(ctx: &Ctx, rng: &mut DemoRng, about: About) -> SignalParts {
    let c = ctx.c;
    let mood = c.mood - 7.9;
    let mut ids = vec![c.email_id()];
    let mut s;
    let (tone, theme, aside, answer_rate);
    match about {
        About::Purchase {
            late,
            store: Some(store),
        } => {
            let quality = STORES[store as usize].quality;
            let mean = 3.9 + truths::CSAT_POINTS_PER_QUALITY * quality + 0.25 * mood;
            let csat = score(rng, mean, 0.8, 1, 5);
            s = ctx.signal(
                SignalKind::SurveyResponse,
                "survey_tool",
                ctx.xid("srv", 0),
                ctx.ep.at,
                ids,
            );
            s.csat = Some(csat);
            place(&mut s, STORE, Some("store_visit"));
            s.dimensions[STORE_DIM] = Some(STORES[store as usize].name.into());
            prop(&mut s, "survey", "store_csat");
            tone = (f64::from(csat) - 3.0) / 2.0;
            theme = if chance(rng, 0.6) {
                Theme::Staff
            } else {
                Theme::Store
            };
            aside = pick(
                rng,
                &[Theme::Quality, Theme::Price, Theme::Store, Theme::Staff],
            );
            answer_rate = 0.5;
            let _ = late;
        }
        About::Purchase { late, store: None } => {
            let mean = 4.1 + 0.25 * mood - if late { 1.8 } else { 0.0 };
            let csat = score(rng, mean, 0.8, 1, 5);
            s = ctx.signal(
                SignalKind::SurveyResponse,
                "survey_tool",
                ctx.xid("srv", 0),
                ctx.ep.at,
                ids,
            );
            s.csat = Some(csat);
            place(&mut s, EMAIL, Some("delivery"));
            let speed = score(rng, if late { 1.6 } else { 4.2 }, 0.7, 1, 5);
            s.ratings.insert(
                "delivery_speed".into(),
                Rating {
                    value: f64::from(speed),
                    min: 1.0,
                    max: 5.0,
                },
            );
            prop(&mut s, "survey", "order_csat");
            tone = (f64::from(csat) - 3.0) / 2.0;
            theme = if late {
                Theme::Delivery
            } else {
                pick(
                    rng,
                    &[Theme::Quality, Theme::Delivery, Theme::App, Theme::Price],
                )
            };
            aside = pick(rng, &CUSTOMER_THEMES);
            answer_rate = if late { 0.8 } else { 0.45 };
        }
        About::Relationship { channel } => {
            let channel = CHANNELS[channel as usize];
            let shift = if channel == truths::OUTLIER_CHANNEL {
                truths::OUTLIER_CHANNEL_NPS_SHIFT
            } else {
                0.0
            };
            let nps = score(rng, c.mood + shift, 1.4, 0, 10);
            ids = match (channel, &c.phone) {
                (PHONE | SMS, Some(phone)) => vec![id(IdentityKind::Phone, phone)],
                (PHONE | APP, _) => vec![c.account_id()],
                _ => ids,
            };
            s = ctx.signal(
                SignalKind::SurveyResponse,
                "survey_tool",
                ctx.xid("srv", 0),
                ctx.ep.at,
                ids,
            );
            s.nps = Some(nps);
            let touchpoint = match channel {
                PHONE => "support_contact",
                APP => "app_home",
                _ => "loyalty_program",
            };
            place(&mut s, channel, Some(touchpoint));
            prop(&mut s, "survey", "relationship_nps");
            tone = ((f64::from(nps) - 6.5) / 3.5).clamp(-1.0, 1.0);
            theme = pick(
                rng,
                &[
                    Theme::Quality,
                    Theme::Delivery,
                    Theme::Price,
                    Theme::Support,
                    Theme::App,
                    Theme::Membership,
                ],
            );
            aside = pick(rng, &CUSTOMER_THEMES);
            answer_rate = 0.65;
        }
        About::Contact {
            via,
            theme: issue,
            repeat,
        } => {
            let (channel, team) = contact_channel(via);
            let quality = TEAMS[team].quality;
            let csat = score(
                rng,
                3.9 + 0.4 * quality + 0.2 * mood - if repeat == 2 { 1.4 } else { 0.0 },
                0.9,
                1,
                5,
            );
            let ces = score(
                rng,
                5.4 + 0.4 * quality - if repeat == 2 { 2.6 } else { 0.0 },
                1.0,
                1,
                7,
            );
            s = ctx.signal(
                SignalKind::SurveyResponse,
                "survey_tool",
                ctx.xid("srv", 0),
                ctx.ep.at,
                ids,
            );
            s.csat = Some(csat);
            s.ces = Some(ces);
            place(&mut s, channel, Some("support_contact"));
            s.dimensions[TEAM] = Some(TEAMS[team].name.into());
            prop(&mut s, "survey", "contact_csat");
            prop(&mut s, "issue", theme_label(issue));
            tone = (f64::from(csat) - 3.0) / 2.0;
            theme = if chance(rng, 0.6) {
                Theme::Support
            } else {
                issue
            };
            aside = issue;
            answer_rate = if repeat == 2 { 0.8 } else { 0.45 };
        }
    }
    if chance(rng, answer_rate) {
        let tone = normal(rng, tone, 0.15).clamp(-1.0, 1.0);
        s.text = Some(comment(rng, tone, theme, aside));
        // The planted emerging topic (`truths::EMERGING_*`): late in the window, some
        // relationship comments are about loyalty points instead.
        let late = ctx.ep.at >= ctx.world.end - truths::EMERGING_MONTHS * 30 * 86_400;
        if late
            && matches!(about, About::Relationship { .. })
            && chance(rng, truths::EMERGING_SHARE)
        {
            s.text = Some(pick(rng, truths::EMERGING_COMMENTS).to_string());
        }
    }
    s
}

/// The channel and care team of a support contact.
pub fn contact_channel(via: Via) -> (&'static str, usize) {
    match via {
        Via::Phone => (PHONE, CARE_PHONE),
        Via::Chat => (CHAT, CARE_CHAT),
        Via::Email => (EMAIL, CARE_EMAIL),
        Via::Ticket => (WEB, CARE_EMAIL),
    }
}
