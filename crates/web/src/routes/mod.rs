//! Route handlers, one module per resource.

pub mod health;
pub mod metrics;
pub mod profiles;
pub mod query;
pub mod signals;
pub mod text;
pub mod value;
