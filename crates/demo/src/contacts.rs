//! Support contacts: calls, chats, emails and tickets with their text and handling
//! times. A repeat contact (the second about one unresolved issue) says so, and its
//! first contact is left unresolved.

use rand::Rng;
use throughline_domain::{Action, IdentityKind, SignalKind, SignalParts};

use crate::comments::{clause, comment, typo, Theme};
use crate::company::{BRANDS, EMAIL, TEAMS};
use crate::customers::id;
use crate::dist::{chance, pick, uniform, DemoRng};
use crate::employees::Employee;
use crate::feedback::contact_channel;
use crate::names::mobile;
use crate::plan::{Via, What, HOUR};
use crate::render::{place, prop, ts, Ctx, TEAM};
use crate::themes::{theme_label, theme_touchpoint};

const AGENT_OPENERS: &[&str] = &[
    "Thanks for getting in touch, I'm sorry to hear that.",
    "Hi there, thanks for your patience.",
    "I'm really sorry about this, let me take a look.",
    "Thanks for reaching out. Can you confirm your order number?",
    "Apologies for the trouble. I can see your account here.",
    "Hello! I understand, that's frustrating. Let me check.",
];
const AGENT_FIXES: &[&str] = &[
    "I've raised this with the team and you'll hear back within 48 hours.",
    "I've issued a refund, it should show in 3-5 working days.",
    "I've sent a replacement out today on next-day delivery.",
    "I've added a credit to your account for the inconvenience.",
    "I've reset that for you, can you try again now?",
    "I've escalated this to my manager who will call you tomorrow.",
    "That's been corrected and I've emailed you a confirmation.",
];
const CUSTOMER_CLOSERS: &[&str] = &[
    "Ok thanks.",
    "Fine, I'll wait then.",
    "Great, thank you!",
    "That's all, thanks.",
    "I hope so this time.",
    "Cheers for your help.",
    "Ok.",
    "Right, we'll see.",
];
const REPEAT_OPENERS: &[&str] = &[
    "This is the second time I'm contacting you about this.",
    "I already reported this a few days ago and nothing has happened.",
    "Following up again as nobody got back to me.",
    "Still not sorted since my last message.",
    "I was told this would be fixed, it isn't.",
];
const SUBJECTS: &[&str] = &[
    "Problem with my order",
    "Complaint",
    "Help please",
    "Question about my account",
    "Issue",
    "Urgent",
];

