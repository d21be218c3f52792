//! Integration tests through the public API, against the loopback fake registry (and, where
//! no HTTP is needed, a closure transport). No outside network is ever used.
#![expect(
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

#[path = "../util/mod.rs"]
mod util;

mod doubles;
#[cfg(feature = "reqwest")]
mod endpoints;
#[cfg(feature = "reqwest")]
mod filters;
#[cfg(feature = "reqwest")]
mod quirks;
#[cfg(feature = "reqwest")]
mod stream;
