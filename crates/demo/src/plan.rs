//! The plan: everything that happens in the company as small `Episode`s (who, when,
//! what), decided up front, then sorted by time and rendered into signals one by one.
//!
//! Planning first and rendering second keeps the output chronological without holding
//! millions of signals in memory, and lets each episode be rendered from its own seed.

use crate::comments::Theme;
use crate::customers::{plan_customer, Customer};
use crate::employees::{plan_employees, Employee};
use crate::DemoConfig;

pub const HOUR: i64 = 3600;
pub const DAY: i64 = 24 * HOUR;

/// How a customer reached support.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Phone,
    Chat,
    Email,
    Ticket,
}

/// What a survey asks about.
#[derive(Debug, Clone, Copy)]
pub enum About {
    /// After an online order (delivered `late` or not) or a store visit (`store`).
    Purchase { late: bool, store: Option<u8> },
    /// The twice-yearly relationship NPS, answered on `channel` (index into `CHANNELS`).
    Relationship { channel: u8 },
    /// After a support contact; `repeat` is 2 for the second contact about one issue.
    Contact { via: Via, theme: Theme, repeat: u8 },
}

/// One thing that happens. Customer episodes index `World::customers`, employee ones
/// `World::employees`, partner ones `company::PARTNERS`.
#[derive(Debug, Clone, Copy)]
pub enum What {
    Acquire {
        app: bool,
        in_store: Option<u8>,
    },
    LinkAltEmail,
    LinkHandle,
    Browse {
        app: bool,
    },
    /// A pass through the purchase funnel; `reached` steps of `truths::FUNNEL`, and an
    /// order of `cents` when all steps were reached.
    Funnel {
        app: bool,
        reached: u8,
        cents: u32,
    },
    StorePurchase {
        store: u8,
        cents: u32,
    },
    Delivery {
        order_seq: u32,
        late_days: u8,
    },
    Renewal,
    Cancellation {
        theme: Theme,
    },
    Refund {
        order_seq: u32,
        cents: u32,
    },
    Survey(About),
    /// `repeat`: 0 an ordinary contact, 1 and 2 the two contacts about one unresolved issue.
    Contact {
        via: Via,
        theme: Theme,
        repeat: u8,
        late: bool,
    },
    Review {
        store: Option<u8>,
        late: bool,
    },
    Social {
        theme: Theme,
        good: bool,
    },
    Referral,
    Applied,
    Hired,
    Onboarded,
    Promoted,
    Exited {
        reason: u8,
    },
    ExitInterview {
        reason: u8,
    },
    Pulse,
    PartnerFeedback,
}

#[derive(Debug, Clone, Copy)]
pub struct Episode {
    pub at: i64,
    pub who: u32,
    /// The episode's number within its subject's plan: part of every external id.
    pub seq: u32,
    pub what: What,
}

/// The planned company: its people and everything that will happen to them, in time order.
pub struct World {
    pub seed: u64,
    pub start: i64,
    pub end: i64,
    pub customers: Vec<Customer>,
    pub employees: Vec<Employee>,
    pub episodes: Vec<Episode>,
    /// Employees (not applicants) of each team in `company::TEAMS`, who answer contacts.
    pub agents: Vec<Vec<u32>>,
    /// Year and month of the delivery-delay spike (`truths::delay_spike_month`).
    pub spike: (i32, u32),
}

/// Window bounds in Unix seconds: the start date at midnight UTC and `months` later.
pub fn window(config: &DemoConfig) -> (i64, i64) {
    let start = config
        .start
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc();
    let end = config
        .start
        .checked_add_months(chrono::Months::new(config.months.max(1)))
        .expect("the window ends before the year 262143")
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc();
    (start.timestamp(), end.timestamp())
}

pub fn plan(config: &DemoConfig) -> World {
    let (start, end) = window(config);
    let mut episodes = Vec::with_capacity(config.customers * 30);
    let mut customers = Vec::with_capacity(config.customers);
    for idx in 0..config.customers {
        let (customer, mine) = plan_customer(config, start, end, idx as u32);
        customers.push(customer);
        push_all(&mut episodes, idx as u32, mine, start, end);
    }
    let (employees, staff_episodes) = plan_employees(config, start, end);
    for (who, mine) in staff_episodes.into_iter().enumerate() {
        push_all(&mut episodes, who as u32, mine, start, end);
    }
    for (who, mine) in crate::partners::plan_partners(config, start, end)
        .into_iter()
        .enumerate()
    {
        push_all(&mut episodes, who as u32, mine, start, end);
    }
    episodes.sort_unstable_by_key(|e| (e.at, e.who, e.seq));
    let agents = (0..crate::company::TEAMS.len())
        .map(|t| {
            let works_there = |e: &&Employee| e.team == Some(t) && !e.applicant_only;
            (0..employees.len() as u32)
                .filter(|&i| works_there(&&employees[i as usize]))
                .collect()
        })
        .collect();
    World {
        seed: config.seed,
        start,
        end,
        customers,
        employees,
        episodes,
        agents,
        spike: {
            let d = crate::truths::delay_spike_month(config);
            (chrono::Datelike::year(&d), chrono::Datelike::month(&d))
        },
    }
}

/// Adds one subject's episodes, numbering them in plan order, moving them into waking
/// hours and dropping any that fall outside the window (a late delivery planned past the
/// end simply never shows).
fn push_all(out: &mut Vec<Episode>, who: u32, mine: Vec<(i64, What)>, start: i64, end: i64) {
    for (seq, (at, what)) in mine.into_iter().enumerate() {
        let at = waking(at);
        if at >= start && at < end {
            out.push(Episode {
                at,
                who,
                seq: seq as u32,
                what,
            });
        }
    }
}

/// Squeezes the time of day into 07:00–23:00 UTC, keeping the date. The map is strictly
/// increasing, so every order and "within N days" the planner decided survives (gaps
/// change by at most 8 hours, well inside the margins in `journey`).
fn waking(at: i64) -> i64 {
    let day = at.div_euclid(DAY) * DAY;
    day + 7 * HOUR + at.rem_euclid(DAY) * 2 / 3
}
