//! The client's errors. Every variant names the URL it concerns.

use std::fmt;
use std::time::Duration;

use http::StatusCode;
use mcp_registry_types::ProblemDetails;
use url::Url;

use crate::transport::TransportError;

/// The most bytes of a response body kept in an error, for context.
pub(crate) const EXCERPT_BYTES: usize = 256;

/// An error from the registry client.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// 404: no such server or version (or it is deleted), or no such endpoint.
    #[error("not found: `{}`{}", .0.url, ProblemSuffix(.0.problem.as_ref()))]
    NotFound(Box<StatusError>),
    /// 401: the registry wants credentials, or rejected the ones sent.
    #[error("unauthorized (401): `{}`{}", .0.url, ProblemSuffix(.0.problem.as_ref()))]
    Unauthorized(Box<StatusError>),
    /// 403: the credentials do not allow this.
    #[error("forbidden (403): `{}`{}", .0.url, ProblemSuffix(.0.problem.as_ref()))]
    Forbidden(Box<StatusError>),
    /// 429 after the retries ran out; carries the last `Retry-After`, if any.
    #[error("rate limited (429){}: `{}`", RetryAfterSuffix(.0.retry_after), .0.url)]
    RateLimited(Box<StatusError>),
    /// 5xx after the retries ran out.
    #[error("server error ({}): `{}`{}", .0.status.as_u16(), .0.url, ProblemSuffix(.0.problem.as_ref()))]
    Server(Box<StatusError>),
    /// Another 4xx: the registry rejected the request (400, 405, 422, …).
    #[error("request rejected ({}): `{}`{}", .0.status.as_u16(), .0.url, ProblemSuffix(.0.problem.as_ref()))]
    Rejected(Box<StatusError>),
    /// A 3xx that was not followed (redirects are off by default) or led nowhere usable.
    #[error("{}: `{}`", .0, .0.url)]
    Redirect(Box<RedirectError>),
    /// A JSON body that does not have the expected shape.
    #[error("cannot decode response: `{}`: {}", .0.url, .0.detail())]
    Decode(Box<DecodeError>),
    /// A body that is not JSON at all, such as an HTML error page from a proxy.
    #[error("{}: `{}`", .0, .0.url)]
    NotJson(Box<NotJsonError>),
    /// A response or stream ran past one of the configured [`Limits`](crate::Limits).
    #[error("{}: `{}`", .0, .0.url)]
    LimitExceeded(Box<LimitError>),
    /// The registry handed back a cursor it had already given: paging would never end.
    #[error("registry repeated cursor `{}`: `{}`", .0.cursor, .0.url)]
    RepeatedCursor(Box<CursorError>),
    /// No complete response within the per-request timeout.
    #[error("timed out after {:?}: `{}`", .0.after, .0.url)]
    Timeout(Box<TimeoutError>),
    /// The HTTP stack failed: connection refused, reset, TLS.
    #[error("request failed: `{}`: {}", .0.url, .0.error)]
    Transport(Box<TransportFailure>),
    /// The token provider could not produce credentials.
    #[error("cannot get credentials: `{}`: {}", .0.url, .0.message)]
    Credentials(Box<CredentialsError>),
}

impl ClientError {
    /// The URL of the request that failed.
    pub fn url(&self) -> &Url {
        match self {
            Self::NotFound(e)
            | Self::Unauthorized(e)
            | Self::Forbidden(e)
            | Self::RateLimited(e)
            | Self::Server(e)
            | Self::Rejected(e) => &e.url,
            Self::Redirect(e) => &e.url,
            Self::Decode(e) => &e.url,
            Self::NotJson(e) => &e.url,
            Self::LimitExceeded(e) => &e.url,
            Self::RepeatedCursor(e) => &e.url,
            Self::Timeout(e) => &e.url,
            Self::Transport(e) => &e.url,
            Self::Credentials(e) => &e.url,
        }
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::NotFound(e)
            | Self::Unauthorized(e)
            | Self::Forbidden(e)
            | Self::RateLimited(e)
            | Self::Server(e)
            | Self::Rejected(e) => Some(e.status),
            Self::Redirect(e) => Some(e.status),
            Self::Decode(e) => Some(e.status),
            Self::NotJson(e) => Some(e.status),
            _ => None,
        }
    }
}

/// A non-success status, with the registry's problem details when it sent any.
#[derive(Clone, Debug)]
pub struct StatusError {
    pub(crate) url: Url,
    pub(crate) status: StatusCode,
    pub(crate) problem: Option<ProblemDetails>,
    pub(crate) retry_after: Option<Duration>,
}

impl StatusError {
    /// The request URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The response status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The parsed error body, if it was JSON in a known shape.
    pub fn problem(&self) -> Option<&ProblemDetails> {
        self.problem.as_ref()
    }

