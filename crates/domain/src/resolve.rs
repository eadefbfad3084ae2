//! Identity resolution as a pure decision: given a record's identities and the
//! profiles some of them already belong to, decide whether to create, attach or
//! merge. Stores look the identities up, call [`plan`], and carry the plan out in
//! one transaction.

use crate::identity::{Identity, IdentityPolicy};
use crate::ids::ProfileId;

/// What to do with one incoming record's identities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// No identity is known: a new profile, owning `identities`.
    Create { identities: Vec<Identity> },
    /// Exactly one profile is known: attach to it and give it the new identities.
    Attach {
        profile: ProfileId,
        add: Vec<Identity>,
    },
    /// Several profiles are known: the oldest survives; each other one is merged
    /// into it, explained by the identity through which the record named it.
    Merge {
        survivor: ProfileId,
        absorbed: Vec<(ProfileId, Identity)>,
        add: Vec<Identity>,
    },
}

impl Plan {
    /// The profile the record ends up attached to, when it already exists.
    pub fn existing_profile(&self) -> Option<ProfileId> {
        match self {
            Plan::Create { .. } => None,
            Plan::Attach { profile, .. } => Some(*profile),
            Plan::Merge { survivor, .. } => Some(*survivor),
        }
    }
}

/// Decides. `known` maps identities of this record to the *canonical* profile
/// they currently belong to. Weak identities (shared mailboxes, the deny-list)
/// are used only when the record has nothing else, and never merge.
pub fn plan(
    identities: &[Identity],
    known: &[(Identity, ProfileId)],
    policy: &IdentityPolicy,
) -> Plan {
    let strong: Vec<&Identity> = identities.iter().filter(|i| !policy.is_weak(i)).collect();
    let usable: Vec<&Identity> = if strong.is_empty() {
        identities.iter().collect()
    } else {
        strong
    };
    let lookup = |id: &Identity| known.iter().find(|(k, _)| k == id).map(|(_, p)| *p);

    let mut found: Vec<(ProfileId, Identity)> = Vec::new();
    let mut unknown: Vec<Identity> = Vec::new();
    for id in &usable {
        match lookup(id) {
            Some(p) if !found.iter().any(|(f, _)| *f == p) => found.push((p, (*id).clone())),
            Some(_) => {}
            None => unknown.push((*id).clone()),
        }
    }
    found.sort_by_key(|(p, _)| *p);
    let weak_only = usable.iter().all(|i| policy.is_weak(i));
    match found.len() {
        0 => Plan::Create {
            identities: unknown,
        },
        1 => Plan::Attach {
            profile: found[0].0,
            add: unknown,
        },
        // A record known only by shared identities picks the oldest and merges nothing.
        _ if weak_only => Plan::Attach {
            profile: found[0].0,
            add: Vec::new(),
        },
        _ => {
            let survivor = found[0].0;
            Plan::Merge {
                survivor,
                absorbed: found.into_iter().skip(1).collect(),
                add: unknown,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(s: &str) -> Identity {
        Identity::email(s).unwrap()
    }

    #[test]
    fn unknown_identities_create_a_profile() {
        let ids = [email("a@x.com"), Identity::phone("+442079460958").unwrap()];
        let got = plan(&ids, &[], &IdentityPolicy::default());
        assert_eq!(
            got,
            Plan::Create {
                identities: ids.to_vec()
            }
        );
    }

    #[test]
    fn one_known_identity_attaches_and_adds_the_rest() {
        let ids = [email("a@x.com"), Identity::account_id("A-1").unwrap()];
        let known = [(email("a@x.com"), ProfileId(4))];
        let got = plan(&ids, &known, &IdentityPolicy::default());
        assert_eq!(
            got,
            Plan::Attach {
                profile: ProfileId(4),
                add: vec![ids[1].clone()]
            }
        );
    }

    #[test]
    fn two_profiles_merge_into_the_oldest_with_the_linking_identity() {
        let ids = [email("a@x.com"), Identity::account_id("A-1").unwrap()];
        let known = [
            (email("a@x.com"), ProfileId(9)),
            (ids[1].clone(), ProfileId(3)),
        ];
        let got = plan(&ids, &known, &IdentityPolicy::default());
        let want = Plan::Merge {
            survivor: ProfileId(3),
            absorbed: vec![(ProfileId(9), email("a@x.com"))],
            add: vec![],
        };
        assert_eq!(got, want);
    }

    #[test]
    fn shared_mailboxes_never_merge_and_are_not_attached_to_people() {
        let policy = IdentityPolicy::default();
        let ids = [email("info@acme.com"), email("ann@acme.com")];
        let known = [
            (email("info@acme.com"), ProfileId(1)),
            (email("ann@acme.com"), ProfileId(2)),
        ];
        assert_eq!(
            plan(&ids, &known, &policy),
            Plan::Attach {
                profile: ProfileId(2),
                add: vec![]
            }
        );
        // Known only by the shared mailbox: it stands for itself.
        let only_shared = [email("info@acme.com")];
        assert_eq!(
            plan(&only_shared, &known[..1], &policy),
            Plan::Attach {
                profile: ProfileId(1),
                add: vec![]
            }
        );
        assert_eq!(
            plan(&only_shared, &[], &policy),
            Plan::Create {
                identities: only_shared.to_vec()
            }
        );
    }
}
