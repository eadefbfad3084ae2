//! The composition root behind the `throughline` binary: settings, the one backend
//! `match`, and the commands. A library so the integration tests can boot the
//! real server in-process.

pub mod args;
pub mod commands;
pub mod datadir;
pub mod settings;
pub mod wiring;
