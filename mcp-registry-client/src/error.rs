//! The client's one error type: the URL a request concerned, and an [`ErrorKind`] for what went
//! wrong.

use std::fmt;
use std::time::Duration;

use http::StatusCode;
use mcp_registry_types::ProblemDetails;
use url::Url;

use crate::transport::TransportError;

/// The most bytes of a response body kept in an error, for context.
pub(crate) const EXCERPT_BYTES: usize = 256;

/// An error from the registry client: the URL of the request that failed, and what went wrong.
///
/// The message names the URL between what went wrong and why, on one line:
/// ``not found: `https://registry.example/v0.1/servers/a%2Fb/versions/latest`: `Server not found` ``.
/// Match on [`kind`](Self::kind) to tell the outcomes apart.
pub struct ClientError(Box<Inner>);

#[derive(Debug)]
struct Inner {
    url: Url,
    kind: ErrorKind,
}

impl ClientError {
    pub(crate) fn new(url: Url, kind: ErrorKind) -> Self {
        Self(Box::new(Inner { url, kind }))
    }

    /// The URL of the request that failed (after redirects, when they are followed).
    pub fn url(&self) -> &Url {
        &self.0.url
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// What went wrong, by value.
    pub fn into_kind(self) -> ErrorKind {
        self.0.kind
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<StatusCode> {
        self.0.kind.status()
    }

    /// Whether the client retries this outcome (when its [`RetryPolicy`](crate::RetryPolicy)
    /// allows): 429, 5xx (JSON or not), a timeout, and a transport failure that
    /// [`TransportError::is_retryable`] says may pass.
    pub fn is_retryable(&self) -> bool {
        match &self.0.kind {
            ErrorKind::RateLimited { .. }
            | ErrorKind::Server { .. }
            | ErrorKind::Timeout { .. } => true,
            ErrorKind::NotJson { status, .. } => status.is_server_error(),
            ErrorKind::Transport(error) => error.is_retryable(),
            _ => false,
        }
    }
}

impl fmt::Debug for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientError")
            .field("url", &self.0.url.as_str())
            .field("kind", &self.0.kind)
            .finish()
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.kind.what(f)?;
        write!(f, ": `{}`", self.0.url)?;
        self.0.kind.why(f)
    }
}

// No `source()`: the message already ends with the transport's error, and a reporter that
// walks the chain would print it twice.
impl std::error::Error for ClientError {}

/// What went wrong with a request; see [`ClientError::kind`].
///
/// Its `Display` is the error's message without the URL.
#[non_exhaustive]
#[derive(Debug)]
pub enum ErrorKind {
    /// 404: no such server or version (or it is deleted), or no such endpoint.
    #[non_exhaustive]
    NotFound {
        /// The registry's error body, if it was JSON in a known shape.
        problem: Option<ProblemDetails>,
    },
    /// 401: the registry wants credentials, or rejected the ones sent.
    #[non_exhaustive]
    Unauthorized {
        /// The registry's error body, if it was JSON in a known shape.
        problem: Option<ProblemDetails>,
    },
    /// 403: the credentials do not allow this.
    #[non_exhaustive]
    Forbidden {
        /// The registry's error body, if it was JSON in a known shape.
        problem: Option<ProblemDetails>,
    },
    /// 429 after the retries ran out.
    #[non_exhaustive]
    RateLimited {
        /// The last `Retry-After` the registry sent, parsed.
        retry_after: Option<Duration>,
        /// The registry's error body, if it was JSON in a known shape.
        problem: Option<ProblemDetails>,
    },
    /// 5xx after the retries ran out.
    #[non_exhaustive]
    Server {
        /// The response status.
        status: StatusCode,
        /// The `Retry-After` the registry sent (with 503), parsed.
        retry_after: Option<Duration>,
        /// The registry's error body, if it was JSON in a known shape.
        problem: Option<ProblemDetails>,
    },
    /// Another 4xx: the registry rejected the request (400, 405, 422, …).
    #[non_exhaustive]
    Rejected {
        /// The response status.
        status: StatusCode,
        /// The registry's error body, if it was JSON in a known shape.
        problem: Option<ProblemDetails>,
    },
    /// A 3xx that was not followed (redirects are off by default) or led nowhere usable.
    #[non_exhaustive]
    Redirect {
        /// The 3xx status.
        status: StatusCode,
        /// The `Location` header, as sent.
        location: Option<String>,
        /// Whether [`with_max_redirects`](crate::RegistryClientBuilder::with_max_redirects)
        /// ran out, rather than redirects being off or the location unusable.
        too_many: bool,
    },
    /// A JSON body that does not have the expected shape.
    #[non_exhaustive]
    Decode {
        /// The response status.
        status: StatusCode,
        /// Where in the document decoding failed, such as `servers[3].server.packages`; empty
        /// for the whole document.
        path: String,
        /// What the decoder said.
        message: String,
        /// The start of the body (at most 256 bytes, lossily decoded), for logs.
        excerpt: String,
    },
    /// A body that is not JSON at all, such as an HTML error page from a proxy.
    #[non_exhaustive]
    NotJson {
        /// The response status.
        status: StatusCode,
        /// The `Content-Type` header, if any.
        content_type: Option<String>,
        /// The start of the body (at most 256 bytes, lossily decoded), for logs.
        excerpt: String,
    },
    /// A response or stream ran past one of the configured [`Limits`](crate::Limits).
    LimitExceeded(Limit),
    /// The registry handed back a cursor it had already given: paging would never end.
    #[non_exhaustive]
    RepeatedCursor {
        /// The cursor.
        cursor: String,
    },
    /// No complete response within the per-request timeout.
    #[non_exhaustive]
    Timeout {
        /// The timeout that elapsed.
        after: Duration,
    },
    /// The HTTP stack failed: connection refused, reset, TLS.
    Transport(TransportError),
    /// The token provider could not produce credentials.
    #[non_exhaustive]
    Credentials {
        /// The provider's message.
        message: String,
    },
}

