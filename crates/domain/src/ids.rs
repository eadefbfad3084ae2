//! Identifier newtypes, so a profile id can never be passed where a workspace id is meant.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A tenant: every stored row belongs to exactly one workspace.
    WorkspaceId
);
id_type!(
    /// A stakeholder profile (customer, employee or partner).
    ProfileId
);
id_type!(
    /// The store-wide, commit-ordered sequence number of a signal. The analytics
    /// copy follows the system of record by this number.
    SignalSeq
);
id_type!(
    /// One merge of two profiles, kept so it can be explained and undone.
    MergeId
);
