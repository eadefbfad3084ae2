//! Stakeholder identities (email, phone, social handle, account id), normalised so
//! that the same person written two ways resolves to one profile.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use crate::limits::MAX_LABEL_BYTES;

/// The kinds of identifier a stakeholder can be known by.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    Email,
    Phone,
    Handle,
    AccountId,
}

impl IdentityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::Email => "email",
            IdentityKind::Phone => "phone",
            IdentityKind::Handle => "handle",
            IdentityKind::AccountId => "account_id",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "email" => Some(IdentityKind::Email),
            "phone" => Some(IdentityKind::Phone),
            "handle" => Some(IdentityKind::Handle),
            "account_id" => Some(IdentityKind::AccountId),
            _ => None,
        }
    }
}

/// One normalised identifier. Two identities are the same person-key iff they are equal.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Identity {
    pub kind: IdentityKind,
    pub value: String,
}

impl Identity {
    /// Lowercased and trimmed; must look like `local@domain.tld`.
    pub fn email(raw: &str) -> Result<Self, String> {
        let value = raw.trim().to_lowercase();
        let (local, domain) = value
            .split_once('@')
            .ok_or_else(|| "an email needs exactly one '@'".to_string())?;
        let well_formed = !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !value.chars().any(char::is_whitespace);
        if !well_formed {
            return Err(format!("{raw:?} is not an email address"));
        }
        check_len(&value)?;
        Ok(Self {
            kind: IdentityKind::Email,
            value,
        })
    }

    /// E.164: `+` then 8–15 digits. Spaces, dots, dashes and brackets are dropped;
    /// a leading `00` counts as `+`. A number without its country code is refused,
    /// because guessing the country would merge strangers.
    pub fn phone(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let rest = if let Some(r) = trimmed.strip_prefix('+') {
            r
        } else if let Some(r) = trimmed.strip_prefix("00") {
            r
        } else {
            return Err(format!(
                "{raw:?} is not in international format (start with + and the country code)"
            ));
        };
        let mut digits = String::with_capacity(16);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => {
                    return Err(format!(
                        "{raw:?} has a character a phone number cannot have"
                    ))
                }
            }
        }
        if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
            return Err(format!(
                "{raw:?} is not a valid E.164 number (8 to 15 digits)"
            ));
        }
        Ok(Self {
            kind: IdentityKind::Phone,
            value: format!("+{digits}"),
        })
    }

    /// A handle on one network, stored as `network:handle`, lowercased, without `@`.
    /// The network comes from `network` or from a `network:handle` prefix; else `social`.
    pub fn handle(raw: &str, network: Option<&str>) -> Result<Self, String> {
        let raw_trim = raw.trim();
        let (net, name) = match (network, raw_trim.split_once(':')) {
            (Some(n), _) => (n.trim(), raw_trim),
            (None, Some((n, h))) => (n.trim(), h.trim()),
            (None, None) => ("social", raw_trim),
        };
        let name = name.trim_start_matches('@').to_lowercase();
        let net = net.to_lowercase();
        if name.is_empty() || name.chars().any(char::is_whitespace) {
            return Err(format!("{raw:?} is not a handle"));
        }
        if net.is_empty()
            || net
                .chars()
                .any(|c| !c.is_ascii_alphanumeric() && c != '_' && c != '-')
        {
            return Err(format!("{net:?} is not a network name"));
        }
        let value = format!("{net}:{name}");
        check_len(&value)?;
        Ok(Self {
            kind: IdentityKind::Handle,
            value,
        })
    }

    /// An account or external id, kept as given (trimmed): ids are case-sensitive.
    pub fn account_id(raw: &str) -> Result<Self, String> {
        let value = raw.trim().to_string();
        if value.is_empty() {
            return Err("account_id is empty".into());
        }
        check_len(&value)?;
        Ok(Self {
            kind: IdentityKind::AccountId,
            value,
        })
    }
}

fn check_len(value: &str) -> Result<(), String> {
    if value.len() > MAX_LABEL_BYTES {
        return Err(format!("longer than {MAX_LABEL_BYTES} bytes"));
    }
    Ok(())
}

/// The identities one record carries, deduplicated, in a stable order.
pub type Identities = Vec<Identity>;

/// Which identities may link profiles. Shared mailboxes (`info@…`, `support@…`)
/// and anything on the deny-list are *weak*: they identify a stakeholder only
/// when nothing else does, and never cause a merge.
#[derive(Debug, Clone)]
pub struct IdentityPolicy {
    pub shared_local_parts: BTreeSet<String>,
    /// Exact normalised values (`info@acme.com`, `+441234567890`, `twitter:acme`).
    pub deny: BTreeSet<String>,
}

impl Default for IdentityPolicy {
    fn default() -> Self {
        let shared = [
            "info",
            "support",
            "help",
            "sales",
            "admin",
            "office",
            "contact",
            "hello",
            "team",
            "noreply",
            "no-reply",
            "billing",
            "service",
            "customerservice",
            "enquiries",
            "mail",
        ];
        Self {
            shared_local_parts: shared.iter().map(|s| s.to_string()).collect(),
            deny: BTreeSet::new(),
        }
    }
}

impl IdentityPolicy {
    pub fn is_weak(&self, identity: &Identity) -> bool {
        if self.deny.contains(&identity.value) {
            return true;
        }
        match identity.kind {
            IdentityKind::Email => identity
                .value
                .split_once('@')
                .is_some_and(|(local, _)| self.shared_local_parts.contains(local)),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(parsed: Result<Identity, String>, expected: Option<&str>) {
        match (parsed, expected) {
            (Ok(id), Some(want)) => assert_eq!(id.value, want),
            (Err(_), None) => {}
            (got, want) => panic!("got {got:?}, wanted {want:?}"),
        }
    }

    #[test]
    fn emails_normalise_and_reject_garbage() {
        check(
            Identity::email("  Ann.Lee@Example.COM "),
            Some("ann.lee@example.com"),
        );
        check(Identity::email("ann@localhost"), None);
        check(Identity::email("ann@@x.com"), None);
        check(Identity::email("no at sign"), None);
        check(Identity::email("a b@x.com"), None);
    }

    #[test]
    fn phones_become_e164() {
        check(Identity::phone("+44 (20) 7946-0958"), Some("+442079460958"));
        check(Identity::phone("0044 20 7946 0958"), Some("+442079460958"));
        check(Identity::phone("020 7946 0958"), None);
        check(Identity::phone("+12"), None);
        check(Identity::phone("+1 555 CALL NOW"), None);
    }

    #[test]
    fn handles_carry_their_network() {
        check(
            Identity::handle("@AnnLee", Some("Twitter")),
            Some("twitter:annlee"),
        );
        check(
            Identity::handle("instagram:@ann_lee", None),
            Some("instagram:ann_lee"),
        );
        check(Identity::handle("@ann", None), Some("social:ann"));
        check(Identity::handle("@", None), None);
    }

    #[test]
    fn shared_mailboxes_and_deny_list_are_weak() {
        let mut policy = IdentityPolicy::default();
        policy.deny.insert("+442079460958".into());
        assert!(policy.is_weak(&Identity::email("Info@acme.com").unwrap()));
        assert!(policy.is_weak(&Identity::phone("+44 20 7946 0958").unwrap()));
        assert!(!policy.is_weak(&Identity::email("ann@acme.com").unwrap()));
    }
}