impl ErrorKind {
    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::NotFound { .. } => Some(StatusCode::NOT_FOUND),
            Self::Unauthorized { .. } => Some(StatusCode::UNAUTHORIZED),
            Self::Forbidden { .. } => Some(StatusCode::FORBIDDEN),
            Self::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            Self::Server { status, .. }
            | Self::Rejected { status, .. }
            | Self::Redirect { status, .. }
            | Self::Decode { status, .. }
            | Self::NotJson { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The registry's error body, for a status error whose body was JSON in a known shape.
    pub fn problem(&self) -> Option<&ProblemDetails> {
        match self {
            Self::NotFound { problem }
            | Self::Unauthorized { problem }
            | Self::Forbidden { problem }
            | Self::RateLimited { problem, .. }
            | Self::Server { problem, .. }
            | Self::Rejected { problem, .. } => problem.as_ref(),
            _ => None,
        }
    }

    /// The start of the message: what went wrong, before the URL.
    fn what(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound { .. } => f.write_str("not found"),
            Self::Unauthorized { .. } => f.write_str("unauthorized (401)"),
            Self::Forbidden { .. } => f.write_str("forbidden (403)"),
            Self::RateLimited { retry_after, .. } => {
                f.write_str("rate limited (429)")?;
                match retry_after {
                    Some(after) => write!(f, ", retry after {after:?}"),
                    None => Ok(()),
                }
            }
            Self::Server { status, .. } => write!(f, "server error ({})", status.as_u16()),
            Self::Rejected { status, .. } => write!(f, "request rejected ({})", status.as_u16()),
            Self::Redirect {
                status,
                location,
                too_many,
            } => {
                let what = if *too_many {
                    "too many redirects"
                } else {
                    "redirect not followed"
                };
                write!(f, "{what} ({})", status.as_u16())?;
                match location {
                    Some(location) => write!(f, " to `{}`", one_line(location, 200)),
                    None => f.write_str(" without a location"),
                }
            }
            Self::Decode { .. } => f.write_str("cannot decode response"),
            Self::NotJson {
                status,
                content_type,
                ..
            } => {
                f.write_str("expected json but got ")?;
                match content_type {
                    Some(content_type) => write!(f, "`{}`", one_line(content_type, 100))?,
                    None => f.write_str("no content type")?,
                }
                write!(f, " with status {}", status.as_u16())
            }
            Self::LimitExceeded(Limit::BodyBytes(n)) => {
                write!(f, "response body exceeds the limit of {n} bytes")
            }
            Self::LimitExceeded(Limit::Pages(n)) => {
                write!(f, "stream exceeds the limit of {n} pages")
            }
            Self::LimitExceeded(Limit::Items(n)) => {
                write!(f, "stream exceeds the limit of {n} items")
            }
            Self::RepeatedCursor { cursor } => write!(f, "registry repeated cursor `{cursor}`"),
            Self::Timeout { after } => write!(f, "timed out after {after:?}"),
            Self::Transport(_) => f.write_str("request failed"),
            Self::Credentials { .. } => f.write_str("cannot get credentials"),
        }
    }

    /// The end of the message, after the URL: `: ` and why, when there is more to say.
    fn why(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound { problem }
            | Self::Unauthorized { problem }
            | Self::Forbidden { problem }
            | Self::Server { problem, .. }
            | Self::Rejected { problem, .. } => {
                fmt::Display::fmt(&ProblemSuffix(problem.as_ref()), f)
            }
            Self::Decode { path, message, .. } if path.is_empty() || path == "." => {
                write!(f, ": {message}")
            }
            Self::Decode { path, message, .. } => write!(f, ": {path}: {message}"),
            Self::Transport(error) => write!(f, ": {error}"),
            Self::Credentials { message } => write!(f, ": {message}"),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.what(f)?;
        self.why(f)
    }
}

