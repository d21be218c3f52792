//! Error bodies: RFC 9457 problem details, and the generic spec's `{"error": …}`.

use std::fmt;

use crate::vocab::extra::Extra;
use serde_json::Value;

/// An error body from a registry.
///
/// The official registry sends `application/problem+json` (`title`, `status`, `detail`,
/// `errors`); the generic API spec documents `{"error": "…"}`. Both parse into this type.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProblemDetails {
    pub(crate) kind: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) status: Option<u16>,
    pub(crate) detail: Option<String>,
    pub(crate) instance: Option<String>,
    pub(crate) errors: Option<Vec<ProblemError>>,
    pub(crate) error: Option<String>,
    pub(crate) extra: Extra,
}

impl ProblemDetails {
    /// Parses an error body; `None` when it is not a JSON object of either shape.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let problem: Self = serde_json::from_slice(bytes).ok()?;
        let known = problem.title.is_some()
            || problem.detail.is_some()
            || problem.error.is_some()
            || problem.status.is_some()
            || problem.errors.is_some();
        known.then_some(problem)
    }

    /// The short summary (`title`).
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The HTTP status the body repeats.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The explanation (`detail`).
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// The generic spec's `error` text.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Field-level details.
    pub fn errors(&self) -> &[ProblemError] {
        self.errors.as_deref().unwrap_or_default()
    }
}

impl fmt::Display for ProblemDetails {
    /// One line: detail (or title, or error), then each field error's location and message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let head = self
            .detail()
            .or(self.title())
            .or(self.error())
            .unwrap_or("no details");
        f.write_str(head)?;
        for error in self.errors() {
            match error.location() {
                Some(location) => write!(f, "; {location}: {}", error.message())?,
                None => write!(f, "; {}", error.message())?,
            }
        }
        Ok(())
    }
}

/// One field-level detail of a problem.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProblemError {
    pub(crate) message: Option<String>,
    pub(crate) location: Option<String>,
    pub(crate) value: Option<Value>,
    pub(crate) extra: Extra,
}

impl ProblemError {
    /// What is wrong.
    pub fn message(&self) -> &str {
        self.message.as_deref().unwrap_or_default()
    }

    /// Where, e.g. `body.packages[0].registry_type`.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// The offending value.
    pub fn value(&self) -> Option<&Value> {
        self.value.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_json_reads_with_field_errors() {
        let body = br#"{"title":"Unprocessable Entity","status":422,"detail":"validation failed",
            "errors":[{"message":"expected number <= 100","location":"query.limit","value":500}]}"#;
        let problem = ProblemDetails::from_slice(body).unwrap();
        assert_eq!(problem.status(), Some(422));
        assert_eq!(
            problem.to_string(),
            "validation failed; query.limit: expected number <= 100"
        );
    }

    #[test]
    fn generic_error_shape_reads() {
        let problem = ProblemDetails::from_slice(br#"{"error":"server not found"}"#).unwrap();
        assert_eq!(problem.to_string(), "server not found");
    }

    #[test]
    fn html_is_not_a_problem() {
        assert!(ProblemDetails::from_slice(b"<html>502 Bad Gateway</html>").is_none());
        assert!(ProblemDetails::from_slice(b"{}").is_none());
    }
}
