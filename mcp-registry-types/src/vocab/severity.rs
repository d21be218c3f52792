//! How serious a finding is, in every crate of the suite.

use std::fmt;

use serde::Serialize;

/// How serious a finding is: a validation [`Finding`](crate::Finding), or a diagnostic of another crate of the
/// suite (a policy's, in `mcp-policy`). Serializes as `warning` or `error`; a warning orders
/// before an error.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Allowed, but worth fixing: probably not what the author meant.
    Warning,
    /// Refused: the registry refuses the document, a policy does not compile.
    Error,
}

impl Severity {
    /// Whether this is an error.
    pub fn is_error(self) -> bool {
        self == Self::Error
    }

    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