/// Which limit was hit.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Limit {
    /// [`Limits::with_max_body_bytes`](crate::Limits::with_max_body_bytes).
    BodyBytes(u64),
    /// [`Limits::with_max_pages`](crate::Limits::with_max_pages).
    Pages(u64),
    /// [`Limits::with_max_items`](crate::Limits::with_max_items).
    Items(u64),
}

/// Shortens `text` to `max` characters on one line, replacing control characters.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// The start of a body as text, for error context.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let cut = body.get(..EXCERPT_BYTES).unwrap_or(body);
    let mut text = one_line(&String::from_utf8_lossy(cut), EXCERPT_BYTES);
    if body.len() > EXCERPT_BYTES {
        text.push('…');
    }
    text
}

struct ProblemSuffix<'a>(Option<&'a ProblemDetails>);

impl fmt::Display for ProblemSuffix<'_> {
    /// `: ` then the most specific message and up to three `` `location`: `message` `` items,
    /// each cut to one bounded line: the text comes from the registry.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(problem) = self.0 else {
            return Ok(());
        };
        let head = problem.detail().or(problem.error()).or(problem.title());
        let mut separator = ": ";
        if let Some(head) = head {
            write!(f, "{separator}`{}`", one_line(head, 200))?;
            separator = "; ";
        }
        for item in problem.errors().iter().take(3) {
            f.write_str(separator)?;
            separator = "; ";
            if let Some(location) = item.location() {
                write!(f, "`{}`: ", one_line(location, 100))?;
            }
            write!(f, "`{}`", one_line(item.message(), 200))?;
        }
        if problem.errors().len() > 3 {
            write!(f, "; and {} more", problem.errors().len() - 3)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("https://registry.example/v0.1/servers").unwrap()
    }

    fn problem(body: &[u8]) -> String {
        ProblemSuffix(ProblemDetails::from_slice(body).as_ref()).to_string()
    }

    #[test]
    fn problem_json_and_generic_error_shapes_both_render_on_one_line() {
        let body = br#"{"title":"Unprocessable Entity","status":422,"detail":"validation failed",
            "errors":[{"message":"expected number <= 100","location":"query.limit","value":500}]}"#;
        assert_eq!(
            problem(body),
            ": `validation failed`; `query.limit`: `expected number <= 100`"
        );
        assert_eq!(
            problem(br#"{"error":"Server not found"}"#),
            ": `Server not found`"
        );
        assert_eq!(problem(br#"{"title":"Bad\nGateway"}"#), ": `Bad Gateway`");
        let many =
            br#"{"errors":[{"message":"a"},{"message":"b"},{"message":"c"},{"message":"d"}]}"#;
        assert_eq!(problem(many), ": `a`; `b`; `c`; and 1 more");
        assert_eq!(problem(b"<html>"), "");
    }

    #[test]
    fn messages_are_one_lowercase_line_naming_the_url() {
        let error = ClientError::new(
            url(),
            ErrorKind::Server {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                retry_after: None,
                problem: ProblemDetails::from_slice(br#"{"title":"Internal Server Error","status":500,"detail":"Failed to get registry list\nboom"}"#),
            },
        );
        assert_eq!(
            error.to_string(),
            "server error (500): `https://registry.example/v0.1/servers`: `Failed to get registry list boom`"
        );
        assert_eq!(
            error.kind().to_string(),
            "server error (500): `Failed to get registry list boom`"
        );
        let limited = ClientError::new(
            url(),
            ErrorKind::RateLimited {
                retry_after: Some(Duration::from_secs(2)),
                problem: None,
            },
        );
        assert_eq!(
            limited.to_string(),
            "rate limited (429), retry after 2s: `https://registry.example/v0.1/servers`"
        );
    }

    #[test]
    fn retryable_outcomes_are_those_the_client_retries() {
        let error = |kind| ClientError::new(url(), kind);
        assert!(
            error(ErrorKind::Timeout {
                after: Duration::from_secs(1)
            })
            .is_retryable()
        );
        assert!(
            error(ErrorKind::NotJson {
                status: StatusCode::BAD_GATEWAY,
                content_type: None,
                excerpt: String::new(),
            })
            .is_retryable()
        );
        assert!(
            !error(ErrorKind::NotJson {
                status: StatusCode::OK,
                content_type: None,
                excerpt: String::new(),
            })
            .is_retryable()
        );
        assert!(!error(ErrorKind::NotFound { problem: None }).is_retryable());
        assert!(!error(ErrorKind::LimitExceeded(Limit::Pages(1))).is_retryable());
        assert_eq!(
            error(ErrorKind::Forbidden { problem: None }).status(),
            Some(StatusCode::FORBIDDEN)
        );
    }

    #[test]
    fn excerpts_are_bounded() {
        let body = vec![b'a'; 10_000];
        assert_eq!(excerpt(&body).chars().count(), EXCERPT_BYTES + 1);
        assert_eq!(excerpt(b"line\nbreak"), "line break");
    }
}
