//! The conformance story of the `Store` trait, run against every backend, and the
//! helpers that give a test a fresh backend to run it on.
//!
//! Each `stories::*` function takes a fresh `&dyn Store`, plays one part of the
//! contract with real numbers, and panics on the first difference. `tests/`
//! runs every story on SQLite and on a throw-away PostgreSQL cluster.

pub mod backends;
pub mod fixtures;
pub mod pg;
pub mod stories;
