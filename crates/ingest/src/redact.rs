//! PII redaction at intake: for a workspace that asks for it, every signal's text
//! is replaced by its redacted form (`[EMAIL]`, `[CARD]`, `[PHONE]` …) before it
//! reaches the store, so the original text is never stored anywhere.

use std::collections::BTreeSet;

use throughline_domain::Signal;

/// Which workspaces redact PII at intake.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PiiPolicy {
    /// Every workspace redacts.
    pub all: bool,
    /// These workspaces (by name) redact.
    pub workspaces: BTreeSet<String>,
}

impl PiiPolicy {
    /// From the configured list: workspace names, or `*` for all.
    pub fn from_names(names: &[String]) -> Self {
        Self {
            all: names.iter().any(|n| n == "*"),
            workspaces: names.iter().filter(|n| *n != "*").cloned().collect(),
        }
    }

    pub fn applies_to(&self, workspace: &str) -> bool {
        self.all || self.workspaces.contains(workspace)
    }
}

/// Replaces every signal's text by its redacted form (`Signal::redact_text` keeps it
/// within the text limit). Returns how many texts changed.
pub fn redact_texts(signals: &mut [Signal]) -> usize {
    let mut changed = 0;
    for signal in signals {
        let redacted = signal.redact_text(|text| {
            let (redacted, found) = throughline_text::pii::redact(text);
            (!found.is_empty()).then_some(redacted)
        });
        changed += usize::from(redacted);
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn signal(text: &str) -> Signal {
        Signal::parse(&json!({
            "kind": "chat", "source": "s", "external_id": "1",
            "occurred_at": "2026-03-01T10:00:00Z", "customer": {"email": "a@b.com"}, "text": text
        }))
        .unwrap()
    }

    #[test]
    fn texts_lose_their_pii_and_nothing_else() {
        let mut signals = vec![
            signal("mail me at jo.smith@example.com or pay with 4111 1111 1111 1111"),
            signal("no personal data here"),
        ];
        assert_eq!(redact_texts(&mut signals), 1);
        assert_eq!(
            signals[0].text(),
            Some("mail me at [EMAIL] or pay with [CARD]")
        );
        assert_eq!(signals[1].text(), Some("no personal data here"));
        // The identity the signal was attached by is not text: it stays.
        assert_eq!(signals[0].identities()[0].value, "a@b.com");
    }

    #[test]
    fn the_policy_names_workspaces_or_all() {
        let p = PiiPolicy::from_names(&["acme".into()]);
        assert!(p.applies_to("acme") && !p.applies_to("other"));
        assert!(PiiPolicy::from_names(&["*".into()]).applies_to("other"));
        assert!(!PiiPolicy::default().applies_to("acme"));
    }
}
