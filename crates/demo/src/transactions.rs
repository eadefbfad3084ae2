//! Transactions: store purchases at the till, membership renewals, cancellations (the
//! churn signal) and refunds. Online purchases are rendered with their funnel in `events`.

use rand::Rng;
use throughline_domain::kind::TransactionType;
use throughline_domain::{Action, IdentityKind, SignalKind, SignalParts};

use crate::comments::Theme;
use crate::company::{APP, BRANDS, EMAIL, PHONE, STORE, STORES, WEB};
use crate::customers::id;
use crate::dist::{chance, pick, DemoRng};
use crate::events::event;
use crate::plan::What;
use crate::render::{money, place, prop, Ctx, STORE as STORE_DIM};

pub fn render(ctx: &Ctx, rng: &mut DemoRng, emit: &mut dyn FnMut(SignalParts)) {
    let (c, at) = (ctx.c, ctx.ep.at);
    let online = |app: bool| if app { APP } else { WEB };
    match ctx.ep.what {
        What::StorePurchase { store, cents } => {
            let ids = match (&c.phone, rng.random_range(0..10)) {
                (Some(phone), 0..=2) => vec![id(IdentityKind::Phone, phone)],
                (_, 3) => vec![c.email_id()],
                _ => vec![c.account_id()],
            };
            let mut s = ctx.signal(SignalKind::Transaction, "pos", ctx.xid("pos", 0), at, ids);
            s.action = Some(Action::Transaction(TransactionType::Purchase));
            s.amount = Some(money(i64::from(cents)));
            s.currency = Some(c.currency().into());
            place(&mut s, STORE, Some("payment"));
            s.dimensions[STORE_DIM] = Some(STORES[store as usize].name.into());
            prop(&mut s, "items", rng.random_range(1..6));
            emit(s);
        }
        What::Renewal => {
            let fee = (BRANDS[c.brand].club_fee * 100.0) as i64;
            emit(transaction(
                ctx,
                0,
                at,
                TransactionType::Renewal,
                fee,
                online(c.prefers_app),
                "membership_renewal",
            ));
        }
        What::Cancellation { theme } => {
            let channel = if chance(rng, 0.25) {
                PHONE
            } else {
                online(c.prefers_app)
            };
            if channel != PHONE {
                emit(event(
                    ctx,
                    0,
                    at - 120,
                    "cancel_clicked",
                    channel,
                    "cancellation",
                ));
            }
            let mut s = transaction(
                ctx,
                1,
                at,
                TransactionType::Cancellation,
                0,
                channel,
                "cancellation",
            );
            s.reason = Some(cancel_reason(theme, rng).into());
            emit(s);
        }
        What::Refund { order_seq, cents } => {
            let mut s = transaction(
                ctx,
                0,
                at,
                TransactionType::Refund,
                -i64::from(cents),
                EMAIL,
                "support_contact",
            );
            s.reason = Some("late_delivery".into());
            prop(&mut s, "order_id", ctx.order_id(order_seq));
            emit(s);
        }
        _ => unreachable!("not a transaction episode: {:?}", ctx.ep.what),
    }
}

pub fn transaction(
    ctx: &Ctx,
    k: usize,
    at: i64,
    kind: TransactionType,
    cents: i64,
    channel: &str,
    touchpoint: &str,
) -> SignalParts {
    let ids = vec![ctx.c.email_id(), ctx.c.account_id()];
    let source = if matches!(kind, TransactionType::Purchase) {
        "shop"
    } else {
        "billing"
    };
    let mut s = ctx.signal(SignalKind::Transaction, source, ctx.xid("txn", k), at, ids);
    s.action = Some(Action::Transaction(kind));
    s.amount = Some(money(cents));
    s.currency = Some(ctx.c.currency().into());
    place(&mut s, channel, Some(touchpoint));
    s
}

fn cancel_reason(theme: Theme, rng: &mut DemoRng) -> &'static str {
    match theme {
        Theme::Support => "poor_service",
        Theme::Price | Theme::Membership => "too_expensive",
        Theme::Quality | Theme::Returns => "product_quality",
        Theme::App => "website_problems",
        _ => pick(
            rng,
            &["not_using_it", "moving_away", "found_alternative", "other"],
        ),
    }
}
