//! Compiling the crate's constant patterns.

use regex::Regex;

/// Compiles a pattern written in this crate's source.
///
/// Every caller passes a constant (or a `format!` of constants) that the unit tests compile,
/// so failure here is a bug in this crate, caught by any test run.
#[expect(
    clippy::expect_used,
    reason = "patterns are constants exercised by the unit tests"
)]
pub(crate) fn constant_regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("constant pattern compiles")
}
