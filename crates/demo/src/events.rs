//! Web/app events and transactions: acquisition, identity links, browsing sessions,
//! funnel passes, orders, deliveries, renewals, cancellations, refunds and referrals.
//! Events carry the account id (what analytics knows); transactions add the email.

use rand::Rng;
use throughline_domain::kind::TransactionType;
use throughline_domain::{Action, IdentityKind, SignalKind, SignalParts};

use crate::company::{APP, BRANDS, EMAIL, SOCIAL, STORE, STORES, WEB};
use crate::customers::id;
use crate::dist::{chance, pick, uniform, DemoRng};
use crate::plan::What;
use crate::render::{place, prop, Ctx, STORE as STORE_DIM};
use crate::transactions::transaction;
use crate::truths::FUNNEL;

const FEATURES: &[&str] = &[
    "wishlist",
    "order_tracking",
    "loyalty_points",
    "store_locator",
    "size_guide",
    "saved_cards",
    "reorder",
];
const PAGES: &[(&str, &str)] = &[
    ("homepage", "/"),
    ("product_page", "/p/"),
    ("help_center", "/help/"),
    ("loyalty_program", "/club"),
    ("product_page", "/search"),
    ("app_home", "/account"),
];

pub fn render(ctx: &Ctx, rng: &mut DemoRng, emit: &mut dyn FnMut(SignalParts)) {
    let (c, at) = (ctx.c, ctx.ep.at);
    let online = |app: bool| if app { APP } else { WEB };
    match ctx.ep.what {
        What::Acquire { app, in_store } => {
            let mut t = at - uniform(rng, 60.0, 4000.0) as i64;
            if in_store.is_none() && chance(rng, 0.7) {
                let (tp, ch) = if chance(rng, 0.5) {
                    ("social_ad", SOCIAL)
                } else {
                    ("search_ad", WEB)
                };
                let mut s = event(ctx, 0, t, "ad_clicked", ch, tp);
                prop(
                    &mut s,
                    "campaign",
                    pick(
                        rng,
                        &["spring_sale", "club_launch", "black_friday", "always_on"],
                    ),
                );
                emit(s);
                t += 20;
                emit(event(ctx, 1, t, "page_view", online(app), "homepage"));
            }
            let channel = if in_store.is_some() {
                STORE
            } else {
                online(app)
            };
            let mut ids = vec![c.email_id(), c.account_id()];
            if let Some(phone) = &c.phone {
                ids.push(id(IdentityKind::Phone, phone));
            }
            let mut s = ctx.signal(SignalKind::Event, "accounts", ctx.xid("evt", 2), at, ids);
            s.action = Some(Action::Event("sign_up".into()));
            place(&mut s, channel, Some("account_setup"));
            if let Some(store) = in_store {
                s.dimensions[STORE_DIM] = Some(STORES[store as usize].name.into());
            }
            prop(&mut s, "plan", "club");
            prop(&mut s, "name", format!("{} {}", c.first, c.last));
            // A customer segment set once, on the account: Explore slices by `properties.tier`.
            prop(
                &mut s,
                "tier",
                if c.is_high_value() {
                    "gold"
                } else {
                    "standard"
                },
            );
            emit(s);
            let fee = (BRANDS[c.brand].club_fee * 100.0) as i64;
            let mut s = transaction(
                ctx,
                3,
                at + 30,
                TransactionType::Purchase,
                fee,
                channel,
                "payment",
            );
            s.dimensions[STORE_DIM] = in_store.map(|st| STORES[st as usize].name.into());
            prop(&mut s, "product", "club_membership");
            emit(s);
        }
        What::LinkAltEmail => {
            let alt = c.alt_email.as_deref().unwrap_or(&c.email);
            let ids = vec![id(IdentityKind::Email, alt), c.account_id()];
            let mut s = ctx.signal(SignalKind::Event, "accounts", ctx.xid("evt", 0), at, ids);
            s.action = Some(Action::Event("profile_updated".into()));
            place(&mut s, WEB, Some("account_setup"));
            prop(&mut s, "field", "email");
            emit(s);
        }
        What::LinkHandle => {
            let handle = c.handle.as_deref().unwrap_or("social:unknown");
            let ids = vec![id(IdentityKind::Handle, handle), c.account_id()];
            let mut s = ctx.signal(SignalKind::Event, "accounts", ctx.xid("evt", 0), at, ids);
            s.action = Some(Action::Event("social_account_linked".into()));
            place(&mut s, APP, Some("account_setup"));
            emit(s);
        }
        What::Browse { app } => session(ctx, rng, app, emit),
        What::Funnel {
            app,
            reached,
            cents,
        } => {
            let mut t = at;
            let mut k = 0;
            if chance(rng, 0.5) {
                emit(event(
                    ctx,
                    k,
                    t - 60,
                    "page_view",
                    online(app),
                    if app { "app_home" } else { "homepage" },
                ));
                k += 1;
            }
            for (tp, name, _) in &FUNNEL[..reached as usize] {
                let mut s = event(ctx, k, t, name, online(app), tp);
                prop(
                    &mut s,
                    "session_id",
                    format!("s{}-{}", ctx.ep.who, ctx.ep.seq),
                );
                emit(s);
                k += 1;
                t += rng.random_range(15..240);
            }
            if cents > 0 {
                let mut s = transaction(
                    ctx,
                    k,
                    t,
                    TransactionType::Purchase,
                    i64::from(cents),
                    online(app),
                    "payment",
                );
                prop(&mut s, "order_id", ctx.order_id(ctx.ep.seq));
                prop(&mut s, "items", rng.random_range(1..5));
                emit(s);
            }
        }
        What::Delivery {
            order_seq,
            late_days,
        } => {
            let mut s = event(
                ctx,
                0,
                at,
                "order_delivered",
                online(c.prefers_app),
                "delivery",
            );
            s.source = "logistics".into();
            prop(&mut s, "order_id", ctx.order_id(order_seq));
            prop(&mut s, "days_late", late_days);
            let carrier = if BRANDS[c.brand].name == crate::truths::DELAY_SPIKE_BRAND {
                "SwiftParcel"
            } else {
                "Greenway Freight"
            };
            prop(&mut s, "carrier", carrier);
            emit(s);
        }
        What::Referral => {
            let channel = pick(rng, &[APP, WEB, EMAIL, SOCIAL]);
            emit(event(ctx, 0, at, "referral_sent", channel, "referral"));
        }
        _ => unreachable!("not an event episode: {:?}", ctx.ep.what),
    }
}