    /// The `Retry-After` the registry sent, parsed (429 and 503).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

/// A redirect the client did not follow.
#[derive(Clone, Debug)]
pub struct RedirectError {
    pub(crate) url: Url,
    pub(crate) status: StatusCode,
    pub(crate) location: Option<String>,
    pub(crate) too_many: bool,
}

impl RedirectError {
    /// The request URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The 3xx status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `Location` header, as sent.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }
}

impl fmt::Display for RedirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.too_many {
            "too many redirects"
        } else {
            "redirect not followed"
        };
        write!(f, "{what} ({})", self.status.as_u16())?;
        match &self.location {
            Some(location) => write!(f, " to `{}`", one_line(location, 200)),
            None => f.write_str(" without a location"),
        }
    }
}

/// A JSON body that does not decode into the expected type.
#[derive(Clone, Debug)]
pub struct DecodeError {
    pub(crate) url: Url,
    pub(crate) status: StatusCode,
    pub(crate) path: String,
    pub(crate) message: String,
    pub(crate) excerpt: String,
}

impl DecodeError {
    fn detail(&self) -> String {
        if self.path.is_empty() || self.path == "." {
            self.message.clone()
        } else {
            format!("{}: {}", self.path, self.message)
        }
    }

    /// The request URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The response status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Where in the document decoding failed, such as `servers[3].server.packages`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What the decoder said.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The start of the body (at most 256 bytes, lossily decoded), for logs.
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }
}

/// A body that is not JSON.
#[derive(Clone, Debug)]
pub struct NotJsonError {
    pub(crate) url: Url,
    pub(crate) status: StatusCode,
    pub(crate) content_type: Option<String>,
    pub(crate) excerpt: String,
}

impl NotJsonError {
    /// The request URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The response status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `Content-Type` header, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The start of the body (at most 256 bytes, lossily decoded), for logs.
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }
}

impl fmt::Display for NotJsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected json but got ")?;
        match &self.content_type {
            Some(content_type) => write!(f, "`{}`", one_line(content_type, 100))?,
            None => f.write_str("no content type")?,
        }
        write!(f, " with status {}", self.status.as_u16())
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

/// A limit that was hit.
#[derive(Clone, Debug)]
pub struct LimitError {
    pub(crate) url: Url,
    pub(crate) limit: Limit,
}

impl LimitError {
    /// The URL being fetched when the limit was hit.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The limit.
    pub fn limit(&self) -> Limit {
        self.limit
    }
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.limit {
            Limit::BodyBytes(n) => write!(f, "response body exceeds the limit of {n} bytes"),
            Limit::Pages(n) => write!(f, "stream exceeds the limit of {n} pages"),
            Limit::Items(n) => write!(f, "stream exceeds the limit of {n} items"),
        }
    }
}

/// A cursor seen before in the same stream.
#[derive(Clone, Debug)]
pub struct CursorError {
    pub(crate) url: Url,
    pub(crate) cursor: String,
}

impl CursorError {
    /// The request that returned the repeated cursor.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The cursor.
    pub fn cursor(&self) -> &str {
        &self.cursor
    }
}

/// A request that ran out of time.
#[derive(Clone, Debug)]
pub struct TimeoutError {
    pub(crate) url: Url,
    pub(crate) after: Duration,
}

impl TimeoutError {
    /// The request URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The timeout that elapsed.
    pub fn after(&self) -> Duration {
        self.after
    }
}

/// A failure of the HTTP stack.
#[derive(Debug)]
pub struct TransportFailure {
    pub(crate) url: Url,
    pub(crate) error: TransportError,
}

impl TransportFailure {
    /// The request URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The transport's error.
    pub fn error(&self) -> &TransportError {
        &self.error
    }
}

/// A token provider's failure.
#[derive(Clone, Debug)]
pub struct CredentialsError {
    pub(crate) url: Url,
    pub(crate) message: String,
}

impl CredentialsError {
    /// The request that needed credentials.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The provider's message.
    pub fn message(&self) -> &str {
        &self.message
    }
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

struct RetryAfterSuffix(Option<Duration>);

impl fmt::Display for RetryAfterSuffix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(after) => write!(f, ", retry after {after:?}"),
            None => Ok(()),
        }
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
        let error = ClientError::Server(Box::new(StatusError {
            url: url(),
            status: StatusCode::INTERNAL_SERVER_ERROR,
            problem: ProblemDetails::from_slice(br#"{"title":"Internal Server Error","status":500,"detail":"Failed to get registry list\nboom"}"#),
            retry_after: None,
        }));
        assert_eq!(
            error.to_string(),
            "server error (500): `https://registry.example/v0.1/servers`: `Failed to get registry list boom`"
        );
        let limited = ClientError::RateLimited(Box::new(StatusError {
            url: url(),
            status: StatusCode::TOO_MANY_REQUESTS,
            problem: None,
            retry_after: Some(Duration::from_secs(2)),
        }));
        assert_eq!(
            limited.to_string(),
            "rate limited (429), retry after 2s: `https://registry.example/v0.1/servers`"
        );
    }

    #[test]
    fn excerpts_are_bounded() {
        let body = vec![b'a'; 10_000];
        assert_eq!(excerpt(&body).chars().count(), EXCERPT_BYTES + 1);
        assert_eq!(excerpt(b"line\nbreak"), "line break");
    }
}
