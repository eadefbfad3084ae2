//! The closed vocabularies of the signal model: kinds, stakeholder types, actions.

use serde::{Deserialize, Serialize};

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name used on the wire and in storage.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// Parses the wire name; `None` for anything else.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($wire => Some($name::$variant),)+ _ => None }
            }

            /// The accepted names, for error messages.
            pub fn expected() -> String {
                Self::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum!(
    /// What kind of signal a record is; decides which fields it must carry.
    SignalKind {
        SurveyResponse = "survey_response",
        Ticket = "ticket",
        Chat = "chat",
        Email = "email",
        Call = "call",
        Review = "review",
        SocialPost = "social_post",
        Event = "event",
        Transaction = "transaction",
        EmployeeFeedback = "employee_feedback",
        HrEvent = "hr_event",
    }
);

wire_enum!(
    /// Whose signal it is.
    StakeholderType {
        Customer = "customer",
        Employee = "employee",
        Partner = "partner",
    }
);

wire_enum!(
    /// What happened in a transaction.
    TransactionType {
        Purchase = "purchase",
        Renewal = "renewal",
        Refund = "refund",
        Cancellation = "cancellation",
    }
);

wire_enum!(
    /// A step of the employee lifecycle.
    HrEventType {
        Applied = "applied",
        Hired = "hired",
        Onboarded = "onboarded",
        Promoted = "promoted",
        Exited = "exited",
    }
);

/// The `action` field, whose meaning depends on the kind: the event name of a
/// web/app `event`, the type of a `transaction`, the step of an `hr_event`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Action {
    Transaction(TransactionType),
    Hr(HrEventType),
    Event(String),
}

impl Action {
    pub fn as_str(&self) -> &str {
        match self {
            Action::Transaction(t) => t.as_str(),
            Action::Hr(h) => h.as_str(),
            Action::Event(name) => name,
        }
    }
}

impl SignalKind {
    /// Kinds whose substance is free text; a record of these kinds must carry `text`.
    pub fn requires_text(self) -> bool {
        matches!(
            self,
            SignalKind::Chat
                | SignalKind::Email
                | SignalKind::Call
                | SignalKind::Review
                | SignalKind::SocialPost
        )
    }

    /// The stakeholder type a kind implies when the record names none explicitly.
    pub fn is_employee_kind(self) -> bool {
        matches!(self, SignalKind::EmployeeFeedback | SignalKind::HrEvent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_wire_name() {
        for kind in SignalKind::ALL {
            assert_eq!(SignalKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(SignalKind::parse("Ticket"), None);
        assert_eq!(SignalKind::ALL.len(), 11);
    }
}
