//! The fast path's only error: "not in the subset, ask `serde_json`".

use std::fmt;

/// The fast path declined the input. It carries nothing: the caller re-parses with `serde_json`,
/// which says what is wrong and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Refused;

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("refused by the fast JSON path")
    }
}

impl std::error::Error for Refused {}

impl serde::de::Error for Refused {
    // A visitor's message is dropped: the serde_json fallback computes it again.
    fn custom<T: fmt::Display>(_message: T) -> Self {
        Refused
    }
}
