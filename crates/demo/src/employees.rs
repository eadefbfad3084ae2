//! Employees: who works in which store or team, their eNPS pulses, and their lifecycle
//! (applied → hired → onboarded → promoted → exited, with exit interviews). A store's
//! hidden quality moves its staff's mood: that is the EX half of truth (a).

use throughline_domain::kind::HrEventType;
use throughline_domain::{Action, IdentityKind, Rating, SignalKind, SignalParts, StakeholderType};

use crate::comments::{comment, Theme, EMPLOYEE_THEMES};
use crate::company::{BRANDS, COMPANY_DOMAIN, EMAIL, REGIONS, RETAIL_TEAM, STORES, TEAMS, WEB};
use crate::customers::id;
use crate::dist::{chance, normal, pick, rng_for, score, uniform, weighted, DemoRng};
use crate::names::{slug, FIRST_NAMES, LAST_NAMES, MAIL_PROVIDERS};
use crate::plan::{Episode, What, World, DAY};
use crate::render::{place, prop, signal, BRAND, REGION, STORE, TEAM};
use crate::{truths, DemoConfig};

/// Why people leave, and the theme their exit interview dwells on.
pub const EXIT_REASONS: [(&str, Option<Theme>); 7] = [
    ("better_pay", Some(Theme::Pay)),
    ("manager", Some(Theme::Manager)),
    ("workload", Some(Theme::Workload)),
    ("career_growth", Some(Theme::Career)),
    ("relocation", None),
    ("retirement", None),
    ("personal", None),
];

pub struct Employee {
    pub first: &'static str,
    pub email: String,
    pub personal_email: String,
    pub account: String,
    pub store: Option<usize>,
    /// Index into `TEAMS`; store staff have none and belong to `RETAIL_TEAM`.
    pub team: Option<usize>,
    pub mood: f64,
    /// An applicant who was never hired: appears in one `applied` event only.
    pub applicant_only: bool,
}

const STREAM_EMPLOYEE: u64 = 2;

fn make(seed: u64, idx: usize, store: Option<usize>, team: Option<usize>) -> (Employee, DemoRng) {
    let mut rng = rng_for(seed, STREAM_EMPLOYEE, idx as u64, 0);
    let first = pick(&mut rng, FIRST_NAMES);
    let last = pick(&mut rng, LAST_NAMES);
    let quality = match (store, team) {
        (Some(s), _) => STORES[s].quality,
        (None, Some(t)) => TEAMS[t].quality,
        (None, None) => 0.0,
    };
    let (f, l) = (slug(first), slug(last));
    let employee = Employee {
        first,
        email: format!("{f}.{l}{idx}@{COMPANY_DOMAIN}"),
        personal_email: format!("{f}{l}.{idx}@{}", pick(&mut rng, MAIL_PROVIDERS)),
        account: format!("EMP-{idx:05}"),
        store,
        team,
        mood: normal(
            &mut rng,
            7.8 + truths::ENPS_POINTS_PER_QUALITY * quality,
            1.2,
        ),
        applicant_only: false,
    };
    (employee, rng)
}

type Plans = Vec<Vec<(i64, What)>>;

