//! Support KPIs: first-contact resolution, repeat-contact rate and SLA compliance, each a
//! share with its Wilson interval.

use serde::Serialize;

use crate::estimate::Estimate;
use crate::proportion::proportion;

const SECONDS_PER_DAY: i64 = 86_400;

/// One support contact (ticket, chat, call) by a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub profile: i64,
    /// Unix seconds.
    pub at: i64,
    /// What it was about (touchpoint, theme …); `None` matches any issue.
    pub issue: Option<String>,
}

/// Share of contacts *not* followed by another contact from the same profile on the same issue
/// within `window_days` (inclusive). `None` on either side counts as the same issue, since an
/// unclassified follow-up may well be about it.
///
/// Censoring: a contact whose window ends after the last observed contact (of anyone) is
/// excluded, because we cannot yet know whether it will be repeated; counting it as resolved
/// would flatter the most recent days. `n` is the number of contacts with a fully observed
/// window. A follow-up at the very same second is not a repeat (it is usually the same contact
/// arriving on two channels).
pub fn first_contact_resolution(contacts: &[Contact], window_days: u32) -> Estimate {
    let (repeats, eligible) = repeat_counts(contacts, window_days, i64::MIN, i64::MAX);
    proportion(eligible - repeats, eligible)
}

/// First-contact resolution of the contacts made in `[from, to)` (unix seconds), with
/// every contact in `contacts`, before or after, counting as a possible repeat: how
/// a period's FCR is measured without losing the repeats that fall after it.
pub fn first_contact_resolution_between(
    contacts: &[Contact],
    window_days: u32,
    from: i64,
    to: i64,
) -> Estimate {
    let (repeats, eligible) = repeat_counts(contacts, window_days, from, to);
    proportion(eligible - repeats, eligible)
}

/// 1 − first-contact resolution on the same definition and the same eligible contacts.
pub fn repeat_contact_rate(contacts: &[Contact], window_days: u32) -> Estimate {
    let (repeats, eligible) = repeat_counts(contacts, window_days, i64::MIN, i64::MAX);
    proportion(repeats, eligible)
}

/// Share of durations within (≤) `target_secs`, with its Wilson interval. Non-finite durations
/// (missing, still open) are not counted in n.
pub fn sla_compliance(durations_secs: &[f64], target_secs: f64) -> Estimate {
    let finite = durations_secs.iter().filter(|d| d.is_finite());
    let (within, n) = finite.fold((0u64, 0u64), |(within, n), &d| {
        (within + u64::from(d <= target_secs), n + 1)
    });
    proportion(within, n)
}

/// (repeated contacts, contacts with a fully observed window), counting only contacts
/// made in `[from, to)`.
fn repeat_counts(contacts: &[Contact], window_days: u32, from: i64, to: i64) -> (u64, u64) {
    let Some(last_seen) = contacts.iter().map(|c| c.at).max() else {
        return (0, 0);
    };
    let window = i64::from(window_days) * SECONDS_PER_DAY;
    let mut order: Vec<&Contact> = contacts.iter().collect();
    order.sort_by_key(|c| (c.profile, c.at));
    let (mut repeats, mut eligible) = (0u64, 0u64);
    for (i, contact) in order.iter().enumerate() {
        let window_end = contact.at.saturating_add(window);
        if window_end > last_seen || contact.at < from || contact.at >= to {
            continue;
        }
        eligible += 1;
        let repeated = order[i + 1..]
            .iter()
            .take_while(|later| later.profile == contact.profile && later.at <= window_end)
            .any(|later| later.at > contact.at && same_issue(&contact.issue, &later.issue));
        repeats += u64::from(repeated);
    }
    (repeats, eligible)
}

fn same_issue(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = SECONDS_PER_DAY;

    fn contact(profile: i64, at: i64, issue: Option<&str>) -> Contact {
        Contact {
            profile,
            at,
            issue: issue.map(str::to_string),
        }
    }

    #[test]
    fn fcr_by_hand() {
        // 7-day window; the last contact is at day 20, so only contacts at or before day 13 have
        // a fully observed window.
        let contacts = vec![
            contact(1, 2 * DAY, Some("billing")),  // resolved
            contact(1, 0, Some("billing")),        // repeated on day 2
            contact(2, 0, Some("billing")),        // resolved: the follow-up is another issue
            contact(2, 3 * DAY, Some("delivery")), // resolved
            contact(3, 0, None),                   // resolved: follow-up on day 8 is outside
            contact(3, 8 * DAY, Some("x")),        // resolved
            contact(4, DAY, Some("a")),            // repeated exactly at the window's end
            contact(4, 8 * DAY, Some("a")),        // resolved
            contact(7, 0, Some("billing")),        // repeated: an unclassified follow-up
            contact(7, DAY, None),                 // resolved
            contact(8, 2 * DAY, Some("a")),        // same second twice: not repeats
            contact(8, 2 * DAY, Some("a")),
            contact(6, 14 * DAY, Some("a")), // censored (window ends day 21 > 20)
            contact(6, 15 * DAY, Some("a")), // censored
            contact(5, 20 * DAY, Some("z")), // censored; sets the last observed time
        ];
        // 12 eligible, 3 repeated: FCR = 9/12, repeat rate = 3/12.
        assert_eq!(first_contact_resolution(&contacts, 7), proportion(9, 12));
        assert_eq!(repeat_contact_rate(&contacts, 7), proportion(3, 12));
        // A zero-day window can hold no later contact: everything up to day 20 resolves.
        assert_eq!(first_contact_resolution(&contacts, 0), proportion(15, 15));
        assert_eq!(first_contact_resolution(&[], 7), Estimate::empty());
        // Only contacts made on days 0..2 (from 0, to 2 days exclusive) count, but their
        // repeats may fall later: day-0 contacts of profiles 1 (repeated day 2), 2, 3 and 7
        // (repeated day 1), day-1 contacts of 4 (repeated day 8) and 7: 6 eligible, 3 repeated.
        let early = first_contact_resolution_between(&contacts, 7, 0, 2 * DAY);
        assert_eq!(early, proportion(3, 6));
    }

    #[test]
    fn sla_by_hand() {
        // 10, 20, 30 within a 30 s target (inclusive), 40 not, NaN not counted: 3/4.
        let durations = [10.0, 20.0, 30.0, f64::NAN, 40.0];
        assert_eq!(sla_compliance(&durations, 30.0), proportion(3, 4));
        assert_eq!(sla_compliance(&[], 30.0), Estimate::empty());
    }
}
