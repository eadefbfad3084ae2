//! One test binary for the demo generator: the shared sample is generated once.

mod basics;
mod common;
mod truths;
