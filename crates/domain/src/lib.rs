//! Throughline's domain model: signals, stakeholders and their identities.
//!
//! Everything here is pure: no I/O, no async, no clocks. Values are *parsed*
//! at the edge (`Signal::parse`) so that an invalid value can never reach a
//! store or an analysis.

pub mod apikey;
pub mod chain;
pub mod dimension;
pub mod error;
pub mod identity;
pub mod ids;
pub mod kind;
pub mod limits;
pub mod resolve;
pub mod signal;
pub mod spend;
pub mod wire;

pub use chain::Chain;
pub use dimension::Dimension;
pub use error::{FieldError, RecordRejected};
pub use identity::{Identities, Identity, IdentityKind, IdentityPolicy};
pub use ids::{MergeId, ProfileId, SignalSeq, WorkspaceId};
pub use kind::{Action, SignalKind, StakeholderType};
pub use signal::{Rating, Signal, SignalParts, SliceError};
pub use spend::{AcquisitionSpend, RawSpend};
pub use wire::WireSignal;