pub fn render(ctx: &Ctx, rng: &mut DemoRng, emit: &mut dyn FnMut(SignalParts)) {
    let What::Contact {
        via,
        theme,
        repeat,
        late,
    } = ctx.ep.what
    else {
        unreachable!("not a contact episode: {:?}", ctx.ep.what);
    };
    let c = ctx.c;
    let at = ctx.ep.at;
    let (channel, team) = contact_channel(via);
    let tone = uniform(rng, -1.0, -0.3);
    let mut complaint = comment(
        rng,
        tone,
        theme,
        if late {
            Theme::Delivery
        } else {
            Theme::Support
        },
    );
    if repeat == 2 {
        complaint = format!("{} {complaint}", pick(rng, REPEAT_OPENERS));
    }
    let agent = agent(ctx, team, rng);
    let brand = BRANDS[c.brand].name;
    let (kind, source, ids, text, first_response, handling) = match via {
        Via::Phone => {
            let ids = match &c.phone {
                Some(phone) => vec![id(IdentityKind::Phone, phone)],
                // Calling from a number we do not know: the agent checks the account.
                None => vec![
                    id(
                        IdentityKind::Phone,
                        &mobile(800_000_000 + u64::from(ctx.ep.who), false),
                    ),
                    c.account_id(),
                ],
            };
            let text = format!(
                "Agent: Thank you for calling {brand}, you're speaking with {}. How can I help?\nCustomer: {complaint}\nAgent: {} {}\nCustomer: {}",
                agent.map_or("the care team", |e| e.first),
                pick(rng, AGENT_OPENERS),
                pick(rng, AGENT_FIXES),
                pick(rng, CUSTOMER_CLOSERS)
            );
            let wait = uniform(rng, 30.0, if c.brand == 2 { 1500.0 } else { 700.0 }) as i64;
            (
                SignalKind::Call,
                "telephony",
                ids,
                text,
                wait,
                wait + uniform(rng, 180.0, 1500.0) as i64,
            )
        }
        Via::Chat => {
            let mut lines = vec![
                format!("Customer: {complaint}"),
                format!("Agent: {}", pick(rng, AGENT_OPENERS)),
            ];
            if chance(rng, 0.5) {
                let mild = chance(rng, 0.5);
                let mut extra = clause(rng, theme, false, mild);
                if chance(rng, 0.2) {
                    typo(rng, &mut extra);
                }
                lines.push(format!("Customer: {extra}"));
            }
            lines.push(format!("Agent: {}", pick(rng, AGENT_FIXES)));
            lines.push(format!("Customer: {}", pick(rng, CUSTOMER_CLOSERS)));
            let wait = uniform(rng, 10.0, 240.0) as i64;
            (
                SignalKind::Chat,
                "chat_platform",
                vec![c.email_id()],
                lines.join("\n"),
                wait,
                wait + uniform(rng, 300.0, 2400.0) as i64,
            )
        }
        Via::Email | Via::Ticket => {
            let mut ids = vec![c.email_id()];
            if let (Some(alt), true) = (&c.alt_email, chance(rng, 0.3)) {
                ids = vec![id(IdentityKind::Email, alt)];
            } else if let (Some(shared), 0, true) = (&c.shared_mailbox, repeat, chance(rng, 0.6)) {
                // Written from the shop's shared mailbox; half the time the agent links the account.
                ids = vec![id(IdentityKind::Email, shared)];
                if chance(rng, 0.5) {
                    ids.push(c.account_id());
                }
            }
            let subject = if late {
                "Where is my order?"
            } else {
                pick(rng, SUBJECTS)
            };
            let signoff = pick(
                rng,
                &[
                    "Thanks",
                    "Regards",
                    "Kind regards",
                    "Cheers",
                    "Best",
                    "Thank you",
                ],
            );
            let text = if via == Via::Email {
                format!(
                    "Subject: {subject}\n\nHi,\n\n{complaint}\n\n{signoff},\n{}",
                    c.first
                )
            } else {
                format!("{subject}: {complaint}")
            };
            let first = uniform(rng, 0.5, if c.brand == 2 { 60.0 } else { 30.0 }) as i64 * HOUR;
            let kind = if via == Via::Email {
                SignalKind::Email
            } else {
                SignalKind::Ticket
            };
            let source = if via == Via::Email {
                "mail"
            } else {
                "helpdesk"
            };
            (
                kind,
                source,
                ids,
                text,
                first,
                first + uniform(rng, 1.0, 96.0) as i64 * HOUR,
            )
        }
    };
    let mut s = ctx.signal(kind, source, ctx.xid("sup", 0), at, ids);
    place(
        &mut s,
        channel,
        Some(if rng.random_bool(0.9) {
            "support_contact"
        } else {
            theme_touchpoint(theme)
        }),
    );
    s.dimensions[TEAM] = Some(TEAMS[team].name.into());
    s.text = Some(text);
    s.first_response_at = Some(ts(at + first_response));
    // The first contact of a repeat pair was never really resolved; asynchronous ones stay open.
    let unresolved = repeat == 1 && matches!(via, Via::Email | Via::Ticket);
    s.resolved_at = (!unresolved).then(|| ts(at + handling));
    if kind == SignalKind::Ticket {
        s.reason = Some(theme_label(theme).into());
        prop(
            &mut s,
            "priority",
            if late || repeat == 2 {
                "high"
            } else {
                "normal"
            },
        );
    }
    if let Some(e) = agent {
        prop(&mut s, "agent", e.account.as_str());
    }
    prop(&mut s, "status", if unresolved { "open" } else { "solved" });
    emit(s);
    // Every contact gets a CSAT survey by email an hour later; whether it is answered (about
    // a third are) is decided in the journey. No randomness here, so the episode's other
    // signals are unchanged.
    let mut invite = ctx.signal(
        SignalKind::Event,
        "survey_tool",
        ctx.xid("inv", 0),
        at + HOUR,
        vec![c.email_id()],
    );
    invite.action = Some(Action::Event("survey_sent".into()));
    place(&mut invite, EMAIL, Some("support_contact"));
    prop(&mut invite, "survey", "contact_csat");
    emit(invite);
}

/// The care-team employee who handled the contact (none if the team is empty).
fn agent<'a>(ctx: &Ctx<'a>, team: usize, rng: &mut DemoRng) -> Option<&'a Employee> {
    let agents = &ctx.world.agents[team];
    (!agents.is_empty()).then(|| &ctx.world.employees[pick(rng, agents) as usize])
}
