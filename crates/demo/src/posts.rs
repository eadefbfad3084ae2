//! Reviews on review sites and posts on social networks: public, star-rated or
//! free-form, often from an identity (a handle) the company cannot link.

use throughline_domain::{IdentityKind, Rating, SignalKind, SignalParts};

use crate::comments::{comment, Theme, CUSTOMER_THEMES};
use crate::company::{BRANDS, REVIEW_SITE, SOCIAL, STORES};
use crate::customers::id;
use crate::dist::{chance, normal, pick, score, DemoRng};
use crate::plan::What;
use crate::render::{place, prop, Ctx, STORE as STORE_DIM};
use crate::themes::theme_touchpoint;

pub fn render(ctx: &Ctx, rng: &mut DemoRng, emit: &mut dyn FnMut(SignalParts)) {
    match ctx.ep.what {
        What::Review { store, late } => emit(review(ctx, rng, store, late)),
        What::Social { theme, good } => emit(social(ctx, rng, theme, good)),
        _ => unreachable!("not a review or post: {:?}", ctx.ep.what),
    }
}

fn review(ctx: &Ctx, rng: &mut DemoRng, store: Option<u8>, late: bool) -> SignalParts {
    let c = ctx.c;
    let mood = c.mood - 7.9;
    let (mean, theme) = match store {
        Some(st) => (
            3.6 + 0.6 * STORES[st as usize].quality + 0.3 * mood,
            if chance(rng, 0.5) {
                Theme::Staff
            } else {
                Theme::Store
            },
        ),
        None if late => (1.9 + 0.3 * mood, Theme::Delivery),
        None => (
            4.0 + 0.3 * mood,
            pick(
                rng,
                &[
                    Theme::Quality,
                    Theme::Quality,
                    Theme::Delivery,
                    Theme::Price,
                ],
            ),
        ),
    };
    let stars = score(rng, mean, 1.0, 1, 5);
    let ids = if chance(rng, 0.6) {
        vec![c.email_id()]
    } else {
        let name = format!(
            "{}{}{}",
            c.first.to_lowercase(),
            &c.last[..1].to_lowercase(),
            ctx.ep.who
        );
        vec![id(IdentityKind::Handle, &format!("reviews:{name}"))]
    };
    let mut s = ctx.signal(
        SignalKind::Review,
        "review_feed",
        ctx.xid("rev", 0),
        ctx.ep.at,
        ids,
    );
    s.ratings.insert(
        "stars".into(),
        Rating {
            value: f64::from(stars),
            min: 1.0,
            max: 5.0,
        },
    );
    place(&mut s, REVIEW_SITE, Some("review"));
    s.dimensions[STORE_DIM] = store.map(|st| STORES[st as usize].name.into());
    let tone = (f64::from(stars) - 3.0) / 2.0;
    let aside = pick(rng, &CUSTOMER_THEMES);
    s.text = Some(comment(rng, tone, theme, aside));
    s
}

fn social(ctx: &Ctx, rng: &mut DemoRng, theme: Theme, good: bool) -> SignalParts {
    let handle = ctx.c.handle.as_deref().unwrap_or("social:anonymous");
    let ids = vec![id(IdentityKind::Handle, handle)];
    let mut s = ctx.signal(
        SignalKind::SocialPost,
        "social_listening",
        ctx.xid("soc", 0),
        ctx.ep.at,
        ids,
    );
    place(&mut s, SOCIAL, Some(theme_touchpoint(theme)));
    let tone = if good { 0.8 } else { -0.8 };
    let (tone, aside) = (
        normal(rng, tone, 0.2).clamp(-1.0, 1.0),
        pick(rng, &CUSTOMER_THEMES),
    );
    let body = comment(rng, tone, theme, aside);
    let brand = BRANDS[ctx.c.brand].name;
    s.text = Some(match rng_choice(rng) {
        0 => format!("@{brand} {body}"),
        1 => format!("{body} #{brand}"),
        _ => body,
    });
    prop(
        &mut s,
        "network",
        handle.split(':').next().unwrap_or("social"),
    );
    s
}

fn rng_choice(rng: &mut DemoRng) -> u8 {
    rand::Rng::random_range(rng, 0..3)
}