pub fn plan_employees(config: &DemoConfig, start: i64, end: i64) -> (Vec<Employee>, Plans) {
    let mut staff = Vec::new();
    let mut plans: Plans = Vec::new();
    let store_staff = config.employees * 3 / 5;
    let mut openings = Vec::new();
    for idx in 0..config.employees {
        let (store, team) = if idx < store_staff {
            (Some(idx % STORES.len()), None)
        } else {
            let mut rng = rng_for(config.seed, STREAM_EMPLOYEE, idx as u64, 1);
            (None, Some(weighted(&mut rng, &TEAMS.map(|t| t.share))))
        };
        let (e, mut rng) = make(config.seed, idx, store, team);
        let mut mine = Vec::new();
        let years = (end - start) as f64 / (365.0 * DAY as f64);
        let rate = 0.18 * (-(e.mood - 7.0) * 0.35).exp();
        let exit_at = chance(&mut rng, 1.0 - (-rate * years).exp())
            .then(|| uniform(&mut rng, (start + 30 * DAY) as f64, (end - DAY) as f64) as i64);
        let active_end = exit_at.unwrap_or(end);
        pulses(&mut rng, &mut mine, start, active_end, start);
        if e.mood > 7.5 && chance(&mut rng, 0.15) {
            mine.push((
                uniform(&mut rng, start as f64, active_end as f64) as i64,
                What::Promoted,
            ));
        }
        if let Some(at) = exit_at {
            let weights = if e.mood < 6.0 {
                [3.0, 4.0, 3.0, 2.0, 1.0, 0.3, 1.0]
            } else {
                [2.0, 0.5, 1.0, 2.0, 2.0, 1.0, 1.5]
            };
            let reason = weighted(&mut rng, &weights) as u8;
            if chance(&mut rng, 0.7) {
                mine.push((at - 3 * DAY, What::ExitInterview { reason }));
            }
            mine.push((at, What::Exited { reason }));
            openings.push((at, store, team));
        }
        staff.push(e);
        plans.push(mine);
    }
    // Every leaver is replaced: a few applicants, one hired, onboarded, then pulsing.
    for (left_at, store, team) in openings {
        let mut rng = rng_for(config.seed, STREAM_EMPLOYEE, staff.len() as u64, 2);
        let applied = left_at - uniform(&mut rng, 5.0, 30.0) as i64 * DAY;
        for _ in 0..rng_range(&mut rng, 1, 5) {
            let idx = staff.len();
            let (mut e, _) = make(config.seed, idx, store, team);
            e.applicant_only = true;
            staff.push(e);
            plans.push(vec![(
                applied + uniform(&mut rng, 0.0, 10.0) as i64 * DAY,
                What::Applied,
            )]);
        }
        let idx = staff.len();
        let (e, mut own) = make(config.seed, idx, store, team);
        let hired = left_at + uniform(&mut own, 5.0, 25.0) as i64 * DAY;
        let onboarded = hired + uniform(&mut own, 7.0, 21.0) as i64 * DAY;
        let mut mine = vec![
            (applied, What::Applied),
            (hired, What::Hired),
            (onboarded, What::Onboarded),
        ];
        pulses(&mut own, &mut mine, start, end, onboarded);
        staff.push(e);
        plans.push(mine);
    }
    (staff, plans)
}

fn rng_range(rng: &mut DemoRng, lo: u32, hi: u32) -> u32 {
    rand::Rng::random_range(rng, lo..hi)
}

/// Quarterly pulses from two weeks into the window; about 72% answer each.
fn pulses(rng: &mut DemoRng, out: &mut Vec<(i64, What)>, start: i64, until: i64, from: i64) {
    let mut t = start + 14 * DAY;
    while t < until {
        if t >= from && chance(rng, 0.72) {
            out.push((t + uniform(rng, 0.0, 6.0 * DAY as f64) as i64, What::Pulse));
        }
        t += 91 * DAY;
    }
}