fn session(ctx: &Ctx, rng: &mut DemoRng, app: bool, emit: &mut dyn FnMut(SignalParts)) {
    let channel = if app { APP } else { WEB };
    let session_id = format!("s{}-{}", ctx.ep.who, ctx.ep.seq);
    let mut t = ctx.ep.at;
    let first = if app {
        ("app_opened", "app_home")
    } else {
        ("page_view", "homepage")
    };
    let mut steps = vec![first];
    if app || chance(rng, 0.3) {
        steps.push(("login", "account_setup"));
    }
    for _ in 0..rng.random_range(1..5) {
        if chance(rng, 0.45) {
            steps.push((
                "feature_used",
                if chance(rng, 0.5) {
                    "loyalty_program"
                } else {
                    "app_home"
                },
            ));
        } else {
            steps.push(("page_view", pick(rng, PAGES).0));
        }
    }
    for (k, (name, tp)) in steps.into_iter().enumerate() {
        let mut s = event(ctx, k, t, name, channel, tp);
        if name == "login" && chance(rng, 0.3) {
            s.identities = vec![ctx.c.email_id(), ctx.c.account_id()];
        }
        match name {
            "feature_used" => prop(&mut s, "feature", pick(rng, FEATURES)),
            "page_view" => {
                let path = PAGES.iter().find(|p| p.0 == tp).map_or("/", |p| p.1);
                prop(&mut s, "path", path);
            }
            _ => {}
        }
        prop(&mut s, "session_id", session_id.as_str());
        emit(s);
        t += rng.random_range(5..300);
    }
}

/// A web/app event known by the customer's account id.
pub fn event(
    ctx: &Ctx,
    k: usize,
    at: i64,
    name: &str,
    channel: &str,
    touchpoint: &str,
) -> SignalParts {
    let source = if channel == APP {
        "app_analytics"
    } else {
        "web_analytics"
    };
    let mut s = ctx.signal(
        SignalKind::Event,
        source,
        ctx.xid("evt", k),
        at,
        vec![ctx.c.account_id()],
    );
    s.action = Some(Action::Event(name.to_string()));
    place(&mut s, channel, Some(touchpoint));
    s
}