pub fn render(world: &World, ep: &Episode, rng: &mut DemoRng, emit: &mut dyn FnMut(SignalParts)) {
    let e = &world.employees[ep.who as usize];
    let xid = |tag: &str| format!("{tag}-e{}-{}", ep.who, ep.seq);
    let work = || {
        vec![
            id(IdentityKind::Email, &e.email),
            id(IdentityKind::AccountId, &e.account),
        ]
    };
    let hr = |step: HrEventType, ids| {
        let mut s = signal(
            SignalKind::HrEvent,
            "hris",
            xid("hr"),
            ep.at,
            StakeholderType::Employee,
            ids,
        );
        s.action = Some(Action::Hr(step));
        place_employee(&mut s, e, "internal");
        s
    };
    match ep.what {
        What::Applied => {
            let mut s = hr(
                HrEventType::Applied,
                vec![id(IdentityKind::Email, &e.personal_email)],
            );
            s.source = "ats".into();
            place_employee(&mut s, e, WEB);
            prop(
                &mut s,
                "role",
                if e.store.is_some() {
                    "Sales Assistant"
                } else {
                    "Specialist"
                },
            );
            emit(s);
        }
        What::Hired => {
            let ids = vec![
                id(IdentityKind::Email, &e.personal_email),
                id(IdentityKind::AccountId, &e.account),
            ];
            emit(hr(HrEventType::Hired, ids));
        }
        What::Onboarded => emit(hr(HrEventType::Onboarded, work())),
        What::Promoted => emit(hr(HrEventType::Promoted, work())),
        What::Exited { reason } => {
            let mut s = hr(HrEventType::Exited, work());
            s.reason = Some(EXIT_REASONS[reason as usize].0.into());
            emit(s);
        }
        What::ExitInterview { reason } => {
            let (label, theme) = EXIT_REASONS[reason as usize];
            let nps = score(rng, e.mood - 1.0, 1.5, 0, 10);
            let mut s = feedback(e, &xid("exit"), ep.at, nps);
            s.reason = Some(label.into());
            let (tone, theme) = match theme {
                Some(t) => (uniform(rng, -1.0, -0.3), t),
                None => (uniform(rng, -0.2, 0.8), pick(rng, &EMPLOYEE_THEMES)),
            };
            let aside = pick(rng, &EMPLOYEE_THEMES);
            s.text = Some(comment(rng, tone, theme, aside));
            prop(&mut s, "survey", "exit_interview");
            emit(s);
        }
        What::Pulse => {
            let nps = score(rng, e.mood, 1.5, 0, 10);
            let mut s = feedback(e, &xid("pulse"), ep.at, nps);
            let rating = |rng: &mut DemoRng, shift: f64| {
                let value = f64::from(score(rng, 3.0 + (e.mood - 7.0) * 0.5 + shift, 0.8, 1, 5));
                Rating {
                    value,
                    min: 1.0,
                    max: 5.0,
                }
            };
            s.ratings.insert("manager_support".into(), rating(rng, 0.2));
            s.ratings.insert("workload".into(), rating(rng, -0.3));
            if chance(rng, 0.45) {
                let tone = ((f64::from(nps) - 6.5) / 3.5).clamp(-1.0, 1.0);
                let theme = pick(rng, &EMPLOYEE_THEMES);
                let (tone, aside) = (
                    normal(rng, tone, 0.15).clamp(-1.0, 1.0),
                    pick(rng, &EMPLOYEE_THEMES),
                );
                s.text = Some(comment(rng, tone, theme, aside));
            }
            prop(&mut s, "survey", "enps_pulse");
            emit(s);
        }
        _ => unreachable!("not an employee episode: {:?}", ep.what),
    }
}

fn feedback(e: &Employee, external_id: &str, at: i64, nps: u8) -> SignalParts {
    let ids = vec![
        id(IdentityKind::Email, &e.email),
        id(IdentityKind::AccountId, &e.account),
    ];
    let mut s = signal(
        SignalKind::EmployeeFeedback,
        "pulse_survey",
        external_id.into(),
        at,
        StakeholderType::Employee,
        ids,
    );
    s.nps = Some(nps);
    place_employee(&mut s, e, EMAIL);
    s
}

fn place_employee(s: &mut SignalParts, e: &Employee, channel: &str) {
    place(s, channel, None);
    match e.store {
        Some(store) => {
            let st = &STORES[store];
            s.dimensions[STORE] = Some(st.name.into());
            s.dimensions[TEAM] = Some(RETAIL_TEAM.into());
            s.dimensions[BRAND] = Some(BRANDS[st.brand].name.into());
            s.dimensions[REGION] = Some(REGIONS[st.region].name.into());
        }
        None => {
            s.dimensions[TEAM] = e.team.map(|t| TEAMS[t].name.to_string());
            s.dimensions[REGION] = Some("Central".into());
        }
    }
}
